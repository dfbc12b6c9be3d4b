// fixnet passes — samples through a quantized network
// (fixnet::Quantized<Net>, fixnet/quantized.hpp) on one Highway target:
// input codes, then per layer the int8 sums (fixnet/kernels/int8_dot-inl.hpp)
// and the epilogue (fixnet/kernels/requantize-inl.hpp); the last layer's
// activation in float (the float network's row kernel).
//
// One sample, or a group of S that share each loaded weight vector. Codes
// live in two sets of S line-padded byte rows (Q::max_row_bytes each) on the
// stack, written alternately layer by layer; bytes past a layer's width are
// zero.

#if defined(FIXNET_PASSES_QUANTIZED_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_PASSES_QUANTIZED_INL_HPP_
#undef FIXNET_PASSES_QUANTIZED_INL_HPP_
#else
#define FIXNET_PASSES_QUANTIZED_INL_HPP_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "fixnet/core/layer.hpp"
#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/int8_dot-inl.hpp"
#include "fixnet/kernels/requantize-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {

/// Layer L on S samples' codes in x (rows kX bytes apart, zero past
/// L::inputs): a hidden layer writes each sample's output codes to y (rows
/// kX apart, zero past L::outputs up to kNextRowBytes), the last one each
/// sample's outputs (L::outputs floats) to ys[s].
template <class L, std::size_t S, std::size_t kX, std::size_t kNextRowBytes>
HWY_INLINE void quantized_layer_forward(const L& layer, const std::uint8_t* HWY_RESTRICT x,
                                        std::uint8_t* HWY_RESTRICT y, float* const* ys) {
  constexpr std::size_t kOut = L::outputs, kPadded = L::padded_outputs;
  static_assert(kPadded == kInt8SumsStride<kOut>);
  alignas(64) std::int32_t acc[S * kPadded];
  int8_dot_rows<kOut, L::inputs, L::row_bytes, S, kX>(layer.weight_rows(), x, acc);
  const auto bounds = layer.code_bounds();
  for (std::size_t s = 0; s < S; ++s) {
    std::int32_t* sums = acc + s * kPadded;
    for (std::size_t o = kOut; o < kPadded; ++o) sums[o] = 0;
    if constexpr (!L::hidden) {
      alignas(64) float z[kPadded];
      dequantize_sums<kPadded>(sums, layer.folded_biases(), layer.multipliers(), z);
      activation_forward_row<typename L::activation, kOut>(z, z);
      std::memcpy(ys[s], z, kOut * sizeof(float));
    } else {
      std::uint8_t* codes = y + s * kX;
      if constexpr (L::uses_table) {
        alignas(64) std::int32_t index[kPadded];
        requantize_indices<kPadded>(sums, layer.folded_biases(), layer.multipliers(), bounds.lo,
                                    bounds.hi, bounds.offset, index);
        const std::uint8_t* table = layer.table();
        for (std::size_t o = 0; o < kOut; ++o) codes[o] = table[index[o]];
      } else {
        requantize_codes<typename L::activation, kPadded>(sums, layer.folded_biases(),
                                                          layer.multipliers(), bounds.lo, bounds.hi,
                                                          bounds.offset, codes);
      }
      std::memset(codes + kOut, 0, kNextRowBytes - kOut);
    }
  }
}

/// The layers of q after the S samples' input codes in `first` (rows
/// Q::max_row_bytes apart, zero past the inputs): their outputs to ys[s]
/// (Q::outputs floats each).
template <class Q, std::size_t S>
HWY_INLINE void quantized_layers_forward(const Q& q, std::uint8_t* first, float* const* ys) {
  constexpr std::size_t kX = Q::max_row_bytes;
  alignas(64) std::uint8_t second[S * kX];
  std::uint8_t* rows[2] = {first, second};
  detail::for_each_index<Q::layer_count>([&](auto i) {
    constexpr std::size_t kI = decltype(i)::value;
    using L = typename Q::template layer_type<kI>;
    constexpr std::size_t kNext = [] {
      if constexpr (kI + 1 < Q::layer_count) return Q::template layer_type<kI + 1>::row_bytes;
      return std::size_t{0};
    }();
    quantized_layer_forward<L, S, kX, kNext>(q.template layer<kI>(), rows[kI % 2],
                                             rows[(kI + 1) % 2], ys);
  });
}

/// S samples through q: xs[s] holds Q::inputs floats (quantized on the way
/// in) or input codes (In = std::uint8_t), unaligned; their outputs go to
/// ys[s].
template <class Q, std::size_t S, class In>
HWY_INLINE void quantized_forward_group(const Q& q, const In* const* xs, float* const* ys) {
  using First = typename Q::template layer_type<0>;
  constexpr std::size_t kX = Q::max_row_bytes;
  alignas(64) std::uint8_t codes[S * kX];
  for (std::size_t s = 0; s < S; ++s) {
    if constexpr (std::is_same_v<In, float>)
      quantize_inputs<First::inputs>(xs[s], q.template layer<0>().input(), codes + s * kX);
    else
      std::memcpy(codes + s * kX, xs[s], First::inputs);
    std::memset(codes + s * kX + First::inputs, 0, First::row_bytes - First::inputs);
  }
  quantized_layers_forward<Q, S>(q, codes, ys);
}

/// One sample (floats or codes) through q.
template <class Q, class In>
HWY_INLINE void quantized_forward(const Q& q, const In* x, float* y) {
  quantized_forward_group<Q, 1>(q, &x, &y);
}

}  // namespace fixnet::HWY_NAMESPACE

#if HWY_TARGET == HWY_STATIC_TARGET
namespace fixnet::detail {

/// The static target's quantized passes, named through a dependent type (as
/// StaticKernels, fixnet/core/static_kernels.hpp) so that Quantized<Net>
/// only needs them where forward is instantiated.
template <class Dependent>
struct StaticQuantizedKernels {
  /// Samples that a batch pass takes at a time.
  static constexpr std::size_t group = fixnet::HWY_NAMESPACE::kVectorRegisters >= 32 ? 4 : 2;

  template <class Q, class In>
  static void forward(const Q& q, const In* x, float* y) noexcept {
    fixnet::HWY_NAMESPACE::quantized_forward(q, x, y);
  }
  template <class Q, class In>
  static void forward_group(const Q& q, const In* const* xs, float* const* ys) noexcept {
    fixnet::HWY_NAMESPACE::quantized_forward_group<Q, group>(q, xs, ys);
  }
};

}  // namespace fixnet::detail
#endif  // HWY_TARGET == HWY_STATIC_TARGET

HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
