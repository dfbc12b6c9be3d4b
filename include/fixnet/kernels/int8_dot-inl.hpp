// fixnet kernels — integer dot products for quantized inference: int8
// weights times uint8 activations, summed exactly in int32.
//
// Layout: W is [Out][kW] int8, kW a multiple of 64 (whole lines) with zeros
// past In; x is a row of uint8 padded likewise with zeros. Each product is
// widened to int16 (both factors fit: -128..127 and 0..255) and pairs of
// products are added into int32 lanes (ReorderWidenMulAccumulate: pmaddwd
// on x86), so every sum is exact whatever the order, and every target gives
// the scalar loop's result bit for bit: |sum| <= In * 128 * 255 < 2^31 for
// In <= 65 793.

#if defined(FIXNET_KERNELS_INT8_DOT_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_INT8_DOT_INL_HPP_
#undef FIXNET_KERNELS_INT8_DOT_INL_HPP_
#else
#define FIXNET_KERNELS_INT8_DOT_INL_HPP_
#endif

#include <cstddef>
#include <cstdint>

#include "fixnet/kernels/matmul-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// The largest input width whose int8 x uint8 sums stay exact in int32.
inline constexpr std::size_t kMaxInt8DotWidth = 65793;

/// acc[o] = sum_{i < In} W[o][i] x[i] for o < Out, exactly (see above). W
/// rows are kW bytes apart; W and x are read in whole vectors of int16
/// lanes' worth of bytes up to In rounded up to a line, so both must be
/// zero-padded to whole 64-byte lines. Rows go four at a time, each loaded
/// input vector feeding four of them.
template <std::size_t Out, std::size_t In, std::size_t kW>
HWY_INLINE void int8_dot_rows(const std::int8_t* HWY_RESTRICT w, const std::uint8_t* HWY_RESTRICT x,
                              std::int32_t* HWY_RESTRICT acc) {
  static_assert(In >= 1 && In <= kMaxInt8DotWidth, "fixnet: int8 sums of this width overflow int32");
  static_assert(kW % 64 == 0 && kW >= In, "fixnet: int8 weight rows are whole lines");
#if HWY_TARGET == HWY_SCALAR
  // One lane: no pairs to widen into; the same exact sums.
  for (std::size_t o = 0; o < Out; ++o) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < In; ++i) sum += std::int32_t{w[o * kW + i]} * std::int32_t{x[i]};
    acc[o] = sum;
  }
#else
  const hn::CappedTag<std::int32_t, 16> d32;  // at most one line of sums
  const hn::Repartition<std::int16_t, decltype(d32)> d16;
  const hn::Rebind<std::int8_t, decltype(d16)> d8;
  const hn::Rebind<std::uint8_t, decltype(d16)> du8;
  using V32 = hn::Vec<decltype(d32)>;
  constexpr std::size_t kStep = kLanes<decltype(d16)>;
  constexpr std::size_t kChunks = (In + kStep - 1) / kStep;  // within the line padding
  constexpr std::size_t kTile = kVectorRegisters >= 32 ? 8 : 4;
  for_each_tile<Out, kTile>([&](auto rows, std::size_t first) {
    constexpr std::size_t kRows = decltype(rows)::value;
    V32 sum0[kRows], sum1[kRows];
    for (std::size_t r = 0; r < kRows; ++r) sum0[r] = sum1[r] = hn::Zero(d32);
    for (std::size_t c = 0; c < kChunks; ++c) {
      const auto xv = hn::PromoteTo(d16, hn::LoadU(du8, x + c * kStep));
      for (std::size_t r = 0; r < kRows; ++r) {
        const auto wv = hn::PromoteTo(d16, hn::LoadU(d8, w + (first + r) * kW + c * kStep));
        sum0[r] = hn::ReorderWidenMulAccumulate(d32, wv, xv, sum0[r], sum1[r]);
      }
    }
    for (std::size_t r = 0; r < kRows; ++r)
      acc[first + r] = hn::GetLane(hn::SumOfLanes(d32, hn::Add(sum0[r], sum1[r])));
  });
#endif
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
