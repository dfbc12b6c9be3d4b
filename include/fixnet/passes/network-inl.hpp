// fixnet passes — the network walk: forward through every layer, the loss,
// and backpropagation into a gradient set, written once for every data
// layout (fixnet/passes/layer-inl.hpp: samples in rows, in lanes, one sample
// in registers). Layers are visited with compile-time indices, so each
// layer's hooks are instantiated for its own widths and every trip count is
// a constant. The walk never names a kind of layer: it reads the flags of
// the layer protocol (fixnet/core/layer.hpp) and calls `LayerKernel<L>`.

#if defined(FIXNET_PASSES_NETWORK_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_PASSES_NETWORK_INL_HPP_
#undef FIXNET_PASSES_NETWORK_INL_HPP_
#else
#define FIXNET_PASSES_NETWORK_INL_HPP_
#endif

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <boost/hana/fold_left.hpp>
#include <boost/hana/range.hpp>

#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "fixnet/passes/layer-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// The layout of workspace W: samples in lanes or in rows (its `lanes`).
template <class W>
using LayoutOf = std::conditional_t<W::lanes, Lanes<typename W::scalar_type, W::batch_size>,
                                    Rows<typename W::scalar_type, W::batch_size,
                                         padded<typename W::scalar_type>(W::max_width)>>;

/// The walk itself: folds Net's layers, first to last, over `x` (a handle on
/// the current activations: a buffer for rows and lanes, a vector in
/// registers), calling step(index, x) for each layer the pass runs and
/// returning the last handle. Outside training, layers that are the identity
/// in inference are skipped: the next layer reads their input.
template <class Net, bool Training, class X, class Step>
HWY_INLINE auto walk_layers(X x, Step&& step) {
  namespace hana = boost::hana;
  // The handle's type may change from layer to layer (a row in registers
  // has its layer's width).
  return hana::fold_left(hana::make_range(hana::size_c<0>, hana::size_c<Net::layer_count>), x,
                         [&](auto in, auto i) {
                           using L = typename Net::template layer_type<decltype(i)::value>;
                           if constexpr (!Training && L::identity_in_inference) {
                             return in;
                           } else {
                             return step(i, in);
                           }
                         });
}

/// Layer I's input buffer in a training pass (where every layer writes its
/// outputs): the inputs for layer 0, else layer I - 1's outputs.
template <std::size_t I, class W>
HWY_INLINE auto* training_input(W& ws) {
  if constexpr (I == 0) {
    return ws.input.data.data();
  } else {
    return ws.template output<I - 1>().data.data();
  }
}

/// Where layer I puts what it keeps: the logits for the last layer when the
/// loss needs them, the workspace's buffer for a layer that keeps its
/// pre-activations, else its output buffer (computed in place).
template <class Net, std::size_t I, bool KeepLogits, class W>
HWY_INLINE auto* kept_buffer(W& ws) {
  if constexpr (I + 1 == Net::layer_count && KeepLogits) {
    return ws.logits.data.data();
  } else if constexpr (pre_activation_width_v<typename Net::template layer_type<I>> > 0) {
    return ws.template pre_activation<I>().data.data();
  } else {
    return ws.template output<I>().data.data();
  }
}

/// Runs the batch in `ws.input` through every layer of Net, in layout
/// LayoutOf<W>. With KeepLogits the last layer's pre-activation stays in
/// `ws.logits` (for the loss). In Training, stochastic layers draw from
/// `ctx.key`; otherwise layers that are the identity in inference are skipped.
template <class Net, bool KeepLogits, bool Training, class W>
HWY_INLINE void buffers_forward(const typename Net::parameters_type& p, W& ws, PassContext ctx) {
  using T = typename Net::scalar_type;
  using Layout = LayoutOf<W>;
  Layout::template prepare<Net::inputs>(ws.input.data.data());
  walk_layers<Net, Training>(static_cast<const T*>(ws.input.data.data()), [&](auto i, const T* x) {
    constexpr std::size_t I = decltype(i)::value;
    const LayerBuffers<T> io{x, kept_buffer<Net, I, KeepLogits>(ws), ws.template output<I>().data.data()};
    LayerKernel<typename Net::template layer_type<I>>::forward(Layout{}, p.template layer_parameters<I>(), io, ctx);
    return io.out;
  });
}

/// Whether Net's one-sample forward pass runs in registers: float, a target
/// with 128-bit vectors, and every layer the pass runs has a registers hook
/// that fits its widths (every output at most Registers<float>::max_width).
template <class Net>
inline constexpr bool kSmallNetwork = [] {
  if constexpr (!std::is_same_v<typename Net::scalar_type, float> || HWY_TARGET == HWY_SCALAR) {
    return false;
  } else {
    bool small = true;
    detail::for_each_index<Net::layer_count>([&](auto i) {
      using L = typename Net::template layer_type<decltype(i)::value>;
      if constexpr (!L::identity_in_inference) {
        if constexpr (requires { LayerKernel<L>::template fits_registers<float>; }) {
          small = small && LayerKernel<L>::template fits_registers<float>;
        } else {
          small = false;
        }
      }
    });
    return small;
  }
}();

#if HWY_TARGET != HWY_SCALAR
/// Net(x) for one sample (x: Net::inputs values, unpadded) as a row in
/// registers: the walk with the layers' registers hooks, no workspace, no
/// store and reload between layers (each would cost a store-to-load
/// forwarding delay on the dependent chain that a real-time loop pays).
/// Only for kSmallNetwork<Net>.
template <class Net, class T>
HWY_INLINE RegisterRow<T, Net::outputs> registers_forward(const typename Net::parameters_type& p,
                                                          const T* HWY_RESTRICT x) {
  static_assert(kSmallNetwork<Net>);
  return walk_layers<Net, false>(UnpaddedRow<T, Net::inputs>{x}, [&](auto i, const auto& in) {
    constexpr std::size_t I = decltype(i)::value;
    return LayerKernel<typename Net::template layer_type<I>>::forward(Registers<T>{},
                                                                      p.template layer_parameters<I>(), in);
  });
}

/// y[0..outputs) = Net(x) for one sample, in registers.
template <class Net, class T>
HWY_INLINE void small_network_forward(const typename Net::parameters_type& p,
                                      const T* HWY_RESTRICT x, T* HWY_RESTRICT y) {
  store_unpadded(registers_forward<Net>(p, x), y);
}
#else
// Never called: kSmallNetwork is false without 128-bit vectors.
template <class Net, class T>
void small_network_forward(const typename Net::parameters_type& p, const T* x, T* y);
#endif

/// Runs the batch in `ws.input` through every layer of Net. With KeepLogits
/// the last layer's pre-activation is kept in `ws.logits` (for the loss).
template <class Net, bool KeepLogits, class W>
void network_forward(const typename Net::parameters_type& p, W& ws) {
  if constexpr (W::batch_size == 1 && !KeepLogits && kSmallNetwork<Net>) {
    // The whole padded output row is written, zero past the outputs, as the
    // buffered walk leaves it.
    store_padded(registers_forward<Net>(p, ws.input.row(0)),
                 ws.template output<Net::layer_count - 1>().row(0));
  } else {
    buffers_forward<Net, KeepLogits, false>(p, ws, PassContext{});
  }
}

/// Whether Net trains on one sample in registers: a target with vectors,
/// float, no stochastic layer, and every layer has registers hooks that fit
/// (kSmallNetwork) and train there.
template <class Net>
inline constexpr bool kTrainsInRegisters = [] {
  if constexpr (!kSmallNetwork<Net> || detail::has_stochastic_layer<Net>) {
    return false;
  } else {
    bool trains = true;
    detail::for_each_index<Net::layer_count>([&](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      using K = LayerKernel<typename Net::template layer_type<I>>;
      if constexpr (requires { K::template trains_in_registers<float, true>; }) {
        trains = trains && K::template trains_in_registers<float, I + 1 == Net::layer_count>;
      } else {
        trains = false;
      }
    });
    return trains;
  }
}();

#if HWY_TARGET != HWY_SCALAR
/// Layers I onwards of one sample in registers: layer I's forward pass from
/// x, the next layers' (down to the loss, whose value goes to `loss`), then
/// layer I's backward pass; returns dL/dx when layer I needs it. The outputs,
/// logits and dL/dz of the last layer are left in ws, as the buffered pass
/// leaves them. Only for kTrainsInRegisters<Net>.
template <class L, class Net, std::size_t I, class W, class X, class T = typename Net::scalar_type>
HWY_INLINE auto registers_train(const typename Net::parameters_type& p, W& ws, const X& x,
                                typename Net::parameters_type& grads, T scale, T& loss) {
  using K = LayerKernel<typename Net::template layer_type<I>>;
  constexpr bool kLast = I + 1 == Net::layer_count;
  const auto kept = K::forward_kept(Registers<T>{}, p.template layer_parameters<I>(), x);
  const auto g = [&] {
    if constexpr (kLast) {
      T* a = ws.template output<I>().row(0);
      store_padded(kept.z, ws.logits.row(0));
      store_padded(kept.a, a);
      loss = LayoutOf<W>::template loss<L, typename Net::output_activation, Net::outputs, true>(
          ws.logits.row(0), a, ws.target.row(0), ws.gradient[0].row(0));
      return load_padded<T, Net::outputs>(ws.gradient[0].row(0));
    } else {
      return registers_train<L, Net, I + 1>(p, ws, kept.a, grads, scale, loss);
    }
  }();
  return K::template backward<kLast, detail::needs_input_gradient<Net, I>>(
      Registers<T>{}, p.template layer_parameters<I>(), x, kept, g, scale, grads.template layer_parameters<I>());
}
#endif

/// Forward, then the loss against `ws.target`, then backpropagation: adds
/// `scale` times the gradient of the summed loss to `grads` and returns the
/// summed loss. `grads` may be `p` itself (with scale = -learning rate: plain
/// gradient descent without a gradient buffer): each layer's input gradient
/// is computed before its parameters change, and the forward pass is over.
///
/// Gradient buffers: the loss writes dL/dz of the last layer into
/// gradient[0]; gradient[gradient_buffer<I>] holds the gradient with respect
/// to layer I's output; a layer writes the gradient with respect to its
/// input into the other buffer, or into the same one if it works in place.
template <class L, class Net, class W>
typename Net::scalar_type network_backward(const typename Net::parameters_type& p, W& ws,
                                           typename Net::parameters_type& grads,
                                           typename Net::scalar_type scale = 1) {
  using T = typename Net::scalar_type;
  using Layout = LayoutOf<W>;
  constexpr std::size_t kLast = Net::layer_count - 1;
  const PassContext ctx{pass_key(ws.dropout_seed, ws.dropout_step++)};
#if HWY_TARGET != HWY_SCALAR
  if constexpr (W::batch_size == 1 && kTrainsInRegisters<Net>) {
    T loss = 0;
    registers_train<L, Net, 0>(p, ws, UnpaddedRow<T, Net::inputs>{ws.input.row(0)}, grads, scale, loss);
    return loss;
  }
#endif
  buffers_forward<Net, true, true>(p, ws, ctx);
  Layout::template prepare<Net::outputs>(ws.target.data.data());
  const T loss = Layout::template loss<L, typename Net::output_activation, Net::outputs, true>(
      ws.logits.data.data(), ws.template output<kLast>().data.data(), ws.target.data.data(),
      ws.gradient[0].data.data());
  detail::for_each_index<Net::layer_count>([&](auto step) {
    constexpr std::size_t I = kLast - decltype(step)::value;
    constexpr std::size_t kBuffer = detail::gradient_buffer<Net, I>;
    const LayerBuffers<T> io{training_input<I>(ws), kept_buffer<Net, I, true>(ws),
                             ws.template output<I>().data.data()};
    LayerKernel<typename Net::template layer_type<I>>::template backward<
        I == kLast, detail::needs_input_gradient<Net, I>>(
        Layout{}, p.template layer_parameters<I>(), io, ws.gradient[kBuffer].data.data(),
        ws.gradient[1 - kBuffer].data.data(), scale, grads.template layer_parameters<I>(), ctx);
  });
  return loss;
}

/// Forward, then the summed loss against `ws.target`.
template <class L, class Net, class W>
typename Net::scalar_type network_loss(const typename Net::parameters_type& p, W& ws) {
  using Layout = LayoutOf<W>;
  buffers_forward<Net, true, false>(p, ws, PassContext{});
  Layout::template prepare<Net::outputs>(ws.target.data.data());
  return Layout::template loss<L, typename Net::output_activation, Net::outputs, false>(
      ws.logits.data.data(), ws.template output<Net::layer_count - 1>().data.data(),
      ws.target.data.data(), static_cast<typename Net::scalar_type*>(nullptr));
}

}  // namespace fixnet::HWY_NAMESPACE

HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
