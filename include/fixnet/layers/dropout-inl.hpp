// fixnet layers — the passes of inverted dropout (fixnet/layers/dropout.hpp):
// its hooks of the layer protocol (fixnet/passes/layer-inl.hpp), on the
// mask kernels of fixnet/kernels/dropout-inl.hpp. Inference passes skip the
// layer (identity_in_inference), so only training reaches these.

#if defined(FIXNET_LAYERS_DROPOUT_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_LAYERS_DROPOUT_INL_HPP_
#undef FIXNET_LAYERS_DROPOUT_INL_HPP_
#else
#define FIXNET_LAYERS_DROPOUT_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/dropout-inl.hpp"
#include "fixnet/layers/dropout.hpp"
#include "fixnet/passes/layer-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {

template <std::size_t Width, class Rate>
struct LayerKernel<Dropout<Width, Rate>> {
  using Layer = Dropout<Width, Rate>;

  /// a = x * mask / keep_probability, the masks of pass `ctx.key`.
  template <class Layout, class P, class T>
  static HWY_INLINE void forward(Layout layout, const P&, LayerBuffers<T> io, PassContext ctx) {
    mask<Layout::template stride<Width>>(layout, io.in, io.out, ctx.key);
  }

  /// The same masks on the gradient, in place (gradient_in_place): the
  /// gradient with respect to the input. Nothing to do when no layer
  /// before this one needs it.
  template <bool kFromLogits, bool kInputGradient, class Layout, class P, class T>
  static HWY_INLINE void backward(Layout layout, const P&, LayerBuffers<T>, T* g, T*, T, P&,
                                  PassContext ctx) {
    if constexpr (kInputGradient) mask<Layout::gradient_stride>(layout, g, g, ctx.key);
  }

 private:
  // Rows: samples kStride apart (activation rows padded(Width), gradient
  // rows the layout's gradient stride). `out` may alias `x`.
  template <std::size_t kStride, class T, std::size_t B, std::size_t G>
  static HWY_INLINE void mask(Rows<T, B, G>, const T* x, T* out, std::uint32_t key) {
    for (std::size_t b = 0; b < B; ++b) dropout_row<Layer>(x + b * kStride, out + b * kStride, key, b);
  }
  template <std::size_t kStride, class T, std::size_t B>
  static HWY_INLINE void mask(Lanes<T, B>, const T* x, T* out, std::uint32_t key) {
    dropout_lanes<Layer, Lanes<T, B>::kStride>(Lanes<T, B>::d, x, out, key);
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
