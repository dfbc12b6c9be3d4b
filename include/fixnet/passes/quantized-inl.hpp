// fixnet passes — one sample through a quantized network
// (fixnet::Quantized<Net>, fixnet/quantized.hpp) on one Highway target:
// input codes, then per layer the int8 sums (fixnet/kernels/int8_dot-inl.hpp)
// and the epilogue (fixnet/kernels/requantize-inl.hpp); the last layer's
// activation in float (the float network's row kernel).
//
// Codes live in two line-padded byte rows on the stack (a few hundred bytes
// to 2 KiB), written alternately layer by layer; bytes past a layer's width
// are zero.

#if defined(FIXNET_PASSES_QUANTIZED_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_PASSES_QUANTIZED_INL_HPP_
#undef FIXNET_PASSES_QUANTIZED_INL_HPP_
#else
#define FIXNET_PASSES_QUANTIZED_INL_HPP_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fixnet/core/layer.hpp"
#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/int8_dot-inl.hpp"
#include "fixnet/kernels/requantize-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {

/// Layer L on the codes in x (L::row_bytes, zero past L::inputs): a hidden
/// layer writes its output codes to y (zero past L::outputs up to
/// `kNextRowBytes`), the last one its outputs (L::outputs floats) to out.
template <class L, std::size_t kNextRowBytes>
HWY_INLINE void quantized_layer_forward(const L& layer, const std::uint8_t* HWY_RESTRICT x,
                                        std::uint8_t* HWY_RESTRICT y, float* HWY_RESTRICT out) {
  constexpr std::size_t kOut = L::outputs, kPadded = L::padded_outputs;
  alignas(64) std::int32_t acc[kPadded];
  int8_dot_rows<kOut, L::inputs, L::row_bytes>(layer.weight_rows(), x, acc);
  for (std::size_t o = kOut; o < kPadded; ++o) acc[o] = 0;
  const auto bounds = layer.code_bounds();
  if constexpr (!L::hidden) {
    alignas(64) float z[kPadded];
    dequantize_sums<kPadded>(acc, layer.folded_biases(), layer.multipliers(), z);
    activation_forward_row<typename L::activation, kOut>(z, z);
    std::memcpy(out, z, kOut * sizeof(float));
  } else {
    if constexpr (L::uses_table) {
      alignas(64) std::int32_t index[kPadded];
      requantize_indices<kPadded>(acc, layer.folded_biases(), layer.multipliers(), bounds.lo, bounds.hi,
                                  bounds.offset, index);
      const std::uint8_t* table = layer.table();
      for (std::size_t o = 0; o < kOut; ++o) y[o] = table[index[o]];
    } else {
      requantize_codes<typename L::activation, kPadded>(acc, layer.folded_biases(), layer.multipliers(),
                                                         bounds.lo, bounds.hi, bounds.offset, y);
    }
    std::memset(y + kOut, 0, kNextRowBytes - kOut);
  }
}

/// The layers of q after the input codes in `first` (Q::first_row_bytes,
/// zero past the inputs): its outputs to y (Q::outputs floats).
template <class Q>
HWY_INLINE void quantized_layers_forward(const Q& q, std::uint8_t* first, float* y) {
  alignas(64) std::uint8_t second[Q::max_row_bytes];
  std::uint8_t* rows[2] = {first, second};
  detail::for_each_index<Q::layer_count>([&](auto i) {
    constexpr std::size_t kI = decltype(i)::value;
    using L = typename Q::template layer_type<kI>;
    constexpr std::size_t kNext = [] {
      if constexpr (kI + 1 < Q::layer_count) return Q::template layer_type<kI + 1>::row_bytes;
      return std::size_t{0};
    }();
    quantized_layer_forward<L, kNext>(q.template layer<kI>(), rows[kI % 2], rows[(kI + 1) % 2], y);
  });
}

/// One sample of floats (Q::inputs, unaligned) through q.
template <class Q>
HWY_INLINE void quantized_forward(const Q& q, const float* x, float* y) {
  using First = typename Q::template layer_type<0>;
  alignas(64) std::uint8_t codes[Q::max_row_bytes];
  quantize_inputs<First::inputs>(x, q.template layer<0>().input(), codes);
  std::memset(codes + First::inputs, 0, First::row_bytes - First::inputs);
  quantized_layers_forward(q, codes, y);
}

/// One sample of input codes (Q::inputs bytes, unaligned) through q.
template <class Q>
HWY_INLINE void quantized_forward(const Q& q, const std::uint8_t* x, float* y) {
  using First = typename Q::template layer_type<0>;
  alignas(64) std::uint8_t codes[Q::max_row_bytes];
  std::memcpy(codes, x, First::inputs);
  std::memset(codes + First::inputs, 0, First::row_bytes - First::inputs);
  quantized_layers_forward(q, codes, y);
}

}  // namespace fixnet::HWY_NAMESPACE

#if HWY_TARGET == HWY_STATIC_TARGET
namespace fixnet::detail {

/// The static target's quantized pass, named through a dependent type (as
/// StaticKernels, fixnet/core/static_kernels.hpp) so that Quantized<Net>
/// only needs it where forward is instantiated.
template <class Dependent>
struct StaticQuantizedKernels {
  template <class Q, class In>
  static void forward(const Q& q, const In* x, float* y) noexcept {
    fixnet::HWY_NAMESPACE::quantized_forward(q, x, y);
  }
};

}  // namespace fixnet::detail
#endif  // HWY_TARGET == HWY_STATIC_TARGET

HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
