// fixnet — a plain scalar implementation of the forward and backward passes,
// written for clarity, not speed: the reference that tests compare the
// Highway kernels against. It reads parameters through `weight(o, i)` and
// `bias(o)` only, so it does not share the kernels' layout assumptions.
#ifndef FIXNET_REFERENCE_HPP
#define FIXNET_REFERENCE_HPP

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "fixnet/layers/dropout.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/core/parameters.hpp"

namespace fixnet::reference {

/// A training pass for Dropout layers: the pass key (`pass_key(seed,
/// step)`, fixnet/core/layer.hpp) and the sample's index in its batch. Without
/// one, Dropout is the identity (inference).
struct DropoutPass {
  std::uint32_t key = 0;
  std::size_t sample = 0;
};

namespace detail {

template <class Net>
using Scalar = typename Net::scalar_type;

/// The oracle names the layer kinds it knows, on purpose: it is written
/// without the layer protocol it checks.
template <class Layer>
inline constexpr bool is_dropout = false;
template <std::size_t Width, class Rate>
inline constexpr bool is_dropout<Dropout<Width, Rate>> = true;

/// Inputs and outputs of every layer and the last layer's logits.
template <class Net>
struct Trace {
  std::vector<std::vector<Scalar<Net>>> inputs;   // inputs[l]: layer l's input
  std::vector<std::vector<Scalar<Net>>> outputs;  // outputs[l]: layer l's output
  std::vector<std::vector<Scalar<Net>>> zs;       // zs[l]: a dense layer's pre-activation
  std::vector<Scalar<Net>> logits;
  std::vector<Scalar<Net>> output;
};

/// Whether Dropout layer `Layer` keeps unit i in `pass` (always, without one).
template <class Layer>
bool kept(const std::optional<DropoutPass>& pass, std::size_t i) {
  return !pass || dropout_keeps(pass->key, pass->sample, i, Layer::outputs, Layer::keep_threshold);
}

template <class Net, class Row>
Trace<Net> run(const Net& net, const Row& x, const std::optional<DropoutPass>& pass) {
  using T = Scalar<Net>;
  Trace<Net> trace;
  std::vector<T> a(x.begin(), x.end());
  fixnet::detail::for_each_index<Net::layer_count>([&](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    using Layer = typename Net::template layer_type<I>;
    trace.inputs.push_back(a);
    trace.zs.emplace_back();
    if constexpr (is_dropout<Layer>) {
      const T scale = pass ? T(1) / Layer::template keep_probability<T> : T(1);
      // x * mask, as the kernel and PyTorch: a dropped NaN stays NaN.
      for (std::size_t k = 0; k < Layer::outputs; ++k) a[k] *= kept<Layer>(pass, k) ? scale : T(0);
    } else {
      const auto& p = net.template layer_parameters<I>();
      std::vector<T> z(Layer::outputs);
      for (std::size_t o = 0; o < Layer::outputs; ++o) {
        T sum = 0;
        if constexpr (Layer::has_bias) sum = p.bias(o);
        for (std::size_t k = 0; k < Layer::inputs; ++k) sum += p.weight(o, k) * a[k];
        z[o] = sum;
      }
      a.assign(Layer::outputs, T(0));
      Layer::activation::reference_forward(std::span<const T, Layer::outputs>(z.data(), Layer::outputs),
                                           std::span<T, Layer::outputs>(a.data(), Layer::outputs));
      trace.zs.back() = z;
      if constexpr (I + 1 == Net::layer_count) trace.logits = z;
    }
    trace.outputs.push_back(a);
  });
  trace.output = a;
  return trace;
}

template <std::size_t N, class T, class Tgt>
std::vector<T> target_row(const Tgt& target) {
  std::vector<T> t(N, T(0));
  if constexpr (std::integral<Tgt>) {
    t.at(static_cast<std::size_t>(target)) = T(1);
  } else {
    std::copy(target.begin(), target.end(), t.begin());
  }
  return t;
}

}  // namespace detail

/// The network's output for one input, computed with scalar loops.
template <class Net, class Row>
std::array<typename Net::scalar_type, Net::outputs> forward(const Net& net, const Row& x) {
  const auto trace = detail::run(net, x, std::nullopt);
  std::array<typename Net::scalar_type, Net::outputs> y{};
  std::copy(trace.output.begin(), trace.output.end(), y.begin());
  return y;
}

/// Adds the gradient of `loss` at (x, target) to `grads`; returns the loss.
/// Same contract as `net.backward(x, target, loss, grads)`; with a
/// DropoutPass, Dropout layers apply that pass's masks as in training.
template <class Net, class Row, class Tgt, class L>
typename Net::scalar_type backward(const Net& net, const Row& x, const Tgt& target, L,
                                   typename Net::parameters_type& grads,
                                   const std::optional<DropoutPass>& pass = std::nullopt) {
  using T = typename Net::scalar_type;
  constexpr std::size_t kOut = Net::outputs;
  using OutSpan = std::span<const T, kOut>;
  using Act = typename Net::output_activation;
  const auto trace = detail::run(net, x, pass);
  const auto t = detail::target_row<kOut, T>(target);
  const OutSpan a(trace.output.data(), kOut), ts(t.data(), kOut), z(trace.logits.data(), kOut);

  // g: the gradient with respect to the current layer's output; for the last
  // layer, directly with respect to its pre-activation.
  std::vector<T> g(kOut);
  T loss;
  if constexpr (fixnet::detail::loss_fused<L, Act>) {
    loss = L::reference_fused_value(z, ts);
    L::reference_fused_delta(a, ts, std::span<T, kOut>(g.data(), kOut));
  } else {
    loss = L::reference_value(a, ts);
    std::vector<T> ga(kOut);
    L::reference_gradient(a, ts, std::span<T, kOut>(ga.data(), kOut));
    Act::reference_backward(Act::derivative_from_input ? z : a, OutSpan(ga.data(), kOut),
                            std::span<T, kOut>(g.data(), kOut));
  }

  fixnet::detail::for_each_index<Net::layer_count>([&](auto step) {
    constexpr std::size_t I = Net::layer_count - 1 - decltype(step)::value;
    using Layer = typename Net::template layer_type<I>;
    constexpr std::size_t kIn = Layer::inputs;
    constexpr std::size_t kLayerOut = Layer::outputs;
    if constexpr (detail::is_dropout<Layer>) {
      const T scale = pass ? T(1) / Layer::template keep_probability<T> : T(1);
      for (std::size_t k = 0; k < kLayerOut; ++k) g[k] *= detail::kept<Layer>(pass, k) ? scale : T(0);
    } else {
      std::vector<T> delta = g;
      if constexpr (I + 1 != Net::layer_count) {
        // The derivative from the output a, or from z for activations
        // written in their input.
        const auto& a_l = Layer::activation::derivative_from_input ? trace.zs[I] : trace.outputs[I];
        Layer::activation::reference_backward(std::span<const T, kLayerOut>(a_l.data(), kLayerOut),
                                              std::span<const T, kLayerOut>(g.data(), kLayerOut),
                                              std::span<T, kLayerOut>(delta.data(), kLayerOut));
      }
      const auto& x_l = trace.inputs[I];
      auto& gl = grads.template layer_parameters<I>();
      for (std::size_t o = 0; o < kLayerOut; ++o) {
        for (std::size_t k = 0; k < kIn; ++k) gl.weight(o, k) += delta[o] * x_l[k];
        if constexpr (Layer::has_bias) gl.bias(o) += delta[o];
      }
      const auto& p = net.template layer_parameters<I>();
      std::vector<T> dx(kIn, T(0));
      for (std::size_t o = 0; o < kLayerOut; ++o)
        for (std::size_t k = 0; k < kIn; ++k) dx[k] += p.weight(o, k) * delta[o];
      g = dx;
    }
  });
  return loss;
}

/// The loss at (x, target), computed with scalar loops.
template <class Net, class Row, class Tgt, class L>
typename Net::scalar_type loss(const Net& net, const Row& x, const Tgt& target, L l) {
  // On the heap: a gradient set is as large as the network.
  auto scratch = std::make_unique<typename Net::parameters_type>();
  return backward(net, x, target, l, *scratch);
}

}  // namespace fixnet::reference

#endif  // FIXNET_REFERENCE_HPP
