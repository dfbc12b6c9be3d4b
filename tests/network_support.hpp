// fixnet tests — helpers shared by the tests of whole networks and parameter
// sets: the same network in double (the reference's precision), parameters in
// canonical order, and the check that row and bias padding hold zeros.
//
// Include after <fixnet/fixnet.hpp> (in a test that names itself in
// HWY_TARGET_INCLUDE, after hwy/foreach_target.h: fixnet's headers bring the
// kernels).
#ifndef FIXNET_TESTS_NETWORK_SUPPORT_HPP
#define FIXNET_TESTS_NETWORK_SUPPORT_HPP

#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include <fixnet/network.hpp>

namespace fixnet::tests {

/// The same network computing in double (for the reference and for finite
/// differences).
template <class Net>
struct AsDouble;
template <Scalar T, class... Layers>
struct AsDouble<BasicNetwork<T, Layers...>> {
  using type = BasicNetwork<double, Layers...>;
};

/// The parameters of a network or a parameter set (gradients), in canonical
/// order (layer by layer: In x Out weights, then Out biases).
template <class P>
std::vector<typename P::scalar_type> parameters_of(const P& p) {
  using T = typename P::scalar_type;
  std::vector<T> v(P::parameter_count);
  p.get_parameters(std::span<T, P::parameter_count>(v.data(), v.size()));
  return v;
}

/// parameters_of, converted to double (exactly).
template <class P>
std::vector<double> parameters_as_double(const P& p) {
  const auto v = parameters_of(p);
  return std::vector<double>(v.begin(), v.end());
}

/// Every stored value past the canonical ones (row and bias padding) is
/// zero, read from the layout of each layer's block.
template <class Params>
bool layout_padding_is_zero(const Params& p) {
  bool zero = true;
  p.for_each_layer([&](const auto& l) {
    using L = std::remove_cvref_t<decltype(l)>;
    const auto s = l.storage();
    for (std::size_t o = 0; o < L::outputs; ++o)
      for (std::size_t i = L::inputs; i < L::row_stride; ++i)
        zero = zero && s[o * L::row_stride + i] == 0;
    if constexpr (L::has_bias)
      for (std::size_t k = L::bias_offset + L::outputs; k < L::storage_size; ++k)
        zero = zero && s[k] == 0;
  });
  return zero;
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_NETWORK_SUPPORT_HPP
