// fixnet layers — the passes of the dense layer (fixnet/layers/dense.hpp):
// its hooks of the layer protocol (fixnet/passes/layer-inl.hpp) for each
// data layout, on the kernels of fixnet/kernels/dense-inl.hpp (rows),
// dense_lanes-inl.hpp (lanes) and matmul-inl.hpp (registers).

#if defined(FIXNET_LAYERS_DENSE_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_LAYERS_DENSE_INL_HPP_
#undef FIXNET_LAYERS_DENSE_INL_HPP_
#else
#define FIXNET_LAYERS_DENSE_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/dense-inl.hpp"
#include "fixnet/kernels/dense_lanes-inl.hpp"
#include "fixnet/kernels/matmul-inl.hpp"
#include "fixnet/layers/dense.hpp"
#include "fixnet/passes/layer-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <std::size_t In, std::size_t Out, class Act, class Bias>
struct LayerKernel<Dense<In, Out, Act, Bias>> {
  /// z = W x + b into io.kept, then a = Act(z) into io.out (the same buffer
  /// unless z is kept: as logits, or for an activation whose derivative
  /// needs z).
  template <class Layout, class P, class T>
  static HWY_INLINE void forward(Layout layout, const P& p, LayerBuffers<T> io, PassContext) {
    affine(layout, p, io.in, io.kept);
    Layout::template activate<Act, Out>(io.kept, io.out);
  }

  /// g: dL/da, or dL/dz already when kFromLogits (the loss fused it with
  /// the output activation). Turns g into dL/dz in place, writes
  /// dx = W^T dL/dz when kInputGradient, then adds scale * dL/dW, dL/db to
  /// grads. The input gradient comes first: it reads W, and `grads` may be
  /// the parameters themselves (gradient descent without a gradient buffer).
  template <bool kFromLogits, bool kInputGradient, class Layout, class P, class T>
  static HWY_INLINE void backward(Layout layout, const P& p, LayerBuffers<T> io, T* g, T* dx,
                                  T scale, P& grads, PassContext) {
    if constexpr (!kFromLogits)
      Layout::template activate_backward<Act, Out>(Act::derivative_from_input ? io.kept : io.out, g);
    if constexpr (kInputGradient) input_gradient(layout, p, g, dx);
    accumulate(layout, io.in, g, scale, grads);
  }

#if HWY_TARGET != HWY_SCALAR
  /// One sample in registers: x is a RegisterRow<T, In>, or the caller's
  /// input row (an UnpaddedRow) for the first layer; the result stays in
  /// registers for the next layer. W's rows are padded with zeros to whole
  /// lines, so the vectors that cover In are in bounds.
  template <class T, class P, class X>
  static HWY_INLINE RegisterRow<T, Out> forward(Registers<T>, const P& p, const X& x) {
    RegisterRow<T, Out> z = dot_rows_in_registers<Out, P::row_stride>(p.weights(), x);
    if constexpr (P::has_bias) {
      const RegisterTag<T, Out> d;
      for (std::size_t v = 0; v < RegisterRow<T, Out>::count; ++v)  // biases: zero past Out
        z.v[v] = hn::Add(z.v[v], hn::Load(d, p.biases() + v * kLanes<decltype(d)>));
    }
    return activation_forward_registers<Act, Out>(z);
  }
#endif
  /// Whether the registers hook applies: the output fits the registers (the
  /// input is the previous layer's output, or the caller's row).
  template <class T>
  static constexpr bool fits_registers = Out <= Registers<T>::max_width;

 private:
  template <class T, std::size_t B, std::size_t G, class P>
  static HWY_INLINE void affine(Rows<T, B, G>, const P& p, const T* x, T* z) {
    dense_affine<B>(p, x, z);
  }
  template <class T, std::size_t B, class P>
  static HWY_INLINE void affine(Lanes<T, B>, const P& p, const T* x, T* z) {
    dense_affine_lanes<Lanes<T, B>::kStride>(Lanes<T, B>::d, p, x, z);
  }
  template <class T, std::size_t B, std::size_t G, class P>
  static HWY_INLINE void input_gradient(Rows<T, B, G>, const P& p, const T* g, T* dx) {
    dense_input_gradient<B, G, G>(p, g, dx);
  }
  template <class T, std::size_t B, class P>
  static HWY_INLINE void input_gradient(Lanes<T, B>, const P& p, const T* g, T* dx) {
    dense_input_gradient_lanes<Lanes<T, B>::kStride>(Lanes<T, B>::d, p, g, dx);
  }
  template <class T, std::size_t B, std::size_t G, class P>
  static HWY_INLINE void accumulate(Rows<T, B, G>, const T* x, const T* g, T scale, P& grads) {
    dense_accumulate_gradients<B, G>(x, g, scale, grads);
  }
  template <class T, std::size_t B, class P>
  static HWY_INLINE void accumulate(Lanes<T, B>, const T* x, const T* g, T scale, P& grads) {
    dense_accumulate_gradients_lanes<Lanes<T, B>::kStride>(Lanes<T, B>::d, x, g, scale, grads);
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
