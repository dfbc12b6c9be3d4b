// fixnet kernels — whole-network passes: forward through every layer,
// loss, and backpropagation into a gradient set. Layers are visited with
// compile-time indices, so each layer's kernels are instantiated for its own
// widths and every trip count is a constant.
//
// Also defines `fixnet::detail::StaticKernels` (fixnet/dispatch/static_dispatch.hpp)
// in the pass compiled for HWY_STATIC_TARGET.

#if defined(FIXNET_KERNELS_NETWORK_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_NETWORK_INL_HPP_
#undef FIXNET_KERNELS_NETWORK_INL_HPP_
#else
#define FIXNET_KERNELS_NETWORK_INL_HPP_
#endif

#include <cstddef>
#include <cstdint>

#include "fixnet/core/config.hpp"
#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/axpy-inl.hpp"
#include "fixnet/kernels/binary_cross_entropy-inl.hpp"
#include "fixnet/kernels/cross_entropy-inl.hpp"
#include "fixnet/kernels/dense-inl.hpp"
#include "fixnet/kernels/dropout-inl.hpp"
#include "fixnet/kernels/identity-inl.hpp"
#include "fixnet/passes/lanes-inl.hpp"
#include "fixnet/passes/layer_input-inl.hpp"
#include "fixnet/kernels/leaky_relu-inl.hpp"
#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/kernels/relu-inl.hpp"
#include "fixnet/kernels/sigmoid-inl.hpp"
#include "fixnet/passes/small_network-inl.hpp"
#include "fixnet/kernels/softmax-inl.hpp"
#include "fixnet/kernels/squared_error-inl.hpp"
#include "fixnet/kernels/tanh-inl.hpp"
#include "fixnet/layers/layer.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/dispatch/static_dispatch.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// `network_forward` with samples in rows: each sample's padded row is cut
/// into vectors along its features. In Training, Dropout layers apply the
/// masks of pass `key`; otherwise they are skipped.
template <class Net, bool KeepLogits, bool Training, class W>
void rows_forward(const typename Net::parameters_type& p, W& ws, std::uint32_t key) {
  using T = typename Net::scalar_type;
  constexpr std::size_t B = W::batch_size;
  detail::for_each_index<Net::layer_count>([&](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    using Layer = typename Net::template layer_type<I>;
    constexpr std::size_t kOut = Layer::outputs;
    auto& in = layer_input<Net, I, Training>(ws);
    auto& out = ws.template output<I>();
    if constexpr (detail::is_dropout<Layer>) {
      if constexpr (Training)
        for (std::size_t b = 0; b < B; ++b) dropout_row<Layer>(in.row(b), out.row(b), key, b);
    } else {
      T* z = out.data.data();
      if constexpr (I + 1 == Net::layer_count && KeepLogits) z = ws.logits.data.data();
      dense_affine<B>(p.template layer<I>(), in.data.data(), z);
      for (std::size_t b = 0; b < B; ++b)
        activation_forward_row<typename Layer::activation, kOut>(z + b * padded<T>(kOut),
                                                                 out.row(b));
    }
  });
}

/// `network_backward` with samples in rows.
template <class L, class Net, class W>
typename Net::scalar_type rows_backward(const typename Net::parameters_type& p, W& ws,
                                        typename Net::parameters_type& grads,
                                        typename Net::scalar_type scale) {
  using T = typename Net::scalar_type;
  constexpr std::size_t B = W::batch_size;
  constexpr std::size_t kLast = Net::layer_count - 1;
  constexpr std::size_t kDStride = padded<T>(W::max_width);
  using OutputAct = typename Net::output_activation;

  const std::uint32_t key = dropout_key(ws.dropout_seed, ws.dropout_step++);
  rows_forward<Net, true, true>(p, ws, key);
  T loss = 0;
  {
    T* delta = ws.gradient[0].data.data();
    for (std::size_t b = 0; b < B; ++b)
      loss +=
          loss_row<L, OutputAct, Net::outputs>(ws.logits.row(b), ws.template output<kLast>().row(b),
                                               ws.target.row(b), delta + b * kDStride);
  }
  // Layers last to first. gradient[gradient_buffer<I>] holds the gradient
  // with respect to layer I's output; a dense layer turns it into its delta
  // in place, then writes the gradient with respect to its input into the
  // other buffer; Dropout masks it in place.
  detail::for_each_index<Net::layer_count>([&](auto step) {
    constexpr std::size_t I = kLast - decltype(step)::value;
    using Layer = typename Net::template layer_type<I>;
    T* g = ws.gradient[detail::gradient_buffer<Net, I>].data.data();
    if constexpr (detail::is_dropout<Layer>) {
      if constexpr (detail::parametric_layer_before<Net, I>())
        for (std::size_t b = 0; b < B; ++b)
          dropout_row<Layer>(g + b * kDStride, g + b * kDStride, key, b);
    } else {
      if constexpr (I != kLast) {
        const auto& a = ws.template output<I>();
        for (std::size_t b = 0; b < B; ++b)
          activation_backward_row<typename Layer::activation, Layer::outputs>(
              a.row(b), g + b * kDStride, g + b * kDStride);
      }
      // The input gradient first: it reads W, which `grads` may be.
      if constexpr (detail::parametric_layer_before<Net, I>()) {
        T* dx = ws.gradient[1 - detail::gradient_buffer<Net, I>].data.data();
        dense_input_gradient<B, kDStride, kDStride>(p.template layer<I>(), g, dx);
      }
      dense_accumulate_gradients<B, kDStride>(layer_input<Net, I, true>(ws).data.data(), g, scale,
                                              grads.template layer<I>());
    }
  });
  return loss;
}

/// `network_loss` with samples in rows.
template <class L, class Net, class W>
typename Net::scalar_type rows_loss(const typename Net::parameters_type& p, W& ws) {
  using T = typename Net::scalar_type;
  constexpr std::size_t kLast = Net::layer_count - 1;
  rows_forward<Net, true, false>(p, ws, 0);
  T loss = 0;
  for (std::size_t b = 0; b < W::batch_size; ++b)
    loss += loss_value_row<L, typename Net::output_activation, Net::outputs>(
        ws.logits.row(b), ws.template output<kLast>().row(b), ws.target.row(b));
  return loss;
}

/// Runs the batch in `ws.input` through every layer of Net. With KeepLogits
/// the last layer's pre-activation is kept in `ws.logits` (for the loss).
/// Samples are in lanes or rows as the workspace says (fixnet/core/workspace.hpp).
template <class Net, bool KeepLogits, class W>
void network_forward(const typename Net::parameters_type& p, W& ws) {
  if constexpr (W::batch_size == 1 && !KeepLogits && kSmallNetwork<Net>) {
    // In registers (fixnet/passes/small_network-inl.hpp); the whole padded
    // output row is written, zero past the outputs.
    small_network_forward_row<Net>(p, ws.input.row(0), ws.template output<Net::layer_count - 1>().row(0));
  } else if constexpr (W::lanes) {
    lanes_forward<Net, KeepLogits, false>(p, ws, 0);
  } else {
    rows_forward<Net, KeepLogits, false>(p, ws, 0);
  }
}

/// Forward, then the loss against `ws.target`, then backpropagation: adds
/// `scale` times the gradient of the summed loss to `grads` and returns the
/// summed loss. `grads` may be `p` itself (with scale = -learning rate: plain
/// gradient descent without a gradient buffer): each layer's input gradient
/// is computed before its parameters change, and the forward pass is over.
template <class L, class Net, class W>
typename Net::scalar_type network_backward(const typename Net::parameters_type& p, W& ws,
                                           typename Net::parameters_type& grads,
                                           typename Net::scalar_type scale = 1) {
  if constexpr (W::lanes) {
    return lanes_backward<L, Net>(p, ws, grads, scale);
  } else {
    return rows_backward<L, Net>(p, ws, grads, scale);
  }
}

/// Forward, then the summed loss against `ws.target`.
template <class L, class Net, class W>
typename Net::scalar_type network_loss(const typename Net::parameters_type& p, W& ws) {
  if constexpr (W::lanes) {
    return lanes_loss<L, Net>(p, ws);
  } else {
    return rows_loss<L, Net>(p, ws);
  }
}

}  // namespace fixnet::HWY_NAMESPACE

#if HWY_TARGET == HWY_STATIC_TARGET
namespace fixnet::detail {

/// The kernels of the static target, for the members of the
/// target-independent types (see fixnet/dispatch/static_dispatch.hpp).
template <class Dependent>
struct StaticKernels {
  template <bool KeepLogits, class Net, class W>
  static void forward(const Net& net, W& ws) noexcept {
    fixnet::HWY_NAMESPACE::network_forward<Net, KeepLogits>(net.parameters(), ws);
  }
  /// Whether Net's one-sample forward pass runs in registers.
  template <class Net>
  static constexpr bool small_network = fixnet::HWY_NAMESPACE::kSmallNetwork<Net>;
  template <class Net, class T>
  static void forward_small(const Net& net, const T* x, T* y) noexcept {
    fixnet::HWY_NAMESPACE::small_network_forward<Net>(net.parameters(), x, y);
  }
  template <class L, class Net, class W>
  static typename Net::scalar_type backward(const Net& net, W& ws,
                                            typename Net::parameters_type& grads,
                                            typename Net::scalar_type scale) noexcept {
    return fixnet::HWY_NAMESPACE::network_backward<L, Net>(net.parameters(), ws, grads, scale);
  }
  template <class L, class Net, class W>
  static typename Net::scalar_type loss(const Net& net, W& ws) noexcept {
    return fixnet::HWY_NAMESPACE::network_loss<L, Net>(net.parameters(), ws);
  }
  template <class Params, class T>
  static void axpy(T alpha, const Params& x, Params& y, std::size_t part, std::size_t parts) noexcept {
    fixnet::HWY_NAMESPACE::axpy(alpha, x, y, part, parts);
  }
  template <class Params, class T>
  static void scale(T s, Params& y) noexcept {
    fixnet::HWY_NAMESPACE::scale(s, y);
  }
};

}  // namespace fixnet::detail
#endif  // HWY_TARGET == HWY_STATIC_TARGET

HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
