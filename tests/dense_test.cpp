// Tests of fixnet/layers/dense.hpp: the Dense layer type and the storage of one
// layer's parameters (padded rows for the kernels, canonical order for users).
#define BOOST_TEST_MODULE dense
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Scalars = std::tuple<float, double>;

template <class P>
bool padding_is_zero(const P& p) {
  const auto s = p.storage();
  for (std::size_t o = 0; o < P::outputs; ++o)
    for (std::size_t i = P::inputs; i < P::row_stride; ++i)
      if (s[o * P::row_stride + i] != 0) return false;
  if constexpr (P::has_bias)
    for (std::size_t k = P::bias_offset + P::outputs; k < P::storage_size; ++k)
      if (s[k] != 0) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dense)

BOOST_AUTO_TEST_CASE(dense_states_its_widths_activation_and_bias_policy) {
  using D = Dense<3, 5, Relu>;
  static_assert(D::inputs == 3 && D::outputs == 5 && D::has_bias);
  static_assert(D::parameter_count == 3 * 5 + 5);
  static_assert(std::is_same_v<D::activation, Relu>);
  using N = Dense<3, 5, Tanh, NoBias>;
  static_assert(!N::has_bias && N::parameter_count == 15);
  static_assert(std::is_same_v<D::parameters_type<double>, DenseParameters<double, 3, 5, true>>);
  BOOST_TEST(D::parameter_count == 20u);
}

// W is [Out][row_stride] with row_stride = In padded to 64 bytes; b follows,
// padded likewise; every row starts on a cache line.
BOOST_AUTO_TEST_CASE_TEMPLATE(weights_live_in_rows_padded_to_whole_cache_lines, T, Scalars) {
  using P = DenseParameters<T, 3, 5, true>;
  constexpr std::size_t line = 64 / sizeof(T);
  static_assert(P::row_stride == line);
  static_assert(P::bias_offset == 5 * line);
  static_assert(P::storage_size == 6 * line);
  using Wide = DenseParameters<T, 17, 2, false>;
  static_assert(Wide::row_stride == (17 + line - 1) / line * line);
  static_assert(Wide::storage_size == 2 * Wide::row_stride);
  P p;
  for (std::size_t o = 0; o < 5; ++o)
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(&p.weight(o, 0)) % 64 == 0u);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(p.biases()) % 64 == 0u);
  BOOST_TEST(&p.weight(1, 0) - &p.weight(0, 0) == static_cast<std::ptrdiff_t>(line));
  BOOST_TEST(Wide{}.biases() == nullptr);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(canonical_order_is_w_row_major_then_b_and_padding_stays_zero, T, Scalars) {
  using P = DenseParameters<T, 3, 2, true>;
  P p;
  p.set_parameters(std::array<T, 8>{1, 2, 3, 4, 5, 6, 7, 8});
  BOOST_TEST(p.weight(0, 0) == T(1));
  BOOST_TEST(p.weight(0, 2) == T(3));
  BOOST_TEST(p.weight(1, 0) == T(4));
  BOOST_TEST(p.weight(1, 2) == T(6));
  BOOST_TEST(p.bias(0) == T(7));
  BOOST_TEST(p.bias(1) == T(8));
  BOOST_TEST(padding_is_zero(p));
  std::array<T, 8> out{};
  p.get_parameters(out);
  const std::array<T, 8> expected{1, 2, 3, 4, 5, 6, 7, 8};
  BOOST_TEST(out == expected, boost::test_tools::per_element());
  // weight() and bias() write where get_parameters() reads.
  p.weight(1, 1) = T(-9);
  p.bias(0) = T(-7);
  p.get_parameters(out);
  BOOST_TEST(out[4] == T(-9));
  BOOST_TEST(out[6] == T(-7));
}

// Float rows are padded to 16 values and double rows to 8: a conversion must
// move every value to its new offset (regression: it once copied the storage
// index by index).
BOOST_AUTO_TEST_CASE(parameters_convert_between_float_and_double_value_by_value) {
  DenseParameters<float, 3, 4, true> f;
  std::array<float, 16> values{};
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = 0.5f + static_cast<float>(k);
  f.set_parameters(values);
  const DenseParameters<double, 3, 4, true> d(f);
  std::array<double, 16> back{};
  d.get_parameters(back);
  for (std::size_t k = 0; k < values.size(); ++k) BOOST_TEST(back[k] == static_cast<double>(values[k]));
  BOOST_TEST(padding_is_zero(d));
  DenseParameters<float, 3, 4, true> f2;
  f2.assign(d);
  BOOST_TEST((f2 == f));
}

BOOST_AUTO_TEST_CASE(layers_with_equal_values_compare_equal) {
  DenseParameters<float, 2, 2, false> a, b;
  BOOST_TEST((a == b));
  b.weight(1, 1) = 1.0f;
  BOOST_TEST(!(a == b));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
