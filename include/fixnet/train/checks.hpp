// fixnet — run-time checks where training and evaluation begin: a network
// never initialised, labels the network has no output for. They run once per
// call, never in the hot path (forward, backward, optimiser steps stay
// noexcept and unchecked).
#ifndef FIXNET_CHECKS_HPP
#define FIXNET_CHECKS_HPP

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace fixnet {

/// Whether every parameter of `net` is zero: a network as constructed, never
/// given values by `fixnet::initialize`, `set_parameters` or a model file.
template <class Net>
bool all_parameters_zero(const Net& net) noexcept {
  using T = typename Net::scalar_type;
  bool zero = true;
  net.parameters().for_each_layer([&](const auto& layer) {
    const auto s = layer.storage();
    zero = zero && std::all_of(s.begin(), s.end(), [](T v) { return v == T(0); });
  });
  return zero;
}

/// Throws std::invalid_argument if every parameter of `net` is zero: trained
/// from there, every hidden unit of a layer gets the same gradient and stays
/// equal to the others (or, with ReLU, gets none). `who` names the caller
/// ("fixnet::Trainer::fit"), `opt_out` how to train such a network anyway.
template <class Net>
void require_initialized(const Net& net, const char* who, const char* opt_out) {
  if (all_parameters_zero(net))
    throw std::invalid_argument(
        std::string(who) +
        ": every parameter of the network is zero (a network starts at zero); call "
        "fixnet::initialize(net, weights, biases, seed) first, e.g. fixnet::initialize(net, "
        "fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 42), or set " +
        opt_out + " to train it from zero on purpose");
}

namespace detail {

/// The first sample of `data` (a fixnet::data::Dataset) whose label is not
/// below `outputs`, said as " (sample i has class index k, expected below
/// n)"; empty if every label is below `outputs`.
template <class Data>
std::string first_label_not_below(const Data& data, std::size_t outputs) {
  const auto labels = data.labels();
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (static_cast<std::size_t>(labels[i]) >= outputs)
      return " (sample " + std::to_string(i) + " has class index " + std::to_string(labels[i]) +
             ", expected below " + std::to_string(outputs) + ")";
  return {};
}

}  // namespace detail

}  // namespace fixnet

#endif  // FIXNET_CHECKS_HPP
