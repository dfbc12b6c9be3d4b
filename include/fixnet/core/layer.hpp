// fixnet — what a layer is: the protocol every entry of a network's layer
// list follows (Dense and Dropout are two models of it), and the facts about
// a layer list that the network passes derive from it.
//
// A layer has two halves:
//   - its type (this protocol, target-independent): widths, parameters and
//     their storage, and a few flags that tell the passes how data and
//     gradients flow through it;
//   - its passes, `fixnet::HWY_NAMESPACE::LayerKernel<L>` (the hooks listed
//     in fixnet/passes/layer-inl.hpp), one specialisation per kind of layer
//     in the layer's own `-inl.hpp`, compiled for each SIMD target.
// The network walk (fixnet/passes/network-inl.hpp) names neither Dense nor
// Dropout: it asks these flags and calls these hooks. docs/architecture.md
// says how a new kind of layer (convolutional, recurrent, quantized) slots in.
#ifndef FIXNET_CORE_LAYER_HPP
#define FIXNET_CORE_LAYER_HPP

#include <concepts>
#include <cstddef>
#include <cstdint>

#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>

#include "fixnet/core/config.hpp"
#include "fixnet/core/pass_key.hpp"

namespace fixnet {

/// A layer type of a network's list:
///   `L::inputs`, `L::outputs`: its widths;
///   `L::parameter_count`: how many parameters it has in canonical order
///     (0 for a layer without parameters);
///   `L::parameters_type<T>`: the block that stores them (or their
///     gradients, or an optimiser's state): `get_parameters` /
///     `set_parameters` in canonical order, `storage()` as the padded span
///     elementwise updates run over, `assign` to convert the scalar type,
///     `for_each_parameter(f)` to visit each parameter in canonical order as
///     f(ParameterIndex, value) (initialisation, finiteness reports).
///     Its storage is the layer's choice (a quantized layer would keep
///     integers and its scales there);
///   `L::identity_in_inference`: true when an inference pass skips the layer
///     (the next layer reads this one's input): Dropout;
///   `L::gradient_in_place`: true when backpropagation turns the gradient
///     with respect to its output into the gradient with respect to its input
///     in the same buffer (Dropout), false when it writes it into the other
///     gradient buffer (Dense);
///   `L::stochastic`: true when its training pass draws random numbers from
///     the pass key, so that training needs a workspace whose step advances;
///   `L::samples_in_lanes`: true when its kernels also run with one sample
///     per SIMD lane (narrow layers in batches), not only one per row.
/// Optional: `L::pre_activation_width`, the width of an intermediate buffer
/// the workspace keeps for the layer between its forward and backward
/// passes (Dense keeps z when its activation's derivative needs it;
/// `pre_activation_width_v`); `L::state_type<T>`, per-sample state that a
/// layer carries from one call to the next (a recurrent layer; see
/// `layer_state_t`).
template <class L>
concept Layer = requires {
  { L::inputs } -> std::convertible_to<std::size_t>;
  { L::outputs } -> std::convertible_to<std::size_t>;
  { L::parameter_count } -> std::convertible_to<std::size_t>;
  typename L::template parameters_type<float>;
  { L::identity_in_inference } -> std::convertible_to<bool>;
  { L::gradient_in_place } -> std::convertible_to<bool>;
  { L::stochastic } -> std::convertible_to<bool>;
  { L::samples_in_lanes } -> std::convertible_to<bool>;
};

/// `L::pre_activation_width` when the layer declares it, else 0.
template <class L>
inline constexpr std::size_t pre_activation_width_v = [] {
  if constexpr (requires { L::pre_activation_width; }) {
    return std::size_t{L::pre_activation_width};
  } else {
    return std::size_t{0};
  }
}();

/// Where a parameter sits in its layer, as `for_each_parameter` of a
/// parameter block reports it: a weight W[row][column] or a bias b[row].
struct ParameterIndex {
  bool is_bias;
  std::size_t row;
  std::size_t column;
};

/// The state a layer keeps between calls: none for every layer fixnet ships.
struct NoState {};

/// `L::state_type<T>` when the layer declares one, else `NoState`. A
/// recurrent layer would declare its hidden state here; a workspace would
/// then hold one per sample and the layer's hooks would receive it.
template <class L, Scalar T>
struct layer_state {
  using type = NoState;
};
template <class L, Scalar T>
  requires requires { typename L::template state_type<T>; }
struct layer_state<L, T> {
  using type = typename L::template state_type<T>;
};
template <class L, Scalar T>
using layer_state_t = typename layer_state<L, T>::type;

/// What every pass hook receives besides its buffers: the key of this
/// training pass (`pass_key` of the workspace's seed and step), from which
/// stochastic layers draw (fixnet/layers/dropout.hpp).
struct PassContext {
  std::uint32_t key = 0;
};

namespace detail {

/// Calls f(boost::hana::size_c<I>) for I = 0 .. N-1 in order; f can use I as
/// a constant expression (a template argument). The one idiom for compile-time
/// loops over layers, in the passes as in the types.
template <std::size_t N, class F>
constexpr void for_each_index(F&& f) {
  boost::hana::for_each(boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<N>), f);
}

/// Number of layers I of Net for which Pred<layer I>::value holds, among
/// those with First <= I < Last.
template <class Net, template <class> class Pred, std::size_t First = 0,
          std::size_t Last = Net::layer_count>
consteval std::size_t count_layers() {
  std::size_t n = 0;
  for_each_index<Net::layer_count>([&](auto i) {
    if constexpr (decltype(i)::value >= First && decltype(i)::value < Last)
      n += Pred<typename Net::template layer_type<decltype(i)::value>>::value ? 1 : 0;
  });
  return n;
}

template <class L>
struct has_parameters_pred {
  static constexpr bool value = L::parameter_count > 0;
};
template <class L>
struct switches_gradient_buffer {
  static constexpr bool value = !L::gradient_in_place;
};
template <class L>
struct is_stochastic {
  static constexpr bool value = L::stochastic;
};

/// Whether a layer before layer I has parameters: only then does layer I
/// pass a gradient back to its input.
template <class Net, std::size_t I>
inline constexpr bool needs_input_gradient = count_layers<Net, has_parameters_pred, 0, I>() > 0;

/// Which of the workspace's two gradient buffers holds the gradient with
/// respect to layer I's output during backpropagation: the loss writes
/// buffer 0, and every later layer that does not work in place switches.
template <class Net, std::size_t I>
inline constexpr std::size_t gradient_buffer =
    count_layers<Net, switches_gradient_buffer, I + 1>() % 2;

/// Whether any layer of Net draws random numbers in training.
template <class Net>
inline constexpr bool has_stochastic_layer = count_layers<Net, is_stochastic>() > 0;

}  // namespace detail
}  // namespace fixnet

#endif  // FIXNET_CORE_LAYER_HPP
