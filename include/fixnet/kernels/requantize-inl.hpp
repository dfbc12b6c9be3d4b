// fixnet kernels — the ends of a quantized layer: float inputs to uint8
// codes, and a layer's int32 sums to its outputs (uint8 codes, table
// indices, or float pre-activations of the last layer).
//
// Every step is one IEEE operation in a fixed order (int32 to float, a
// multiply, min/max, the magic-number rounding of
// fixnet/core/quantization.hpp), so each target gives the scalar
// reference (QuantizedDense::reference_forward, Quantization::code) bit for
// bit. Per-output arrays (sums, biases, multipliers) are aligned and padded
// to 16 values.

#if defined(FIXNET_KERNELS_REQUANTIZE_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_REQUANTIZE_INL_HPP_
#undef FIXNET_KERNELS_REQUANTIZE_INL_HPP_
#else
#define FIXNET_KERNELS_REQUANTIZE_INL_HPP_
#endif

#include <bit>
#include <cstddef>
#include <cstdint>

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "fixnet/core/quantization.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Vectors of the epilogue: at most 16 floats, so that padding to 16 covers
/// every target.
using QuantizedTag = hn::CappedTag<float, 16>;

/// round(v) clamped to [lo, hi] (detail::round_clamped), as int32 lanes.
template <class D, class V>
HWY_INLINE auto round_clamped(D df, V v, float lo, float hi) {
  const hn::RebindToSigned<D> di;
  v = hn::Min(hn::Max(v, hn::Set(df, lo)), hn::Set(df, hi));
  const auto sum = hn::BitCast(di, hn::Add(v, hn::Set(df, detail::rounding_magic)));
  return hn::Sub(sum, hn::Set(di, std::bit_cast<std::int32_t>(detail::rounding_magic)));
}

/// code[i] = Quantization::code(x[i]) for i < N, written in whole vectors
/// (up to N rounded up to the lanes); x holds exactly N floats, unaligned.
template <std::size_t N>
HWY_INLINE void quantize_inputs(const float* HWY_RESTRICT x, Quantization q,
                                std::uint8_t* HWY_RESTRICT code) {
  const QuantizedTag df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<std::uint8_t, decltype(di)> du8;
  constexpr std::size_t kL = kLanes<decltype(df)>;
  const auto inverse = hn::Set(df, 1.0f / q.scale);
  const auto lo = static_cast<float>(-q.zero_point), hi = static_cast<float>(255 - q.zero_point);
  const auto offset = hn::Set(di, q.zero_point);
  const auto one = [&](std::size_t i, auto v) {
    const auto c = hn::Add(round_clamped(df, hn::Mul(v, inverse), lo, hi), offset);
    hn::StoreU(hn::DemoteTo(du8, c), du8, code + i);
  };
  std::size_t i = 0;
  for (; i + kL <= N; i += kL) one(i, hn::LoadU(df, x + i));
  if constexpr (N % kL != 0) {
    // The last partial vector from a copy: nothing read past x's N values.
    alignas(64) float rest[kL] = {};
    for (std::size_t k = 0; k < N % kL; ++k) rest[k] = x[i + k];
    one(i, hn::Load(df, rest));
  }
}

/// v = float(acc[o] + bias[o]) * multiplier[o] for o < N (N a multiple of
/// 16), one vector at a time, to f(o, v).
template <std::size_t N, class F>
HWY_INLINE void for_each_scaled_sum(const std::int32_t* HWY_RESTRICT acc,
                                    const std::int32_t* HWY_RESTRICT bias,
                                    const float* HWY_RESTRICT multiplier, F&& f) {
  static_assert(N % 16 == 0, "fixnet: per-output arrays are padded to 16");
  const QuantizedTag df;
  const hn::RebindToSigned<decltype(df)> di;
  for (std::size_t o = 0; o < N; o += kLanes<decltype(df)>) {
    const auto sum = hn::ConvertTo(df, hn::Add(hn::Load(di, acc + o), hn::Load(di, bias + o)));
    f(o, hn::Mul(sum, hn::Load(df, multiplier + o)));
  }
}

/// A hidden layer's output codes: code[o] = round(Act(v)) clamped to
/// [lo, hi], plus offset (Act positively homogeneous, see
/// fixnet/quantized/dense.hpp); N codes written (the padding's too).
template <class Act, std::size_t N>
HWY_INLINE void requantize_codes(const std::int32_t* acc, const std::int32_t* bias,
                                 const float* multiplier, std::int32_t lo, std::int32_t hi,
                                 std::int32_t offset, std::uint8_t* HWY_RESTRICT code) {
  const QuantizedTag df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<std::uint8_t, decltype(di)> du8;
  for_each_scaled_sum<N>(acc, bias, multiplier, [&](std::size_t o, auto v) {
    const auto c = round_clamped(df, ActivationKernel<Act>::value(df, v), static_cast<float>(lo),
                                 static_cast<float>(hi));
    hn::StoreU(hn::DemoteTo(du8, hn::Add(c, hn::Set(di, offset))), du8, code + o);
  });
}

/// A table's indices: index[o] = round(v) clamped to [lo, hi], plus offset.
template <std::size_t N>
HWY_INLINE void requantize_indices(const std::int32_t* acc, const std::int32_t* bias,
                                   const float* multiplier, std::int32_t lo, std::int32_t hi,
                                   std::int32_t offset, std::int32_t* HWY_RESTRICT index) {
  const QuantizedTag df;
  const hn::RebindToSigned<decltype(df)> di;
  for_each_scaled_sum<N>(acc, bias, multiplier, [&](std::size_t o, auto v) {
    const auto c = round_clamped(df, v, static_cast<float>(lo), static_cast<float>(hi));
    hn::Store(hn::Add(c, hn::Set(di, offset)), di, index + o);
  });
}

/// The last layer's pre-activations: z[o] = v.
template <std::size_t N>
HWY_INLINE void dequantize_sums(const std::int32_t* acc, const std::int32_t* bias,
                                const float* multiplier, float* HWY_RESTRICT z) {
  const QuantizedTag df;
  for_each_scaled_sum<N>(acc, bias, multiplier,
                         [&](std::size_t o, auto v) { hn::Store(v, df, z + o); });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
