// fixnet — compile-time facts about a network's layer list that its kernels
// need: which layers hold parameters, and how gradients flow past Dropout.
#ifndef FIXNET_LAYER_TRAITS_HPP
#define FIXNET_LAYER_TRAITS_HPP

#include <cstddef>

#include "fixnet/layers/dropout.hpp"

namespace fixnet::detail {

/// Number of layers after layer I (exclusive) that are not Dropout: each
/// switches backpropagation to the other gradient buffer.
template <class Net, std::size_t I>
consteval std::size_t parametric_layers_after() {
  std::size_t n = 0;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    ((n += (J > I && !is_dropout<typename Net::template layer_type<J>>) ? 1 : 0), ...);
  }(std::make_index_sequence<Net::layer_count>{});
  return n;
}

/// Whether a layer before layer I has parameters: only then does layer I
/// need the gradient with respect to its input.
template <class Net, std::size_t I>
consteval bool parametric_layer_before() {
  bool any = false;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    ((any = any || (J < I && !is_dropout<typename Net::template layer_type<J>>)), ...);
  }(std::make_index_sequence<Net::layer_count>{});
  return any;
}

/// Which of the workspace's two gradient buffers holds the gradient with
/// respect to layer I's output during backpropagation.
template <class Net, std::size_t I>
inline constexpr std::size_t gradient_buffer = parametric_layers_after<Net, I>() % 2;

}  // namespace fixnet::detail

#endif  // FIXNET_LAYER_TRAITS_HPP
