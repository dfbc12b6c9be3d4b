// Tests of fixnet/core/parameters.hpp and of the parameter interface of a network
// (fixnet/network.hpp): the canonical order of DESIGN.md, copies and
// conversions, run-time-sized input, and the elementwise operations on
// gradients.
#define BOOST_TEST_MODULE parameters
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fixnet/fixnet.hpp>

#include "network_support.hpp"
#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Scalars = std::tuple<float, double>;

template <Scalar T>
using Blobs = BasicMlp<T, Sigmoid, Softmax, 2, 4, 3>;
template <Scalar T>
using Mixed = BasicNetwork<T, Dense<5, 17, Tanh>, Dense<17, 3, Relu, NoBias>, Dense<3, 2, Sigmoid>>;

template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed) {
  TestRng rng(seed);
  std::vector<T> v(n);
  for (T& x : v) x = uniform<T>(rng, -2, 2);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parameters)

BOOST_AUTO_TEST_CASE_TEMPLATE(parameters_round_trip_through_the_canonical_span, T, Scalars) {
  using Net = Mixed<T>;
  const auto values = random_values<T>(Net::parameter_count, 1);
  auto net = std::make_unique<Net>();
  net->set_parameters(std::span<const T, Net::parameter_count>(values.data(), values.size()));
  BOOST_TEST(parameters_of(*net) == values, boost::test_tools::per_element());
  BOOST_TEST(layout_padding_is_zero(net->parameters()));
  // The std::array overloads and the run-time-sized span agree.
  std::array<T, Net::parameter_count> array{};
  std::copy(values.begin(), values.end(), array.begin());
  auto other = std::make_unique<Net>();
  other->set_parameters(array);
  BOOST_TEST((*other == *net));
  auto third = std::make_unique<Net>();
  third->set_parameters(std::span<const T>(values));
  BOOST_TEST((*third == *net));
  std::array<T, Net::parameter_count> out{};
  third->get_parameters(out);
  BOOST_TEST(out == array, boost::test_tools::per_element());
}

// Parameter k of the canonical order, written as the value k, must be read
// back by layer_parameters<I>().weight(o, i) and bias(o) exactly where DESIGN.md says:
// layer by layer, W row-major [out][in], then b.
BOOST_AUTO_TEST_CASE(layer_accessors_sit_where_the_canonical_order_says) {
  using Net = Mixed<double>;
  std::vector<double> index(Net::parameter_count);
  for (std::size_t k = 0; k < index.size(); ++k) index[k] = static_cast<double>(k);
  Net net;
  net.set_parameters(std::span<const double>(index));
  std::size_t offset = 0, checked = 0;
  detail::for_each_index<Net::layer_count>([&](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    using L = typename Net::template layer_type<I>;
    const auto& p = net.template layer_parameters<I>();
    for (std::size_t o = 0; o < L::outputs; ++o)
      for (std::size_t in = 0; in < L::inputs; ++in, ++checked)
        BOOST_TEST(p.weight(o, in) == double(offset + o * L::inputs + in));
    if constexpr (L::has_bias)
      for (std::size_t o = 0; o < L::outputs; ++o, ++checked)
        BOOST_TEST(p.bias(o) == double(offset + L::outputs * L::inputs + o));
    offset += L::parameter_count;
  });
  BOOST_TEST(checked == Net::parameter_count);
  BOOST_TEST(offset == Net::parameter_count);
  // Layer 1 has no bias: layer 2's first weight directly follows its weights.
  BOOST_TEST(net.layer_parameters<2>().weight(0, 0) == double(5 * 17 + 17 + 17 * 3));
}

BOOST_AUTO_TEST_CASE(a_copied_or_assigned_network_is_independent_of_its_source) {
  using Net = Blobs<float>;
  Net source;
  initialize(source, init::Uniform{}, init::Normal{}, 3);
  const auto before = parameters_of(source);

  Net copy = source;
  BOOST_TEST((copy == source));
  copy.layer_parameters<0>().weight(1, 1) += 1.0f;
  copy.layer_parameters<1>().bias(2) = 42.0f;
  BOOST_TEST(parameters_of(source) == before, boost::test_tools::per_element());
  BOOST_TEST(!(copy == source));

  Net assigned;
  assigned = source;
  BOOST_TEST((assigned == source));
  source.layer_parameters<0>().bias(0) = -5.0f;  // changing the source leaves the copy alone
  BOOST_TEST(assigned.layer_parameters<0>().bias(0) == before[8]);
  BOOST_TEST(parameters_of(assigned) == before, boost::test_tools::per_element());
}

// Explicit construction converts; so does assign(); plain assignment between
// scalar types does not compile (it names assign() instead).
BOOST_AUTO_TEST_CASE(float_and_double_networks_convert_explicitly_value_by_value) {
  static_assert(std::is_constructible_v<Blobs<double>, const Blobs<float>&>);
  static_assert(!std::is_convertible_v<const Blobs<float>&, Blobs<double>>);
  auto f = std::make_unique<Mixed<float>>();
  initialize(*f, init::XavierUniform{}, init::Normal{}, 4);
  const auto fv = parameters_of(*f);

  const auto d = std::make_unique<Mixed<double>>(*f);
  const auto dv = parameters_of(*d);
  BOOST_TEST_REQUIRE(dv.size() == fv.size());
  for (std::size_t k = 0; k < fv.size(); ++k) BOOST_TEST(dv[k] == static_cast<double>(fv[k]));
  BOOST_TEST(layout_padding_is_zero(d->parameters()));

  auto back = std::make_unique<Mixed<float>>();
  back->assign(*d);
  BOOST_TEST((*back == *f));

  // double -> float rounds each value to nearest.
  Blobs<double> precise;
  precise.layer_parameters<0>().weight(0, 0) = 0.1;
  Blobs<float> rounded;
  rounded.assign(precise);
  BOOST_TEST(rounded.layer_parameters<0>().weight(0, 0) == 0.1f);
}

BOOST_AUTO_TEST_CASE(a_runtime_span_of_the_wrong_size_throws_invalid_argument_naming_both_sizes) {
  using Net = Blobs<float>;  // 27 parameters
  Net net;
  initialize(net, init::Uniform{}, init::Uniform{}, 5);
  const Net before = net;
  for (std::size_t wrong : {std::size_t{0}, std::size_t{26}, std::size_t{28}}) {
    const std::vector<float> values(wrong, 1.0f);
    try {
      net.set_parameters(std::span<const float>(values));
      BOOST_ERROR("no exception for " << wrong << " parameters");
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      BOOST_TEST_MESSAGE(message);
      BOOST_TEST(message.rfind("fixnet:", 0) == 0u);
      BOOST_TEST(message.find("27") != std::string::npos);
      BOOST_TEST(message.find(std::to_string(wrong)) != std::string::npos);
    }
    BOOST_TEST((net == before));  // nothing was written
  }
  // Gradients read the same way.
  Gradients<Net> g;
  BOOST_CHECK_THROW(g.set_parameters(std::span<const float>(std::vector<float>(3))), std::invalid_argument);
  // Reading into a run-time-sized span: the same check, and the same values
  // as the fixed-size read when the size is right.
  std::vector<float> short_of_one(26, -1.0f);
  BOOST_CHECK_THROW(net.get_parameters(std::span<float>(short_of_one)), std::invalid_argument);
  BOOST_CHECK_THROW(g.get_parameters(std::span<float>(short_of_one)), std::invalid_argument);
  BOOST_TEST(short_of_one == std::vector<float>(26, -1.0f), boost::test_tools::per_element());
  std::vector<float> read(27);
  net.get_parameters(std::span<float>(read));
  std::array<float, 27> fixed{};
  net.get_parameters(fixed);
  BOOST_TEST(read == std::vector<float>(fixed.begin(), fixed.end()), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradients_zero_scale_and_add_scaled_act_on_every_parameter, T, Scalars) {
  using Net = Mixed<T>;
  using G = Gradients<Net>;
  static_assert(std::is_same_v<G, typename Net::parameters_type>);
  const auto a = random_values<T>(Net::parameter_count, 6);
  const auto b = random_values<T>(Net::parameter_count, 7);
  auto ga = std::make_unique<G>(), gb = std::make_unique<G>();
  ga->set_parameters(std::span<const T>(a));
  gb->set_parameters(std::span<const T>(b));

  ga->scale(T(0.5));
  std::vector<T> expected(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) expected[k] = a[k] * T(0.5);  // exact: a power of two
  BOOST_TEST(parameters_of(*ga) == expected, boost::test_tools::per_element());

  ga->add_scaled(T(-0.25), *gb);
  check_axpy(parameters_of(*ga), expected, T(-0.25), b, "y + alpha x");
  BOOST_TEST(layout_padding_is_zero(*ga));

  ga->zero();
  for (T v : parameters_of(*ga)) BOOST_TEST(v == T(0));
  BOOST_TEST((*ga == G{}));
}

// The padding that kernels read must stay zero through every operation.
BOOST_AUTO_TEST_CASE(padding_stays_zero_through_initialisation_training_and_updates) {
  using Net = Mixed<float>;
  auto net = std::make_unique<Net>();
  initialize(*net, init::Normal{}, init::Normal{}, 8);
  BOOST_TEST(layout_padding_is_zero(net->parameters()));
  Gradients<Net> g;
  TestRng rng(8);
  for (int i = 0; i < 3; ++i)
    net->backward(uniform_array<float, 5>(rng, -1, 1), std::array<float, 2>{1, 0}, BinaryCrossEntropy{}, g);
  BOOST_TEST(layout_padding_is_zero(g));
  g.scale(3.0f);
  GradientDescent<float>{0.1f}.step(*net, g);
  BOOST_TEST(layout_padding_is_zero(net->parameters()));
}

BOOST_AUTO_TEST_CASE(parameter_sets_are_plain_values_of_whole_cache_lines) {
  using G = Gradients<Blobs<float>>;
  static_assert(std::is_trivially_copyable_v<G>);
  static_assert(G::layer_count == 2);
  static_assert(G::parameter_count == 27);
  static_assert(G::storage_size % lanes_per_line<float> == 0);
  static_assert(sizeof(G) == G::storage_size * sizeof(float));
  BOOST_TEST(sizeof(G) == (4 * 16 + 16 + 3 * 16 + 16) * sizeof(float));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
