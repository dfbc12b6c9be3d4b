// fixnet kernels — narrow networks with samples in lanes.
//
// For a batch through narrow layers (every width at most
// detail::lanes_max_width), vectorising along a layer's 2 or 4 outputs
// wastes most of each vector and needs a lane reduction per output. Instead
// every buffer is feature-major (fixnet/core/workspace.hpp, FeatureBuffer): row f
// holds feature f of all samples, padded to kStride lanes, and one vector
// holds one feature of kL samples. A dense layer is then, per vector of
// samples, z_o = b_o + sum_i W[o][i] x_i with W[o][i] broadcast; softmax and
// the losses run down the rows; nothing is reduced across lanes until the
// weight gradients, once per batch. Weights are read through weight(o, i)
// and bias(o), whatever their storage layout.
//
// Lanes past the batch (B <= b < kStride) hold zero inputs and targets and
// get a zero delta, so they add nothing to losses or gradients.

#if defined(FIXNET_KERNELS_LANES_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_LANES_INL_HPP_
#undef FIXNET_KERNELS_LANES_INL_HPP_
#else
#define FIXNET_KERNELS_LANES_INL_HPP_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fixnet/core/config.hpp"
#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/dropout-inl.hpp"
#include "fixnet/passes/layer_input-inl.hpp"
#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "fixnet/layers/layer.hpp"
#include "fixnet/core/parameters.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Full vectors of at most one 64-byte line: kStride (whole lines) is a
/// multiple of their lane count.
template <class T>
using LanesTag = hn::CappedTag<T, lanes_per_line<T>>;

/// Zeroes the lanes past B in N feature rows, so that padding samples stay
/// finite (whatever an earlier, larger use of the buffer left there).
template <std::size_t N, std::size_t kStride, std::size_t B, class T>
HWY_INLINE void zero_lanes_past_batch(T* rows) {
  if constexpr (B < kStride)
    for (std::size_t k = 0; k < N; ++k)
      std::fill(rows + k * kStride + B, rows + (k + 1) * kStride, T(0));
}

/// z = W x + b for kStride lanes of samples: x is [In][kStride], z is
/// [Out][kStride]. Two vectors of samples per pass share each broadcast
/// weight.
template <std::size_t kStride, class P, class D, class T = hn::TFromD<D>>
HWY_INLINE void lanes_affine(D d, const P& p, const T* HWY_RESTRICT x, T* HWY_RESTRICT z) {
  constexpr std::size_t kL = kLanes<D>;
  constexpr std::size_t kIn = P::inputs;
  for (std::size_t o = 0; o < P::outputs; ++o) {
    auto bias = hn::Zero(d);
    if constexpr (P::has_bias) bias = hn::Set(d, p.bias(o));
    std::size_t c = 0;
    for (; c + 2 * kL <= kStride; c += 2 * kL) {
      auto a0 = bias, a1 = bias;
      for (std::size_t i = 0; i < kIn; ++i) {
        const auto w = hn::Set(d, p.weight(o, i));
        a0 = hn::MulAdd(w, hn::Load(d, x + i * kStride + c), a0);
        a1 = hn::MulAdd(w, hn::Load(d, x + i * kStride + c + kL), a1);
      }
      hn::Store(a0, d, z + o * kStride + c);
      hn::Store(a1, d, z + o * kStride + c + kL);
    }
    if constexpr ((kStride / kL) % 2 != 0) {
      auto a0 = bias;
      for (std::size_t i = 0; i < kIn; ++i)
        a0 = hn::MulAdd(hn::Set(d, p.weight(o, i)), hn::Load(d, x + i * kStride + c), a0);
      hn::Store(a0, d, z + o * kStride + c);
    }
  }
}

/// Adds this batch's gradients, times `scale`, to g: dW[o][i] += scale
/// sum_b delta[o][b] x[i][b], db[o] += scale sum_b delta[o][b]. Lane sums are
/// reduced once per weight.
template <std::size_t kStride, class P, class D, class T = hn::TFromD<D>>
HWY_INLINE void lanes_accumulate_gradients(D d, const T* HWY_RESTRICT x,
                                           const T* HWY_RESTRICT delta, T scale, P& g) {
  constexpr std::size_t kL = kLanes<D>;
  for (std::size_t o = 0; o < P::outputs; ++o) {
    const T* HWY_RESTRICT dr = delta + o * kStride;
    for (std::size_t i = 0; i < P::inputs; ++i) {
      const T* HWY_RESTRICT xr = x + i * kStride;
      auto acc = hn::Zero(d);
      for (std::size_t c = 0; c < kStride; c += kL)
        acc = hn::MulAdd(hn::Load(d, dr + c), hn::Load(d, xr + c), acc);
      g.weight(o, i) += scale * reduce_sum(d, acc);
    }
    if constexpr (P::has_bias) {
      auto acc = hn::Zero(d);
      for (std::size_t c = 0; c < kStride; c += kL) acc = hn::Add(acc, hn::Load(d, dr + c));
      g.bias(o) += scale * reduce_sum(d, acc);
    }
  }
}

/// dx[i] = sum_o W[o][i] delta[o], for every lane: the gradient with respect to
/// the layer's input, [In][kStride].
template <std::size_t kStride, class P, class D, class T = hn::TFromD<D>>
HWY_INLINE void lanes_input_gradient(D d, const P& p, const T* HWY_RESTRICT delta,
                                     T* HWY_RESTRICT dx) {
  constexpr std::size_t kL = kLanes<D>;
  for (std::size_t i = 0; i < P::inputs; ++i) {
    for (std::size_t c = 0; c < kStride; c += kL) {
      auto acc = hn::Zero(d);
      for (std::size_t o = 0; o < P::outputs; ++o)
        acc = hn::MulAdd(hn::Set(d, p.weight(o, i)), hn::Load(d, delta + o * kStride + c), acc);
      hn::Store(acc, d, dx + i * kStride + c);
    }
  }
}

/// Runs the batch in `ws.input` through every layer of Net (samples in
/// lanes). With KeepLogits the last layer's pre-activation stays in
/// `ws.logits`. In Training, Dropout layers apply the masks of pass `key`;
/// otherwise they are skipped.
template <class Net, bool KeepLogits, bool Training, class W>
void lanes_forward(const typename Net::parameters_type& p, W& ws, std::uint32_t key) {
  using T = typename Net::scalar_type;
  constexpr std::size_t kStride = padded<T>(W::batch_size);
  const LanesTag<T> d;
  zero_lanes_past_batch<Net::inputs, kStride, W::batch_size>(ws.input.data.data());
  detail::for_each_index<Net::layer_count>([&](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    using Layer = typename Net::template layer_type<I>;
    const T* x = layer_input<Net, I, Training>(ws).data.data();
    T* a = ws.template output<I>().data.data();
    if constexpr (detail::is_dropout<Layer>) {
      if constexpr (Training) dropout_lanes<Layer, kStride>(d, x, a, key);
    } else {
      T* z = a;
      if constexpr (I + 1 == Net::layer_count && KeepLogits) z = ws.logits.data.data();
      lanes_affine<kStride>(d, p.template layer<I>(), x, z);
      activation_forward_lanes<typename Layer::activation, Layer::outputs, kStride>(d, z, a);
    }
  });
}

/// Forward, loss against `ws.target` and backpropagation (samples in lanes):
/// adds `scale` times the gradients of the summed loss to `grads`, returns
/// the summed loss.
/// Buffers as in rows_backward (fixnet/passes/network-inl.hpp).
template <class L, class Net, class W>
typename Net::scalar_type lanes_backward(const typename Net::parameters_type& p, W& ws,
                                         typename Net::parameters_type& grads,
                                         typename Net::scalar_type scale) {
  using T = typename Net::scalar_type;
  constexpr std::size_t B = W::batch_size;
  constexpr std::size_t kStride = padded<T>(B);
  constexpr std::size_t kLast = Net::layer_count - 1;
  const LanesTag<T> d;
  const std::uint32_t key = dropout_key(ws.dropout_seed, ws.dropout_step++);
  lanes_forward<Net, true, true>(p, ws, key);
  zero_lanes_past_batch<Net::outputs, kStride, B>(ws.target.data.data());
  const T loss = loss_lanes<L, typename Net::output_activation, Net::outputs, kStride, B, true>(
      d, ws.logits.data.data(), ws.template output<kLast>().data.data(), ws.target.data.data(),
      ws.gradient[0].data.data());
  detail::for_each_index<Net::layer_count>([&](auto step) {
    constexpr std::size_t I = kLast - decltype(step)::value;
    using Layer = typename Net::template layer_type<I>;
    T* g = ws.gradient[detail::gradient_buffer<Net, I>].data.data();
    if constexpr (detail::is_dropout<Layer>) {
      if constexpr (detail::parametric_layer_before<Net, I>())
        dropout_lanes<Layer, kStride>(d, g, g, key);
    } else {
      if constexpr (I != kLast)
        activation_backward_lanes<typename Layer::activation, Layer::outputs, kStride>(
            d, ws.template output<I>().data.data(), g, g);
      // The input gradient first: it reads W, which `grads` may be.
      if constexpr (detail::parametric_layer_before<Net, I>()) {
        T* dx = ws.gradient[1 - detail::gradient_buffer<Net, I>].data.data();
        lanes_input_gradient<kStride>(d, p.template layer<I>(), g, dx);
      }
      lanes_accumulate_gradients<kStride>(d, layer_input<Net, I, true>(ws).data.data(), g, scale,
                                          grads.template layer<I>());
    }
  });
  return loss;
}

/// Forward, then the summed loss against `ws.target` (samples in lanes).
template <class L, class Net, class W>
typename Net::scalar_type lanes_loss(const typename Net::parameters_type& p, W& ws) {
  using T = typename Net::scalar_type;
  constexpr std::size_t B = W::batch_size;
  constexpr std::size_t kStride = padded<T>(B);
  const LanesTag<T> d;
  lanes_forward<Net, true, false>(p, ws, 0);
  zero_lanes_past_batch<Net::outputs, kStride, B>(ws.target.data.data());
  return loss_lanes<L, typename Net::output_activation, Net::outputs, kStride, B, false>(
      d, ws.logits.data.data(), ws.template output<Net::layer_count - 1>().data.data(),
      ws.target.data.data(), static_cast<T*>(nullptr));
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
