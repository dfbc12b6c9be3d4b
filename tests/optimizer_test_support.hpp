// fixnet tests — helpers shared by the tests of the optimisers and the other
// training passes (regularisation, clipping, finiteness, dropout): the
// parameter sets under test, their values in canonical order, a
// layout-independent padding check, a 1-1 layer for cases worked out by hand,
// and the driver that runs an optimiser for several steps beside an
// elementwise reference in double, for every configuration of it, on one
// target's kernel or through the public step on a network.
//
// Include after <fixnet/fixnet.hpp> and test_support.hpp.
#ifndef FIXNET_TESTS_OPTIMIZER_TEST_SUPPORT_HPP
#define FIXNET_TESTS_OPTIMIZER_TEST_SUPPORT_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

namespace fixnet::tests {

/// The 2-3-2 network of the hand-computed cases.
template <class T>
using Tiny = BasicNetwork<T, Dense<2, 3, Sigmoid>, Dense<3, 2, Identity>>;
/// Rows of several lines and a layer without bias: every target's vectors
/// run over more than one line per row, and a bias region is missing.
template <class T>
using Wide = BasicNetwork<T, Dense<19, 33, Tanh>, Dense<33, 17, Relu, NoBias>, Dense<17, 3, Identity>>;

/// The sets each optimiser's kernel is checked on: both scalar types, and
/// the rows of several lines in float.
using ReferenceSets =
    std::tuple<typename Tiny<float>::parameters_type, typename Tiny<double>::parameters_type,
               typename Wide<float>::parameters_type>;

/// Values of a parameter set in canonical order, as double.
template <class P>
std::vector<double> canonical(const P& p) {
  using T = typename P::scalar_type;
  std::vector<T> v(P::parameter_count);
  p.get_parameters(std::span<T, P::parameter_count>(v.data(), v.size()));
  return std::vector<double>(v.begin(), v.end());
}

/// Sets a parameter set from canonical values (rounded to its scalar type).
template <class P>
void assign(P& p, const std::vector<double>& values) {
  using T = typename P::scalar_type;
  std::vector<T> v(values.begin(), values.end());
  p.set_parameters(std::span<const T>(v));
}

/// The values rounded to T and back: what a set of T holds after `assign`.
template <class T>
std::vector<double> rounded(const std::vector<double>& values) {
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = static_cast<double>(static_cast<T>(values[i]));
  return out;
}

/// For each canonical index, whether it is a bias (layer by layer: In x Out
/// weights, then Out biases if the layer has them).
template <class P>
std::vector<bool> bias_mask() {
  std::vector<bool> mask;
  P().for_each_layer([&](const auto& block) {
    using B = std::remove_cvref_t<decltype(block)>;
    mask.insert(mask.end(), B::inputs * B::outputs, false);
    if constexpr (B::has_bias) mask.insert(mask.end(), B::outputs, true);
  });
  return mask;
}

/// Whether every stored value that is not a parameter (row and bias padding)
/// is zero, without knowing the layout: the non-zero stored values must be
/// exactly the non-zero canonical values (as multisets).
template <class P>
bool padding_is_zero(const P& p) {
  std::vector<double> stored;
  p.for_each_layer([&](const auto& block) {
    for (const auto x : block.storage())
      if (x != 0) stored.push_back(static_cast<double>(x));
  });
  std::vector<double> values;
  for (const double x : canonical(p))
    if (x != 0) values.push_back(x);
  // NaN compares unequal to itself; treat all NaNs as one value for sorting.
  const auto less = [](double a, double b) { return std::isnan(b) ? !std::isnan(a) : a < b; };
  std::sort(stored.begin(), stored.end(), less);
  std::sort(values.begin(), values.end(), less);
  return std::equal(stored.begin(), stored.end(), values.begin(), values.end(),
                    [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); });
}

/// Tolerance of a kernel in T against the reference in double, elementwise:
/// |kernel - reference| <= rel |reference| + rel * scale, where scale is the
/// largest |reference| of the set (at least 1), for entries that are small
/// differences of larger terms. Over five steps of every optimiser and
/// option, the worst deviation observed is 2.6e-7 of the scale in float (two
/// ULP: a few roundings per step, carried through the state) and 3.3e-16 in
/// double; the bounds leave a margin of about ten. A wrong coefficient, sign,
/// step count or region is off by orders more.
template <class T>
inline constexpr double optimizer_rel = std::is_same_v<T, float> ? 2e-6 : 4e-15;

/// Known parameters and gradients: parameters p_k = 0.9 sin(0.7 k + 0.3),
/// gradients at step t (1-based) g_k = (1 + t mod 3) / 2 * cos(1.3 k + 0.9 t)
/// (magnitudes that rise and fall, so that AMSGrad's maximum matters), with
/// every seventh gradient exactly zero at odd steps.
struct KnownValues {
  static double parameter(std::size_t k) { return 0.9 * std::sin(0.7 * double(k) + 0.3); }
  static double gradient(std::size_t k, std::size_t t) {
    if (t % 2 == 1 && k % 7 == 3) return 0;
    return (1.0 + double(t % 3)) / 2.0 * std::cos(1.3 * double(k) + 0.9 * double(t));
  }
};

/// KnownValues' gradients of step t for a set P, rounded to its scalar type.
template <class P>
std::vector<double> known_gradients(std::size_t t) {
  std::vector<double> g(P::parameter_count);
  for (std::size_t k = 0; k < g.size(); ++k) g[k] = KnownValues::gradient(k, t);
  return rounded<typename P::scalar_type>(g);
}

/// A 1-1 identity layer and a gradient set for it, as (w, b) pairs: small
/// cases worked out by hand, most of them exact in binary.
struct OneUnit {
  using Net = Network<Dense<1, 1, Identity>>;
  Net net;
  Gradients<Net> g;
  /// The network as constructed (w = b = 0), the gradients given.
  explicit OneUnit(const std::array<float, 2>& gradients) {
    g.set_parameters(std::span<const float, 2>(gradients));
  }
  OneUnit(const std::array<float, 2>& parameters, const std::array<float, 2>& gradients)
      : OneUnit(gradients) {
    net.set_parameters(parameters);
  }
  /// (w, b) now.
  std::array<float, 2> parameters() const {
    std::array<float, 2> p{};
    net.get_parameters(p);
    return p;
  }
};

/// The message of the std::invalid_argument that `f` throws ("" if none).
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

/// An elementwise optimiser in double: step(p, g, state, t, is_bias) updates
/// one parameter p with gradient g at step t (1-based); `state` holds its
/// state sets in the order of the optimiser's `states` list.
using ReferenceStep = std::function<void(double& p, double g, std::array<double, 3>& state, std::size_t t, bool is_bias)>;

/// Runs `steps` steps of an optimiser over P, each through `step(params,
/// grads)`, beside the reference, from KnownValues; after every step checks
/// the parameters (weights and biases), each state set named by
/// `states(optimizer)`, that padding is zero everywhere, and that the
/// gradients were left alone.
template <class P, class Optimizer, class Step, class States>
void check_against_reference(Optimizer& optimizer, Step&& step, const ReferenceStep& reference,
                             States&& states, std::size_t steps, const std::string& what) {
  using T = typename P::scalar_type;
  constexpr std::size_t n = P::parameter_count;
  const std::vector<bool> is_bias = bias_mask<P>();
  BOOST_TEST_REQUIRE(is_bias.size() == n);
  std::vector<double> p0(n);
  for (std::size_t k = 0; k < n; ++k) p0[k] = KnownValues::parameter(k);
  auto params = std::make_unique<P>();
  auto grads = std::make_unique<P>();
  assign(*params, p0);
  std::vector<double> expected = rounded<T>(p0);
  std::vector<std::array<double, 3>> state(n, std::array<double, 3>{});
  for (std::size_t t = 1; t <= steps; ++t) {
    std::vector<double> g(n);
    for (std::size_t k = 0; k < n; ++k) g[k] = KnownValues::gradient(k, t);
    g = rounded<T>(g);
    assign(*grads, g);
    step(optimizer, *params, *grads);
    for (std::size_t k = 0; k < n; ++k) reference(expected[k], g[k], state[k], t, is_bias[k]);
    BOOST_TEST_CONTEXT(what << ", step " << t) {
      const double rel = optimizer_rel<T>;
      check_close_all(canonical(*params), expected, rel, rel * std::max(1.0, max_abs(expected)), "parameters");
      BOOST_TEST(padding_is_zero(*params));
      BOOST_TEST(canonical(*grads) == g, boost::test_tools::per_element());
      const std::vector<const P*> sets = states(optimizer);
      for (std::size_t j = 0; j < sets.size(); ++j) {
        std::vector<double> s(n);
        for (std::size_t k = 0; k < n; ++k) s[k] = state[k][j];
        check_close_all(canonical(*sets[j]), s, rel, rel * std::max(1.0, max_abs(s)),
                        "state set " + std::to_string(j));
        BOOST_TEST(padding_is_zero(*sets[j]));
      }
    }
  }
}

/// A named configuration of an optimiser: its options in scalar type T.
template <class Options>
struct OptimizerConfig {
  const char* name;
  Options options;
};

/// "NAME <float, 17 parameters>": a configuration on a set type, in a context.
template <class P>
std::string describe_set(const std::string& name) {
  return name + " <" + (std::is_same_v<typename P::scalar_type, float> ? "float" : "double") +
         ", " + std::to_string(P::parameter_count) + " parameters>";
}

/// Runs every configuration of an optimiser for five steps beside its
/// reference (check_against_reference), each step through `step(optimizer,
/// params, grads)`. `UnderTest` describes the optimiser:
///
///   template <class Model> using type = Sgd<Model>;
///   template <class T> static std::vector<OptimizerConfig<SgdOptions<T>>> configs();
///   template <class T> static ReferenceStep reference(const SgdOptions<T>&);
///   template <class O> static std::vector<const typename O::parameters_type*> states(const O&);
template <class UnderTest, class Model, class P, class Step>
void check_every_configuration(Step&& step, const std::string& how) {
  using O = typename UnderTest::template type<Model>;
  for (const auto& c : UnderTest::template configs<typename P::scalar_type>()) {
    O optimizer(c.options);
    check_against_reference<P>(optimizer, step, UnderTest::reference(c.options),
                               UnderTest::template states<O>, 5, describe_set<P>(c.name) + how);
  }
}

/// Every configuration on one target's kernel (`kernel.step`, called through
/// `step_with`) for one set type P.
template <class UnderTest, template <class> class Kernel, class P>
void check_every_configuration_on_kernel(const Kernel<P>& kernel) {
  check_every_configuration<UnderTest, P, P>(
      [&](auto& o, P& p, const P& g) { o.step_with(kernel.step, p, g); }, "");
}

/// Every configuration through the public step (static target) on a 2-3-2
/// network in float.
template <class UnderTest>
void check_every_configuration_on_a_network() {
  using Net = Tiny<float>;
  using P = Gradients<Net>;
  Net net;
  check_every_configuration<UnderTest, Net, P>(
      [&](auto& o, P& p, const P& g) {
        net.parameters() = p;
        o.step(net, g);
        p = net.parameters();
      },
      ", step(net, grads)");
}

/// A check of a whole table of kernels (FIXNET_ON_EVERY_TARGET's argument)
/// that calls `check` on each entry.
template <class Check>
auto on_each_entry(Check check) {
  return [check](const auto& table) { for_each_entry(table, check); };
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_OPTIMIZER_TEST_SUPPORT_HPP
