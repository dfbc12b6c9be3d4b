// NaN and infinity through every kernel, on every Highway target compiled
// into this binary (HWY_IS_TEST compiles every target the CPU can attain):
// - activations (Identity, Sigmoid, Tanh, Relu, LeakyRelu, Softmax), forward
//   and backward rows, NaN or +-inf at each position of z, of the incoming
//   gradient and of the outputs a;
// - losses (cross-entropy, fused with softmax or not; binary cross-entropy,
//   fused with sigmoid or not; squared errors), value and delta, at each
//   position of the logits and of the target;
// - whole networks (rows, samples in lanes, the one-sample path in
//   registers): forward, loss, backward and the fused gradient-descent step,
//   with NaN or +-inf in an input, a weight, a bias or a target;
// - the optimiser kernels (SGD, Adam, RMSProp in their variants; L2, axpy,
//   scale, sum of squares, all_finite), with NaN or +-inf in a gradient, a
//   parameter or a piece of the optimiser's state.
//
// The rule, elementwise, against the scalar reference in double (whose
// kernels' inputs are converted exactly): where the reference gives NaN the
// kernel gives NaN (when NaN came in; when only infinities came in, NaN or an
// infinity); where the reference gives +-inf the kernel gives the same
// infinity or NaN; where the reference is finite the kernel agrees within the
// tolerance of the kernel tests. Beside it, checks that trust no reference:
// NaN in gives NaN where it arrives (the output it feeds, the loss, the
// gradient, the stepped parameter), NaN never leaks into padding (where it
// would poison the next layer through its zero weights: 0 * NaN is NaN), and
// an optimiser step leaves every other parameter exactly as a clean step does.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_NON_FINITE_KERNEL_TEST_PRELUDE
#define FIXNET_TESTS_NON_FINITE_KERNEL_TEST_PRELUDE

#define BOOST_TEST_MODULE non_finite_kernel
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_NON_FINITE_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "non_finite_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target
#include "kernel_support.hpp"  // after per_target.hpp, likewise

#ifndef FIXNET_TESTS_NON_FINITE_KERNEL_TEST_TYPES
#define FIXNET_TESTS_NON_FINITE_KERNEL_TEST_TYPES

#include "reference.hpp"

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

// ---------------------------------------------------------------- the rule

/// A value injected into a kernel's input.
struct Special {
  const char* name;
  double value;
  bool is_nan;
};
inline const std::array<Special, 3> specials{{
    {"NaN", std::numeric_limits<double>::quiet_NaN(), true},
    {"+inf", std::numeric_limits<double>::infinity(), false},
    {"-inf", -std::numeric_limits<double>::infinity(), false},
}};

/// How far a kernel may depart from the reference where only infinities
/// came in.
enum class InfinityRule {
  /// A finite reference value must be matched.
  exact,
  /// A finite reference value may come out as NaN: a whole network forms
  /// products of an infinity and zero that the reference does not (samples
  /// in lanes: the lanes past the batch hold zeros, and an infinite weight
  /// times those is NaN, which their zero loss gradient does not stop from
  /// reaching the weight gradients' lane sums).
  nan_allowed,
};

/// Whether a kernel's `actual` agrees with the reference's `expected` (see
/// the file's comment).
inline bool agrees(double actual, double expected, bool nan_came_in, double rel, double abs,
                   InfinityRule rule = InfinityRule::exact) {
  if (std::isnan(expected)) return nan_came_in ? std::isnan(actual) : !std::isfinite(actual);
  if (std::isinf(expected)) return actual == expected || std::isnan(actual);
  if (!nan_came_in && rule == InfinityRule::nan_allowed && std::isnan(actual)) return true;
  return std::isfinite(actual) && within(actual, expected, rel, abs);
}

inline double finite_scale(const std::vector<double>& xs) {
  double m = 1;
  for (const double x : xs)
    if (std::isfinite(x)) m = std::max(m, std::abs(x));
  return m;
}

/// Checks `agrees` on every element, `abs` times the largest finite
/// |expected| (at least 1); one line for the whole set.
inline void check_agrees(const std::vector<double>& actual, const std::vector<double>& expected,
                         bool nan_came_in, double rel, double abs, const std::string& what,
                         InfinityRule rule = InfinityRule::exact) {
  BOOST_TEST_REQUIRE(actual.size() == expected.size());
  const double scaled_abs = abs * finite_scale(expected);
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < actual.size(); ++i)
    if (!agrees(actual[i], expected[i], nan_came_in, rel, scaled_abs, rule) && bad++ == 0) first = i;
  BOOST_CHECK_MESSAGE(bad == 0, what << ": " << bad << " of " << actual.size()
                                     << " elements disagree with the reference; first at [" << first
                                     << "]: " << std::setprecision(9) << actual[first] << " vs "
                                     << expected[first]);
}

inline bool any_nan(const std::vector<double>& xs) {
  return std::any_of(xs.begin(), xs.end(), [](double x) { return std::isnan(x); });
}
inline bool any_non_finite(const std::vector<double>& xs) {
  return std::any_of(xs.begin(), xs.end(), [](double x) { return !std::isfinite(x); });
}

/// Kernel tolerances (those of activation_kernel_test and
/// network_kernel_test).
template <class T>
inline constexpr Bounds tolerance = bounds_for<T>({.rel = 3e-6, .abs = 3e-7}, {.rel = 1e-14, .abs = 1e-14});

/// Whole networks with a non-finite value injected: an infinity saturates
/// tanh and sigmoid units, whose derivatives 1 - y^2 and y (1 - y) are then
/// differences of float values rounded next to 1, and an unoptimised build
/// (no FMA contraction, the sanitizer pass) rounds them differently from the
/// optimised one: the absolute part is 1e-6 for floats (3.6e-7 measured on
/// a 19-33-17-9-3 network's gradient in the debug build).
template <class T>
inline constexpr Bounds network_tolerance =
    bounds_for<T>({.rel = tolerance<float>.rel, .abs = 1e-6}, {.rel = tolerance<double>.rel, .abs = 1e-14});

/// Finite test values, the same on every run: 2 sin(1.7 i + 0.4 + phase),
/// rounded to T.
template <class T>
std::vector<double> wave(std::size_t n, double phase, double amplitude = 2) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<double>(static_cast<T>(amplitude * std::sin(1.7 * double(i) + 0.4 + phase)));
  return v;
}

// ---------------------------------------------------------------- activations

inline constexpr std::size_t max_width = 17;
template <class T>
using Row = PaddedRow<T, max_width>;

/// Whether elements n .. padded(n) are exactly zero (NaN is not).
template <class T>
bool padding_zero(const Row<T>& row, std::size_t n) {
  return nonzero_padding(row, n) == 0;
}

/// NaN or +-inf at position p of z, of the incoming gradient, of the outputs.
template <class T>
void check_activation(const ActivationKernels<T>& k) {
  const std::size_t n = k.width;
  for (const Special& s : specials) {
    for (std::size_t p = 0; p < n; ++p) {
      std::ostringstream what_stream;
      what_stream << k.activation << " <" << type_name<T>() << ", N=" << n << "> with " << s.name << " at [" << p
                  << "] of ";
      const std::string what = what_stream.str();
      Row<T> z, a, g, d;
      std::vector<double> expected(n);

      // Forward.
      auto zv = wave<T>(n, 0);
      zv[p] = s.value;
      fill_row(z, zv);
      k.forward(z.data(), a.data());
      k.reference_forward(zv.data(), expected.data());
      check_agrees(first(a, n), expected, s.is_nan, tolerance<T>.rel, tolerance<T>.abs, what + "z, forward");
      BOOST_CHECK_MESSAGE(padding_zero(a, n), what << "z: forward wrote non-zero padding");
      if (s.is_nan) {
        BOOST_CHECK_MESSAGE(std::isnan(a[p]), what << "z: forward gives " << a[p] << ", not NaN");
        BOOST_CHECK_MESSAGE(std::isnan(expected[p]), what << "z: the reference gives " << expected[p]);
        if (!k.elementwise)
          BOOST_CHECK_MESSAGE(any_nan(first(a, n)) && std::all_of(a.v.begin(), a.v.begin() + n, [](T x) { return std::isnan(x); }),
                              what << "z: a softmax output is not NaN");
      }

      // Backward, the special in the incoming gradient.
      const auto z0 = wave<T>(n, 0);
      fill_row(z, z0);
      k.forward(z.data(), a.data());
      const auto av = first(a, n);
      auto gv = wave<T>(n, 1.1, 1);
      gv[p] = s.value;
      fill_row(g, gv);
      k.backward(a.data(), g.data(), d.data());
      k.reference_backward(av.data(), gv.data(), expected.data());
      check_agrees(first(d, n), expected, s.is_nan, tolerance<T>.rel, tolerance<T>.abs,
                   what + "the incoming gradient, backward");
      BOOST_CHECK_MESSAGE(padding_zero(d, n), what << "the incoming gradient: backward wrote non-zero padding");
      if (s.is_nan) BOOST_CHECK_MESSAGE(std::isnan(d[p]), what << "the incoming gradient: backward gives " << d[p]);

      // Backward, the special in the outputs a.
      auto a_special = av;
      a_special[p] = s.value;
      fill_row(a, a_special);
      fill_row(g, wave<T>(n, 1.1, 1));
      const auto g_clean = wave<T>(n, 1.1, 1);
      k.backward(a.data(), g.data(), d.data());
      k.reference_backward(a_special.data(), g_clean.data(), expected.data());
      check_agrees(first(d, n), expected, s.is_nan, tolerance<T>.rel, tolerance<T>.abs, what + "a, backward");
      BOOST_CHECK_MESSAGE(padding_zero(d, n), what << "a: backward wrote non-zero padding");
      // The identity's derivative does not read a.
      if (s.is_nan && std::string_view(k.activation) != "Identity") {
        BOOST_CHECK_MESSAGE(std::isnan(d[p]), what << "a: backward gives " << d[p] << ", not NaN");
        BOOST_CHECK_MESSAGE(std::isnan(expected[p]), what << "a: the reference's backward gives " << expected[p]);
      }
    }
  }
}

// ---------------------------------------------------------------- losses

/// The output stage of reference::backward, in double: the loss of one row
/// of logits z against t, and dL/dz.
template <class L, class Act, std::size_t N>
double reference_loss(const double* z_ptr, const double* t_ptr, double* delta_ptr) {
  using In = std::span<const double, N>;
  const In z(z_ptr, N), t(t_ptr, N);
  std::array<double, N> a{}, ga{};
  Act::reference_forward(z, std::span<double, N>(a));
  const std::span<double, N> delta(delta_ptr, N);
  if constexpr (detail::loss_fused<L, Act>) {
    L::reference_fused_delta(In(a), t, delta);
    return L::reference_fused_value(z, t);
  } else {
    L::reference_gradient(In(a), t, std::span<double, N>(ga));
    Act::reference_backward(In(a), In(ga), delta);
    return L::reference_value(In(a), t);
  }
}

template <class T>
struct LossKernels {
  const char* name;
  std::size_t width;
  void (*forward)(const T* z, T* a);
  T (*loss_row)(const T* z, const T* a, const T* t, T* delta);
  T (*loss_value_row)(const T* z, const T* a, const T* t);
  double (*reference)(const double* z, const double* t, double* delta);
  /// Logarithms clamped at the smallest normal number of T (AllowAnyOutput):
  /// an output driven to 0 by an infinite logit gives a large finite loss
  /// by design, and the clamped tail is not the reference's in double.
  bool clamped;
};

/// NaN or +-inf at each position of the logits and of the target.
template <class T>
void check_loss(const LossKernels<T>& k) {
  const std::size_t n = k.width;
  for (const Special& s : specials) {
    for (const bool in_target : {false, true}) {
      for (std::size_t p = 0; p < n; ++p) {
        std::ostringstream what_stream;
        what_stream << k.name << " <" << type_name<T>() << ", N=" << n << "> with " << s.name << " at ["
                    << p << "] of the " << (in_target ? "target" : "logits") << ": ";
        const std::string what = what_stream.str();
        auto zv = wave<T>(n, 0.3);
        std::vector<double> tv(n);
        for (std::size_t i = 0; i < n; ++i) tv[i] = i % 3 == 1 ? 1.0 : 0.0;
        (in_target ? tv : zv)[p] = s.value;
        Row<T> z, a, t, delta;
        fill_row(z, zv);
        fill_row(t, tv);
        k.forward(z.data(), a.data());
        const T loss = k.loss_row(z.data(), a.data(), t.data(), delta.data());
        const T value = k.loss_value_row(z.data(), a.data(), t.data());
        std::vector<double> expected(n);
        const double expected_loss = k.reference(zv.data(), tv.data(), expected.data());
        BOOST_CHECK_MESSAGE(padding_zero(delta, n), what << "non-zero padding in delta");
        if (k.clamped && !in_target && !s.is_nan) continue;
        check_agrees({double(loss)}, {expected_loss}, s.is_nan, tolerance<T>.rel, tolerance<T>.abs,
                     what + "loss_row's loss");
        check_agrees({double(value)}, {expected_loss}, s.is_nan, tolerance<T>.rel, tolerance<T>.abs,
                     what + "loss_value_row");
        check_agrees(first(delta, n), expected, s.is_nan, tolerance<T>.rel, tolerance<T>.abs, what + "delta");
        if (s.is_nan) {
          BOOST_CHECK_MESSAGE(std::isnan(loss) && std::isnan(value),
                              what << "the loss is " << loss << " (loss_row) and " << value << " (loss_value_row)");
          BOOST_CHECK_MESSAGE(std::isnan(delta[p]), what << "delta is " << delta[p] << " there");
          BOOST_CHECK_MESSAGE(std::isnan(expected_loss), what << "the reference's loss is " << expected_loss);
        }
      }
    }
  }
}

// ---------------------------------------------------------------- networks

// BlobsSpec, DeepSpec and SoftmaxHiddenSpec: kernel_support.hpp.
struct ReluSpec {
  // Relu straight after the input, and an unfused loss after an identity.
  template <class T>
  using net = BasicNetwork<T, Dense<3, 5, Relu>, Dense<5, 2, Identity>>;
  using loss = MeanSquaredError;
  static constexpr const char* name = "3-5-2 relu/identity, mean squared error";
};

template <class Spec, class T, std::size_t B>
using Case = NetworkCase<Spec, T, B>;

// B = 1 runs the one-sample forward pass in registers (2-4-3 float); B = 37
// float puts samples in lanes; the others are rows.
using Cases = std::tuple<Case<BlobsSpec, float, 1>, Case<BlobsSpec, float, 5>, Case<BlobsSpec, float, 37>,
                         Case<BlobsSpec, double, 3>, Case<DeepSpec, float, 5>, Case<DeepSpec, double, 2>,
                         Case<ReluSpec, float, 1>, Case<ReluSpec, float, 37>, Case<SoftmaxHiddenSpec, float, 37>>;
static_assert(Workspace<BlobsSpec::net<float>, 37>::lanes && Workspace<ReluSpec::net<float>, 37>::lanes &&
                  !Workspace<BlobsSpec::net<float>, 5>::lanes,
              "the cases must cover both layouts");

/// Where a special value goes in a network case.
enum class Site { input_first, input_last, weight_first, weight_last, bias_first, bias_last, target };
inline const char* site_name(Site s) {
  switch (s) {
    case Site::input_first: return "the first input of sample 0";
    case Site::input_last: return "the last input of sample 0";
    case Site::weight_first: return "the first layer's first weight";
    case Site::weight_last: return "the last layer's last weight";
    case Site::bias_first: return "the first layer's first bias";
    case Site::bias_last: return "the last layer's last bias";
    case Site::target: return "the first target of sample 0";
  }
  return "";
}

/// Canonical index of a parameter site, or -1 where the network has none
/// (no bias).
template <class P>
std::ptrdiff_t parameter_index(Site site) {
  struct Block {
    std::size_t begin, inputs, outputs;
    bool has_bias;
  };
  std::vector<Block> blocks;
  std::size_t at = 0;
  P().for_each_layer([&](const auto& block) {
    using B = std::remove_cvref_t<decltype(block)>;
    blocks.push_back({at, B::inputs, B::outputs, B::has_bias});
    at += B::inputs * B::outputs + (B::has_bias ? B::outputs : 0);
  });
  const Block& f = blocks.front();
  const Block& l = blocks.back();
  switch (site) {
    case Site::weight_first: return static_cast<std::ptrdiff_t>(f.begin);
    case Site::weight_last: return static_cast<std::ptrdiff_t>(l.begin + l.inputs * l.outputs - 1);
    case Site::bias_first: return f.has_bias ? static_cast<std::ptrdiff_t>(f.begin + f.inputs * f.outputs) : -1;
    case Site::bias_last:
      return l.has_bias ? static_cast<std::ptrdiff_t>(l.begin + l.inputs * l.outputs + l.outputs - 1) : -1;
    default: return -1;
  }
}

/// One case, one site, one special value: forward, loss, backward and the
/// fused step against the reference; returns the gradient (canonical) for
/// the optimiser checks.
template <class C>
void check_network_site(const NetworkKernels<C>& k, Site site, const Special& s) {
  using T = typename C::scalar;
  using Net = typename C::Net;
  using P = typename C::Params;
  using RefNet = typename AsDouble<Net>::type;
  constexpr std::size_t B = C::batch;
  const bool is_parameter = site != Site::input_first && site != Site::input_last && site != Site::target;
  const std::ptrdiff_t index = parameter_index<P>(site);
  if (is_parameter && index < 0) return;
  std::ostringstream what_stream;
  what_stream << C::spec::name << " <" << type_name<T>() << ", B=" << B << "> with " << s.name << " in "
              << site_name(site) << ": ";
  const std::string what = what_stream.str();
  constexpr InfinityRule kRule = InfinityRule::nan_allowed;

  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Normal{0.0, 0.5}, 1234);
  if (is_parameter) {
    auto values = canonical(net->parameters());
    values[static_cast<std::size_t>(index)] = s.value;
    assign(net->parameters(), values);
  }
  const auto ref_net = std::make_unique<RefNet>(*net);

  std::vector<std::array<double, Net::inputs>> xs(B);
  std::vector<std::array<double, Net::outputs>> ts(B);
  for (std::size_t b = 0; b < B; ++b) {
    const auto x = wave<T>(Net::inputs, 0.37 * double(b));
    std::copy(x.begin(), x.end(), xs[b].begin());
    for (std::size_t o = 0; o < Net::outputs; ++o) ts[b][o] = (o + b) % Net::outputs == 0 ? 1.0 : 0.0;
  }
  if (site == Site::input_first) xs[0][0] = s.value;
  if (site == Site::input_last) xs[0][Net::inputs - 1] = s.value;
  if (site == Site::target) ts[0][0] = s.value;

  auto ws = std::make_unique<typename C::Ws>();
  const auto write = [&] {
    for (std::size_t b = 0; b < B; ++b) {
      std::array<T, Net::inputs> x;
      std::array<T, Net::outputs> t;
      std::copy(xs[b].begin(), xs[b].end(), x.begin());
      std::copy(ts[b].begin(), ts[b].end(), t.begin());
      ws->set_input(b, x);
      ws->set_target(b, t);
    }
  };

  // Forward.
  write();
  k.forward(net->parameters(), *ws);
  for (std::size_t b = 0; b < B; ++b) {
    std::array<T, Net::outputs> y;
    ws->get_output(b, y);
    const auto expected = reference::forward(*ref_net, xs[b]);
    const std::vector<double> actual(y.begin(), y.end()), e(expected.begin(), expected.end());
    check_agrees(actual, e, s.is_nan, tolerance<T>.rel, tolerance<T>.abs,
                 what + "forward, sample " + std::to_string(b), kRule);
    if (s.is_nan && site != Site::target && (b == 0 || is_parameter)) {
      BOOST_CHECK_MESSAGE(any_nan(actual), what << "forward, sample " << b << ": no output is NaN");
      BOOST_CHECK_MESSAGE(any_nan(e), what << "forward, sample " << b << ": no output of the reference is NaN");
    }
  }

  // Loss.
  write();
  const T loss = k.loss(net->parameters(), *ws);
  auto ref_gradient = std::make_unique<typename RefNet::parameters_type>();
  double ref_loss = 0;
  for (std::size_t b = 0; b < B; ++b)
    ref_loss += reference::backward(*ref_net, xs[b], ts[b], typename C::Loss{}, *ref_gradient);
  check_agrees({double(loss)}, {ref_loss}, s.is_nan, network_tolerance<T>.rel, network_tolerance<T>.abs, what + "loss", kRule);
  if (s.is_nan) BOOST_CHECK_MESSAGE(std::isnan(loss), what << "the loss is " << loss << ", not NaN");

  // Backward into zeroed gradients.
  write();
  auto grads = std::make_unique<P>();
  const T backward_loss = k.backward(net->parameters(), *ws, *grads, T(1));
  check_agrees({double(backward_loss)}, {ref_loss}, s.is_nan, network_tolerance<T>.rel, network_tolerance<T>.abs,
               what + "backward's loss", kRule);
  const auto expected_gradient = canonical(*ref_gradient);
  const auto gradient = canonical(*grads);
  check_agrees(gradient, expected_gradient, s.is_nan, network_tolerance<T>.rel, network_tolerance<T>.abs, what + "gradient", kRule);
  BOOST_CHECK_MESSAGE(padding_is_zero(*grads), what << "the gradient's padding is not zero");
  if (s.is_nan) {
    BOOST_CHECK_MESSAGE(std::isnan(backward_loss), what << "backward's loss is " << backward_loss);
    BOOST_CHECK_MESSAGE(any_nan(gradient), what << "no gradient is NaN");
  }

  // The fused step: the parameters as the gradient sink, scale -lr.
  constexpr double lr = 0.125;
  write();
  auto stepped = std::make_unique<Net>(*net);
  k.backward(stepped->parameters(), *ws, stepped->parameters(), T(-lr));
  auto expected_parameters = canonical(net->parameters());
  for (std::size_t i = 0; i < expected_parameters.size(); ++i)
    expected_parameters[i] += -lr * expected_gradient[i];
  const auto parameters = canonical(stepped->parameters());
  check_agrees(parameters, expected_parameters, s.is_nan, network_tolerance<T>.rel, network_tolerance<T>.abs,
               what + "parameters after a fused step", kRule);
  BOOST_CHECK_MESSAGE(padding_is_zero(stepped->parameters()), what << "parameter padding not zero after a step");
  if (s.is_nan) BOOST_CHECK_MESSAGE(any_nan(parameters), what << "no parameter is NaN after a fused step");
  else BOOST_CHECK_MESSAGE(any_non_finite(parameters), what << "every parameter is finite after a fused step");
}

template <class C>
void check_network(const NetworkKernels<C>& k) {
  for (const Special& s : specials)
    for (const Site site : {Site::input_first, Site::input_last, Site::weight_first, Site::weight_last,
                            Site::bias_first, Site::bias_last, Site::target})
      check_network_site(k, site, s);
}

// ---------------------------------------------------------------- optimisers

template <class T>
using OptimizerNet = BasicNetwork<T, Dense<2, 3, Sigmoid>, Dense<3, 17, Identity>>;

template <class P>
struct OptimizerKernels {
  using T = typename P::scalar_type;
  void (*sgd)(const detail::SgdStep<T>&, P&, const P&, P&) = nullptr;
  void (*adam)(const detail::AdamStep<T>&, P&, const P&, P&, P&, P&) = nullptr;
  void (*rmsprop)(const detail::RmsPropStep<T>&, P&, const P&, P&, P&, P&) = nullptr;
  void (*add_l2)(T, bool, const P&, P&) = nullptr;
  double (*sum_of_squares)(const P&, bool) = nullptr;
  void (*axpy)(T, const P&, P&, std::size_t, std::size_t) = nullptr;
  void (*scale)(T, P&) = nullptr;
  bool (*all_finite)(const P&) = nullptr;
};
using OptimizerSets = std::tuple<typename OptimizerNet<float>::parameters_type,
                                 typename OptimizerNet<double>::parameters_type>;

/// An optimiser step over the parameters, a gradient and up to three state
/// sets; which state sets it reads.
template <class P>
struct StepUnderTest {
  std::string name;
  std::function<void(P& p, const P& g, std::array<P, 3>& state)> step;
  std::vector<std::size_t> states_used;
  std::array<const char*, 3> state_names;
};

template <class P>
std::vector<StepUnderTest<P>> steps_of(const OptimizerKernels<P>& k) {
  using T = typename P::scalar_type;
  std::vector<StepUnderTest<P>> steps;
  const std::array<const char*, 3> sgd_names{"momentum buffer", "", ""};
  for (const auto& [name, momentum, nesterov, wd] :
       std::vector<std::tuple<const char*, double, bool, double>>{
           {"SGD", 0, false, 0}, {"SGD momentum", 0.9, false, 0}, {"SGD Nesterov, weight decay", 0.9, true, 0.1}}) {
    const detail::SgdStep<T> s{.lr = T(0.1), .momentum = T(momentum), .gradient_scale = T(1),
                               .weight_decay = T(wd), .nesterov = nesterov, .decay_biases = true};
    const auto sgd = k.sgd;
    steps.push_back({name, [=](P& p, const P& g, std::array<P, 3>& st) { sgd(s, p, g, st[0]); },
                     momentum != 0 ? std::vector<std::size_t>{0} : std::vector<std::size_t>{}, sgd_names});
  }
  const std::array<const char*, 3> adam_names{"first moment", "second moment", "max second moment"};
  for (const auto& [name, amsgrad, decoupled, wd] :
       std::vector<std::tuple<const char*, bool, bool, double>>{{"Adam", false, false, 0},
                                                                {"Adam AMSGrad", true, false, 0},
                                                                {"Adam L2", false, false, 0.1},
                                                                {"AdamW AMSGrad", true, true, 0.1}}) {
    const double lr = 0.01, beta1 = 0.9, beta2 = 0.999;
    const detail::AdamStep<T> s{.step_size = T(lr / (1 - beta1)),
                                .bias_correction2_sqrt = T(std::sqrt(1 - beta2)),
                                .beta1 = T(beta1),
                                .beta2 = T(beta2),
                                .eps = T(1e-8),
                                .weight_decay = T(wd),
                                .decay_factor = T(1 - lr * wd),
                                .amsgrad = amsgrad,
                                .decoupled_weight_decay = decoupled,
                                .decay_biases = true};
    const auto adam = k.adam;
    steps.push_back({name, [=](P& p, const P& g, std::array<P, 3>& st) { adam(s, p, g, st[0], st[1], st[2]); },
                     amsgrad ? std::vector<std::size_t>{0, 1, 2} : std::vector<std::size_t>{0, 1}, adam_names});
  }
  const std::array<const char*, 3> rms_names{"square average", "gradient average", "momentum buffer"};
  for (const auto& [name, centered, momentum, wd] :
       std::vector<std::tuple<const char*, bool, double, double>>{{"RMSProp", false, 0, 0},
                                                                  {"RMSProp centered", true, 0, 0},
                                                                  {"RMSProp momentum", false, 0.9, 0},
                                                                  {"RMSProp centered, momentum, decay", true, 0.9, 0.1}}) {
    const detail::RmsPropStep<T> s{.lr = T(0.01), .alpha = T(0.99), .eps = T(1e-8), .weight_decay = T(wd),
                                   .momentum = T(momentum), .centered = centered, .decay_biases = true};
    std::vector<std::size_t> used{0};
    if (centered) used.push_back(1);
    if (momentum != 0) used.push_back(2);
    const auto rmsprop = k.rmsprop;
    steps.push_back({name, [=](P& p, const P& g, std::array<P, 3>& st) { rmsprop(s, p, g, st[0], st[1], st[2]); },
                     used, rms_names});
  }
  return steps;
}

/// Bitwise equality of two values as T (NaN equal to NaN).
inline bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

/// NaN or +-inf in a gradient, a parameter or a used piece of state, at a
/// few positions: NaN anywhere makes the parameter there NaN; an infinite
/// gradient or parameter leaves the parameter or the state there non-finite;
/// every other parameter and state value is exactly what a clean step gives.
template <class P>
void check_optimizer_steps(const OptimizerKernels<P>& k) {
  using T = typename P::scalar_type;
  constexpr std::size_t n = P::parameter_count;
  std::vector<double> p0(n), g0(n);
  std::array<std::vector<double>, 3> s0;
  for (std::size_t i = 0; i < n; ++i) {
    p0[i] = KnownValues::parameter(i);
    g0[i] = KnownValues::gradient(i, 2);
  }
  // Plausible state after some steps: moments, square averages above the
  // squared gradient averages (centered RMSProp's variance is positive).
  for (auto& s : s0) s.resize(n);
  // Positive for every optimiser: Adam's m, v, v_max and RMSProp's v, gavg,
  // buffer (v > gavg^2).
  for (std::size_t i = 0; i < n; ++i) {
    s0[0][i] = 0.6 + 0.1 * std::sin(double(i));
    s0[1][i] = 0.5 + 0.1 * std::cos(double(i));
    s0[2][i] = 0.7 + 0.1 * std::sin(double(i));
  }
  const auto run = [&](const StepUnderTest<P>& step, const std::vector<double>& p, const std::vector<double>& g,
                       const std::array<std::vector<double>, 3>& s) {
    auto ps = std::make_unique<P>();
    auto gs = std::make_unique<P>();
    auto st = std::make_unique<std::array<P, 3>>();
    assign(*ps, p);
    assign(*gs, g);
    for (std::size_t j = 0; j < 3; ++j) assign((*st)[j], s[j]);
    step.step(*ps, *gs, *st);
    std::array<std::vector<double>, 4> out{canonical(*ps), canonical((*st)[0]), canonical((*st)[1]),
                                           canonical((*st)[2])};
    return out;
  };
  for (const StepUnderTest<P>& step : steps_of(k)) {
    const auto clean = run(step, p0, g0, s0);
    BOOST_TEST_REQUIRE(!any_non_finite(clean[0]));
    // Sites: 0 the gradient, 1 the parameter, 2 + j state j.
    std::vector<std::size_t> sites{0, 1};
    for (const std::size_t j : step.states_used) sites.push_back(2 + j);
    for (const std::size_t site : sites) {
      for (const std::size_t at : {std::size_t(0), std::size_t(7), n - 1}) {
        for (const Special& s : specials) {
          auto p = p0, g = g0;
          auto st = s0;
          std::string where;
          if (site == 0) {
            g[at] = s.value;
            where = "the gradient";
          } else if (site == 1) {
            p[at] = s.value;
            where = "the parameter";
          } else {
            st[site - 2][at] = s.value;
            where = std::string("the ") + step.state_names[site - 2];
          }
          std::ostringstream what;
          what << step.name << " <" << type_name<T>() << "> with " << s.name << " in " << where << " at [" << at
               << "]: ";
          const auto out = run(step, p, g, st);
          const double after = out[0][at];
          if (s.is_nan) {
            BOOST_CHECK_MESSAGE(std::isnan(after), what.str() << "the parameter is " << after << ", not NaN");
          } else if (site < 2) {
            // An infinite gradient or parameter leaves the parameter or the
            // state non-finite. (An infinite state may be absorbed, as the
            // math says: max(-inf, v) = v, m / sqrt(inf) = 0.)
            bool kept = !std::isfinite(after);
            for (const std::size_t j : step.states_used) kept = kept || !std::isfinite(out[1 + j][at]);
            BOOST_CHECK_MESSAGE(kept, what.str() << "the parameter (" << after
                                                 << ") and the state are finite again");
          }
          std::size_t changed = 0;
          for (std::size_t set = 0; set < 4; ++set)
            for (std::size_t i = 0; i < n; ++i)
              if (i != at && !same(out[set][i], clean[set][i])) ++changed;
          BOOST_CHECK_MESSAGE(changed == 0, what.str() << changed << " other values differ from a clean step");
        }
      }
    }
  }
}

/// L2, axpy, scale, sum of squares and all_finite with one special value.
template <class P>
void check_parameter_passes(const OptimizerKernels<P>& k) {
  using T = typename P::scalar_type;
  constexpr std::size_t n = P::parameter_count;
  for (const Special& s : specials) {
    for (const std::size_t at : {std::size_t(0), std::size_t(8), n - 1}) {
      std::ostringstream what_stream;
      what_stream << "<" << type_name<T>() << "> with " << s.name << " at [" << at << "]: ";
      const std::string what = what_stream.str();
      std::vector<double> x(n), y(n);
      for (std::size_t i = 0; i < n; ++i) {
        x[i] = KnownValues::parameter(i);
        y[i] = KnownValues::gradient(i, 2);
      }
      x[at] = s.value;
      auto px = std::make_unique<P>();
      auto py = std::make_unique<P>();
      assign(*px, x);
      assign(*py, y);
      BOOST_CHECK_MESSAGE(!k.all_finite(*px), what << "all_finite says every value is finite");
      const double squares = k.sum_of_squares(*px, true);
      BOOST_CHECK_MESSAGE(s.is_nan ? std::isnan(squares) : squares == std::numeric_limits<double>::infinity(),
                          what << "the sum of squares is " << squares);
      k.add_l2(T(0.1), true, *px, *py);
      const double l2 = canonical(*py)[at];
      BOOST_CHECK_MESSAGE(s.is_nan ? std::isnan(l2) : l2 == s.value, what << "the L2 gradient is " << l2);
      assign(*py, y);
      k.axpy(T(-0.5), *px, *py, 0, 1);
      const double axpy = canonical(*py)[at];
      BOOST_CHECK_MESSAGE(s.is_nan ? std::isnan(axpy) : axpy == -s.value, what << "axpy gives " << axpy);
      k.scale(T(0.5), *px);
      const double scaled = canonical(*px)[at];
      BOOST_CHECK_MESSAGE(s.is_nan ? std::isnan(scaled) : scaled == s.value, what << "scale gives " << scaled);
    }
  }
}

// ---------------------------------------------------------------- the table

struct KernelTable {
  KernelLists<ActivationKernels> activations;
  KernelLists<LossKernels> losses;
  KernelsPerSetT<NetworkKernels, Cases> networks;
  KernelsPerSetT<OptimizerKernels, OptimizerSets> optimizers;
};

using Activations = std::tuple<Identity, Sigmoid, Tanh, Relu, LeakyRelu, Softmax>;
using ActivationWidths = Widths<3, 17>;

template <class L, class Act>
struct LossCombo {
  using loss = L;
  using activation = Act;
  static std::string name() { return std::string(L::name) + " after " + Act::name; }
};
using LossCombos = std::tuple<LossCombo<CrossEntropy, Softmax>, LossCombo<BinaryCrossEntropy, Sigmoid>,
                              LossCombo<MeanSquaredError, Identity>, LossCombo<HalfSumSquaredError, Tanh>,
                              LossCombo<AllowAnyOutput<CrossEntropy>, Sigmoid>,
                              LossCombo<AllowAnyOutput<BinaryCrossEntropy>, Softmax>>;
using LossWidths = Widths<5, 17>;

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_NON_FINITE_KERNEL_TEST_TYPES

// This target's kernels.
FIXNET_PER_TARGET_FILL(get_kernels, KernelTable, [](KernelTable& table) {
  add_row_kernels<Activations, ActivationWidths>(
      table.activations, []<class T, class Act, std::size_t N>() { return activation_kernels<T, Act, N>(); });
  add_row_kernels<LossCombos, LossWidths, Widths<5>>(table.losses, []<class T, class Combo, std::size_t N>() {
    using L = typename Combo::loss;
    using Act = typename Combo::activation;
    static const std::string name = Combo::name();
    constexpr bool kClamped = !std::is_same_v<L, CrossEntropy> && !std::is_same_v<L, BinaryCrossEntropy> &&
                             !std::is_same_v<L, MeanSquaredError> && !std::is_same_v<L, HalfSumSquaredError>;
    return LossKernels<T>{name.c_str(), N, &fk::activation_forward_row<Act, N, T>, &fk::loss_row<L, Act, N, T>,
                          &fk::loss_value_row<L, Act, N, T>, &reference_loss<L, Act, N>, kClamped};
  });
  fill_network_kernels(table.networks);
  for_each_entry(table.optimizers, []<class P>(OptimizerKernels<P>& k) {
    k = {&fk::sgd_step<P, typename P::scalar_type>,
         &fk::adam_step<P, typename P::scalar_type>,
         &fk::rmsprop_step<P, typename P::scalar_type>,
         &fk::add_l2_gradient<P, typename P::scalar_type>,
         &fk::sum_of_squares<P>,
         &fk::axpy<P, typename P::scalar_type>,
         &fk::scale<P, typename P::scalar_type>,
         &fk::all_finite<P>};
  });
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

BOOST_AUTO_TEST_SUITE(non_finite_kernel)

BOOST_AUTO_TEST_CASE(every_target_lists_twelve_activations_and_twelve_losses) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    BOOST_TEST(table.activations.f.size() == 12u);
    BOOST_TEST(table.losses.f.size() == 12u);
  });
}

BOOST_AUTO_TEST_CASE(activations_propagate_nan_and_infinity_forward_and_backward_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for (const auto& k : table.activations.f) check_activation(k);
    for (const auto& k : table.activations.d) check_activation(k);
  });
}

BOOST_AUTO_TEST_CASE(losses_propagate_nan_and_infinity_in_logits_and_targets_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for (const auto& k : table.losses.f) check_loss(k);
    for (const auto& k : table.losses.d) check_loss(k);
  });
}

BOOST_AUTO_TEST_CASE(networks_propagate_nan_and_infinity_from_inputs_weights_biases_and_targets_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for_each_entry(table.networks, [](const auto& k) { check_network(k); });
  });
}

BOOST_AUTO_TEST_CASE(optimizer_steps_keep_nan_and_infinity_where_they_came_in_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for_each_entry(table.optimizers, [](const auto& k) { check_optimizer_steps(k); });
  });
}

BOOST_AUTO_TEST_CASE(parameter_passes_propagate_nan_and_infinity_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for_each_entry(table.optimizers, [](const auto& k) { check_parameter_passes(k); });
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
