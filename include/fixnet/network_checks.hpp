// fixnet — the checks of a network's layer list, made where BasicNetwork is
// instantiated: every entry is a layer, widths are positive and chain, the
// last layer has an output activation. Each failure is one `fixnet:` line
// naming the layer by index (fixnet/core/shape_checks.hpp holds the
// sentences).
#ifndef FIXNET_NETWORK_CHECKS_HPP
#define FIXNET_NETWORK_CHECKS_HPP

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "fixnet/activations/softmax.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/shape_checks.hpp"

namespace fixnet {

namespace detail {

template <std::size_t I, class... Layers>
using layer_at = typename decltype(+boost::hana::at_c<I>(boost::hana::tuple_t<Layers...>))::type;

// The checks below fold over an index sequence rather than loop with Hana:
// a failed check's `fixnet:` sentence must come within the compiler's first
// lines, and every Hana frame (for_each, its range) would stand above it.
template <class... Layers>
consteval bool check_layer_list() {
  constexpr std::size_t n = sizeof...(Layers);
  constexpr std::array<std::size_t, n> ins{Layers::inputs...};
  constexpr std::array<std::size_t, n> outs{Layers::outputs...};
  const bool widths = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (check_layer_width<I, ins[I], outs[I]>() && ...);
  }(std::make_index_sequence<n>{});
  const bool chain = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (check_layer_chain<I + 1, outs[I], ins[I + 1]>() && ...);
  }(std::make_index_sequence<n - 1>{});
  using Last = layer_at<n - 1, Layers...>;
  constexpr bool has_activation = requires { typename Last::activation; };
  bool ok = widths && chain && check_last_layer_has_activation<n - 1, has_activation>();
  if constexpr (has_activation)
    ok = ok && check_softmax_output_width<n - 1, Last::outputs,
                                          std::is_same_v<typename Last::activation, Softmax>>();
  return ok;
}

/// Every layer models the layer protocol and has a width, each takes as many
/// inputs as the previous one gives outputs, and the last one has an output
/// activation (the loss starts from it). Reports the first faulty layer by
/// index.
template <class... Layers>
consteval bool check_network() {
  const bool protocol = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (check_layer_protocol<I, Layer<Layers>>() && ...);
  }(std::index_sequence_for<Layers...>{});
  if constexpr (!(Layer<Layers> && ...)) {
    return false;  // reported above; the checks below would only add noise
  } else {
    return protocol && check_layer_list<Layers...>();
  }
}

}  // namespace detail

}  // namespace fixnet

#endif  // FIXNET_NETWORK_CHECKS_HPP
