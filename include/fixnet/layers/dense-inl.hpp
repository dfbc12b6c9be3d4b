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
    return activation_forward_registers<Act, Out>(affine(p, x));
  }
  /// The same, keeping z (the loss and some derivatives need it) and a.
  template <class T, class P, class X>
  static HWY_INLINE RegisterPass<T, Out> forward_kept(Registers<T>, const P& p, const X& x) {
    const RegisterRow<T, Out> z = affine(p, x);
    return {z, activation_forward_registers<Act, Out>(z)};
  }
  /// Backpropagation of one sample in registers, in the batch path's order
  /// and roundings (dense_input_gradient, dense_accumulate_gradients): g is
  /// dL/da (dL/dz when kFromLogits); returns dL/dx when kInputGradient
  /// (computed before `grads`, which may be p itself, changes) and adds
  /// scale * dL/dW, dL/db to grads.
  template <bool kFromLogits, bool kInputGradient, class T, class P, class X>
  static HWY_INLINE auto backward(Registers<T>, const P& p, const X& x,
                                  const RegisterPass<T, Out>& kept, RegisterRow<T, Out> g, T scale,
                                  P& grads) {
    const RegisterTag<T, Out> dout;
    constexpr std::size_t kLO = kLanes<decltype(dout)>;
    if constexpr (!kFromLogits) {
      for (std::size_t v = 0; v < RegisterRow<T, Out>::count; ++v)
        g.v[v] = activation_backward_vector<Act, Out>(
            dout, Act::derivative_from_input ? kept.z.v[v] : kept.a.v[v], g.v[v], v * kLO);
    }
    HWY_ALIGN T delta[RegisterRow<T, Out>::count * kLO];  // broadcast from here, one by one
    for (std::size_t v = 0; v < RegisterRow<T, Out>::count; ++v)
      hn::Store(g.v[v], dout, delta + v * kLO);

    const RegisterTag<T, In> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    constexpr std::size_t kInVectors = kRowVectors<decltype(d), In>;
    RegisterRow<T, In> dx;
    if constexpr (kInputGradient) {  // dx = W^T delta, o by o
      for (std::size_t v = 0; v < kInVectors; ++v) dx.v[v] = hn::Zero(d);
      for (std::size_t o = 0; o < Out; ++o) {
        const auto delta_o = hn::Set(d, delta[o]);
        const T* HWY_RESTRICT w = p.weights() + o * P::row_stride;
        for (std::size_t v = 0; v < kInVectors; ++v)
          dx.v[v] = hn::MulAdd(delta_o, hn::Load(d, w + v * kL), dx.v[v]);
      }
    }
    const auto vscale = hn::Set(d, scale);
    for (std::size_t o = 0; o < Out; ++o) {  // W[o] += scale (delta[o] x), padding kept zero
      const auto delta_o = hn::Set(d, delta[o]);
      T* HWY_RESTRICT w = grads.weights() + o * P::row_stride;
      const auto update = [&](std::size_t v, hn::Vec<decltype(d)> xv) {
        const auto product = hn::MulAdd(delta_o, xv, hn::Zero(d));
        const auto updated = hn::MulAdd(vscale, product, hn::Load(d, w + v * kL));
        hn::Store(keep_in_row<In>(d, updated, v * kL), d, w + v * kL);
      };
      for_each_row_vector(x, [&](hn::Vec<decltype(d)> xv) { update(0, xv); }, update);
    }
    if constexpr (P::has_bias) {
      const auto vscale_out = hn::Set(dout, scale);
      for (std::size_t v = 0; v < RegisterRow<T, Out>::count; ++v) {
        T* HWY_RESTRICT b = grads.biases() + v * kLO;
        const auto summed = hn::Add(hn::Zero(dout), g.v[v]);  // the batch path's sum over one sample
        hn::Store(hn::MulAdd(vscale_out, summed, hn::Load(dout, b)), dout, b);
      }
    }
    if constexpr (kInputGradient) {
      return dx;
    } else {
      return NoGradient{};
    }
  }
#endif
  /// Whether the registers hooks apply: the output fits the registers (the
  /// input is the previous layer's output, or the caller's row) and the
  /// activation runs there; to train there, an elementwise activation (or
  /// the last layer's, whose gradient the loss gives).
  template <class T>
  static constexpr bool fits_registers =
      Out <= Registers<T>::max_width && has_registers_kernel<Act, T, Out>;
  template <class T, bool kLast>
  static constexpr bool trains_in_registers = fits_registers<T> && (kLast || Act::elementwise);

 private:
#if HWY_TARGET != HWY_SCALAR
  /// z = W x + b for one sample in registers.
  template <class P, class X>
  static HWY_INLINE auto affine(const P& p, const X& x) {
    auto z = dot_rows_in_registers<Out, P::row_stride>(p.weights(), x);
    if constexpr (P::has_bias) {
      const typename decltype(z)::tag d;
      for (std::size_t v = 0; v < decltype(z)::count; ++v)  // biases: zero past Out
        z.v[v] = hn::Add(z.v[v], hn::Load(d, p.biases() + v * kLanes<decltype(d)>));
    }
    return z;
  }
#endif
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
