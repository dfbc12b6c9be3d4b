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

/// Sums of one sample are kInt8SumsStride<Out> apart in `acc` (whole lines
/// of 16, the epilogue's vectors).
template <std::size_t Out>
inline constexpr std::size_t kInt8SumsStride = (Out + 15) / 16 * 16;

/// acc[s][o] = sum_{i < In} W[o][i] x[s][i] for o < Out and each of S
/// samples, exactly (see above). W rows are kW bytes apart, the samples'
/// rows in x kX bytes apart; W and x are read in whole vectors of int16 lanes'
/// worth of bytes up to In rounded up to a line, so both must be
/// zero-padded to whole 64-byte lines. A tile of rows x samples keeps its
/// sums in registers: each loaded weight vector feeds every sample of the
/// tile and each loaded input vector every row, so that widening int8 to
/// int16 (a cross-lane shuffle, one per cycle: the bottleneck of one sample
/// alone) is shared. One sample: eight rows a tile with 32 vector registers,
/// else four; several: two rows by four samples (two with 16 registers).
/// Larger tiles measured slower: GCC 12 keeps an array of more than eight
/// vector sums in memory, updated every chunk.
template <std::size_t Out, std::size_t In, std::size_t kW, std::size_t S = 1, std::size_t kX = kW>
HWY_INLINE void int8_dot_rows(const std::int8_t* HWY_RESTRICT w, const std::uint8_t* HWY_RESTRICT x,
                              std::int32_t* HWY_RESTRICT acc) {
  static_assert(In >= 1 && In <= kMaxInt8DotWidth, "fixnet: int8 sums of this width overflow int32");
  static_assert(kW % 64 == 0 && kW >= In && kX % 64 == 0 && kX >= kW,
                "fixnet: int8 rows are whole lines");
  constexpr std::size_t kStride = kInt8SumsStride<Out>;
#if HWY_TARGET == HWY_SCALAR
  // One lane: no pairs to widen into; the same exact sums.
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t o = 0; o < Out; ++o) {
      std::int32_t sum = 0;
      for (std::size_t i = 0; i < In; ++i)
        sum += std::int32_t{w[o * kW + i]} * std::int32_t{x[s * kX + i]};
      acc[s * kStride + o] = sum;
    }
#else
  const hn::CappedTag<std::int32_t, 16> d32;  // at most one line of sums
  const hn::Repartition<std::int16_t, decltype(d32)> d16;
  const hn::Rebind<std::int8_t, decltype(d16)> d8;
  const hn::Rebind<std::uint8_t, decltype(d16)> du8;
  using V32 = hn::Vec<decltype(d32)>;
  constexpr std::size_t kStep = kLanes<decltype(d16)>;
  constexpr std::size_t kChunks = (In + kStep - 1) / kStep;  // within the line padding
  constexpr bool kWide = kVectorRegisters >= 32;
  constexpr std::size_t kRows = S == 1 ? (kWide ? 8 : 4) : 2;
  constexpr std::size_t kSamples = S == 1 ? 1 : (kWide ? 4 : 2);
  for_each_tile<S, kSamples>([&](auto samples, std::size_t first_sample) {
    constexpr std::size_t kS = decltype(samples)::value;
    for_each_tile<Out, kRows>([&](auto rows, std::size_t first) {
      constexpr std::size_t kR = decltype(rows)::value;
      V32 sum0[kR][kS], sum1[kR][kS];
      for (std::size_t r = 0; r < kR; ++r)
        for (std::size_t s = 0; s < kS; ++s) sum0[r][s] = sum1[r][s] = hn::Zero(d32);
      for (std::size_t c = 0; c < kChunks; ++c) {
        if constexpr (kS == 1) {
          const auto xv = hn::PromoteTo(d16, hn::LoadU(du8, x + first_sample * kX + c * kStep));
          for (std::size_t r = 0; r < kR; ++r) {
            const auto wv = hn::PromoteTo(d16, hn::LoadU(d8, w + (first + r) * kW + c * kStep));
            sum0[r][0] = hn::ReorderWidenMulAccumulate(d32, wv, xv, sum0[r][0], sum1[r][0]);
          }
        } else {
          // The tile's weight vectors first: an array of the samples' input
          // vectors instead was kept in memory by GCC 12.
          hn::Vec<decltype(d16)> wv[kR];
          for (std::size_t r = 0; r < kR; ++r)
            wv[r] = hn::PromoteTo(d16, hn::LoadU(d8, w + (first + r) * kW + c * kStep));
          for (std::size_t s = 0; s < kS; ++s) {
            const auto xv =
                hn::PromoteTo(d16, hn::LoadU(du8, x + (first_sample + s) * kX + c * kStep));
            for (std::size_t r = 0; r < kR; ++r)
              sum0[r][s] = hn::ReorderWidenMulAccumulate(d32, wv[r], xv, sum0[r][s], sum1[r][s]);
          }
        }
      }
      for (std::size_t r = 0; r < kR; ++r)
        for (std::size_t s = 0; s < kS; ++s)
          acc[(first_sample + s) * kStride + first + r] =
              hn::GetLane(hn::SumOfLanes(d32, hn::Add(sum0[r][s], sum1[r][s])));
    });
  });
#endif
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
