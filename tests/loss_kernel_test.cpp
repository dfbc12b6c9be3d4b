// Tests of fixnet/kernels/loss-inl.hpp and the per-loss kernels
// (fixnet/kernels/<loss>-inl.hpp), on every Highway target compiled into this
// binary: a loss after an output activation, on one row, gives the loss and
// dL/dz (the delta backpropagation starts from). Checked against the scalar
// reference (fixnet/losses/*.hpp) in float and double, the padding of the
// delta written as zero, dL/dz against central finite differences in double,
// and logits of +-1000.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_LOSS_KERNEL_TEST_PRELUDE
#define FIXNET_TESTS_LOSS_KERNEL_TEST_PRELUDE

#define BOOST_TEST_MODULE loss_kernel
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>

#include <fixnet/activations/identity.hpp>
#include <fixnet/activations/leaky_relu.hpp>
#include <fixnet/activations/relu.hpp>
#include <fixnet/activations/sigmoid.hpp>
#include <fixnet/activations/softmax.hpp>
#include <fixnet/activations/tanh.hpp>
#include <fixnet/loss.hpp>
#include <fixnet/losses/binary_cross_entropy.hpp>
#include <fixnet/losses/cross_entropy.hpp>
#include <fixnet/losses/squared_error.hpp>

#include "test_support.hpp"

namespace fixnet::tests {

/// A loss L after an output activation Act.
template <class L, class Act>
struct Pairing {
  using loss = L;
  using activation = Act;
  static constexpr bool fused = detail::loss_fused<L, Act>;
};

using Pairings = std::tuple<
    // fused: delta = a - t, value from the logits
    Pairing<CrossEntropy, Softmax>, Pairing<BinaryCrossEntropy, Sigmoid>,
    // general: dL/da chained through the activation's backward pass
    Pairing<MeanSquaredError, Identity>, Pairing<MeanSquaredError, Sigmoid>,
    Pairing<MeanSquaredError, Tanh>, Pairing<MeanSquaredError, Relu>,
    Pairing<MeanSquaredError, LeakyRelu>, Pairing<MeanSquaredError, Softmax>,
    Pairing<HalfSumSquaredError, Identity>, Pairing<HalfSumSquaredError, Sigmoid>,
    Pairing<AllowAnyOutput<CrossEntropy>, Sigmoid>, Pairing<AllowAnyOutput<BinaryCrossEntropy>, Softmax>>;

template <std::size_t... N>
struct Widths {};
// 1 and 2 (narrow vectors), 3 and 5 (masked tails on 4 and 8 lanes), 8 and 17
// (a full AVX2 float vector; one lane past an AVX-512 one).
using LossWidths = Widths<1, 2, 3, 5, 8, 17>;

/// One target's kernels for a pairing and width.
template <class T, class P, std::size_t N>
struct LossKernels {
  void (*forward)(const T* z, T* a) = nullptr;
  T (*loss_row)(const T* z, const T* a, const T* t, T* delta) = nullptr;
  T (*loss_value_row)(const T* z, const T* a, const T* t) = nullptr;
};

template <class T, class P, class W>
struct WidthTable;
template <class T, class P, std::size_t... N>
struct WidthTable<T, P, Widths<N...>> {
  using type = std::tuple<LossKernels<T, P, N>...>;
};
template <class T, class Ps>
struct PairingTable;
template <class T, class... Ps>
struct PairingTable<T, std::tuple<Ps...>> {
  using type = std::tuple<typename WidthTable<T, Ps, LossWidths>::type...>;
};

struct KernelTable {
  typename PairingTable<float, Pairings>::type f;
  typename PairingTable<double, Pairings>::type d;

  template <class T, class P, std::size_t N>
  auto& get() {
    auto& by_type = [&]() -> auto& {
      if constexpr (std::is_same_v<T, float>) return f; else return d;
    }();
    return std::get<LossKernels<T, P, N>>(std::get<typename WidthTable<T, P, LossWidths>::type>(by_type));
  }
};

/// Agreement with the scalar reference in double on the same inputs:
/// |kernel - reference| <= rel |reference| + abs * scale.
/// Loss values: scale = 1 + |loss| + (fused) max |z|: a sum of N terms loses
/// a few ULP of its largest term, and lse(z) - z_k cancels; deltas: see
/// `reference_loss`.
/// float: rel 1e-6 (16 ULP) and abs 1e-6: hn::Exp and hn::Log are 1 and 4 ULP,
/// plus the rounding of a sum of up to 17 terms.
/// double: 1e-14 and 1e-14, the same budget in double's ULPs.
template <class T>
struct Tolerance {
  static constexpr bool is_float = std::is_same_v<T, float>;
  static constexpr double rel = is_float ? 1e-6 : 1e-14;
  static constexpr double abs = is_float ? 1e-6 : 1e-14;
};

template <class P, class T, std::size_t N>
std::string describe(const char* what) {
  return std::string(P::loss::name) + " after " + P::activation::name + " " + what + " <" +
         (std::is_same_v<T, float> ? "float" : "double") + ", N=" + std::to_string(N) + ">";
}

template <class T, std::size_t N>
std::span<const T, N> values(const PaddedRow<T, N>& row) {
  return std::span<const T, N>(row.data(), N);
}

/// The reference's loss and delta for logits z (the kernel's a, converted,
/// serves as the activation's output so that only the loss is compared).
/// `delta_scale` is 1 + the largest |dL/da|: a chained delta g f'(a) inherits
/// the rounding of f'(a) times g, and f'(a) = 1 - a^2 or a (1 - a) cancels
/// near saturation (a float a of 0.9993 leaves 1 - a^2 with 4e-5 relative
/// error on targets without FMA).
template <class P, std::size_t N>
double reference_loss(const std::array<double, N>& z, const std::array<double, N>& a,
                      const std::array<double, N>& t, std::array<double, N>& delta, double& delta_scale) {
  using L = typename P::loss;
  using Span = std::span<const double, N>;
  if constexpr (P::fused) {
    L::reference_fused_delta(Span(a), Span(t), std::span<double, N>(delta));
    delta_scale = 1;
    return L::reference_fused_value(Span(z), Span(t));
  } else {
    std::array<double, N> g{};
    L::reference_gradient(Span(a), Span(t), std::span<double, N>(g));
    P::activation::reference_backward(Span(a), Span(g), std::span<double, N>(delta));
    delta_scale = 1 + max_abs(g);
    return L::reference_value(Span(a), Span(t));
  }
}

/// A target the loss makes sense for: a distribution for cross-entropy and
/// softmax outputs (one-hot every other time), values in [0, 1] for binary
/// cross-entropy and sigmoid outputs, any values otherwise.
template <class P, std::size_t N>
std::array<double, N> make_target(TestRng& rng, bool one_hot) {
  std::array<double, N> t{};
  using L = typename P::loss;
  using Act = typename P::activation;
  constexpr bool distribution = std::is_base_of_v<CrossEntropy, L> || std::is_same_v<Act, Softmax>;
  if constexpr (distribution) {
    if (one_hot) {
      t[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)] = 1;
    } else {
      double sum = 0;
      for (double& v : t) sum += v = uniform<double>(rng, 0.1, 1);
      for (double& v : t) v /= sum;
    }
  } else if constexpr (std::is_base_of_v<BinaryCrossEntropy, L> || std::is_same_v<Act, Sigmoid>) {
    for (double& v : t) v = one_hot ? double(rng() % 2) : uniform<double>(rng, 0, 1);
  } else {
    for (double& v : t) v = uniform<double>(rng, -1.5, 1.5);
  }
  return t;
}

template <class T, class P, std::size_t N>
void check_loss_row(const LossKernels<T, P, N>& k, TestRng& rng) {
  for (bool one_hot : {true, false}) {
    PaddedRow<T, N> z, a, t, delta;
    // Finite garbage in z's padding: the loss must read only N logits.
    z.assign(uniform_array<T, N>(rng, -4, 4), T(3));
    k.forward(z.data(), a.data());
    t.assign(make_target<P, N>(rng, one_hot), T(0));
    delta.v.fill(std::numeric_limits<T>::quiet_NaN());
    const T value = k.loss_row(z.data(), a.data(), t.data(), delta.data());
    const T value_only = k.loss_value_row(z.data(), a.data(), t.data());

    std::array<double, N> ref_delta{};
    double delta_scale = 1;
    const auto zd = z.to_double();
    const double ref = reference_loss<P>(zd, a.to_double(), t.to_double(), ref_delta, delta_scale);
    const double value_scale = 1 + std::abs(ref) + max_abs(zd) * (P::fused ? 1 : 0);
    const std::string what = describe<P, T, N>(one_hot ? "(one-hot target)" : "(general target)");
    BOOST_CHECK_MESSAGE(within(value, ref, Tolerance<T>::rel, Tolerance<T>::abs * value_scale),
                        what << ": loss " << std::setprecision(17) << value << " vs reference " << ref);
    BOOST_CHECK_MESSAGE(within(value_only, ref, Tolerance<T>::rel, Tolerance<T>::abs * value_scale),
                        what << ": loss_value_row " << std::setprecision(17) << value_only
                             << " vs reference " << ref);
    check_close_all(values(delta), ref_delta, Tolerance<T>::rel, Tolerance<T>::abs * delta_scale,
                    what + " delta");
    check_padding_zero(delta, what + " delta");
  }
}

/// dL/dz from the kernels against central differences of the kernels' loss
/// (forward, then loss) in double.
template <class P, std::size_t N>
void check_finite_differences(const LossKernels<double, P, N>& k, TestRng& rng) {
  for (bool one_hot : {true, false}) {
    PaddedRow<double, N> z, a, t, delta;
    auto zv = uniform_array<double, N>(rng, -3, 3);
    for (double& v : zv)  // keep away from ReLU's kink
      if (std::abs(v) < 0.05) v += 0.1;
    z.assign(zv, 0.0);
    t.assign(make_target<P, N>(rng, one_hot), 0.0);
    k.forward(z.data(), a.data());
    k.loss_row(z.data(), a.data(), t.data(), delta.data());
    std::array<double, N> fd{};
    for (std::size_t i = 0; i < N; ++i) {
      fd[i] = central_difference(z[i], fd_step, [&] {
        PaddedRow<double, N> out, scratch;
        k.forward(z.data(), out.data());
        return k.loss_row(z.data(), out.data(), t.data(), scratch.data());
      });
    }
    check_close_all(values(delta), fd, fd_rel, fd_abs, describe<P, double, N>("delta vs finite differences"));
  }
}

template <class T, class P, class F, std::size_t... N>
void for_each_width(KernelTable& table, F& f, Widths<N...>) {
  (f(table.template get<T, P, N>()), ...);
}

/// Calls f(kernels) for every pairing and width, float then double.
template <class F>
void for_each_loss_kernel(KernelTable& table, F&& f) {
  [&]<class... Ps>(std::tuple<Ps...>*) {
    (for_each_width<float, Ps>(table, f, LossWidths{}), ...);
    (for_each_width<double, Ps>(table, f, LossWidths{}), ...);
  }(static_cast<Pairings*>(nullptr));
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_LOSS_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "loss_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {
namespace fk = fixnet::HWY_NAMESPACE;

std::int64_t dispatched_target() { return HWY_TARGET; }

template <class T, class P, std::size_t... N>
void get_widths(KernelTable& table, Widths<N...>) {
  using L = typename P::loss;
  using Act = typename P::activation;
  ((table.template get<T, P, N>() = {&fk::activation_forward_row<Act, N, T>, &fk::loss_row<L, Act, N, T>,
                                     &fk::loss_value_row<L, Act, N, T>}),
   ...);
}

/// Fills `table` with this target's kernels.
void get_kernels(KernelTable& table) {
  [&]<class... Ps>(std::tuple<Ps...>*) {
    (get_widths<float, Ps>(table, LossWidths{}), ...);
    (get_widths<double, Ps>(table, LossWidths{}), ...);
  }(static_cast<Pairings*>(nullptr));
}

}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(dispatched_target);
HWY_EXPORT(get_kernels);

namespace {

std::int64_t current_target() { return HWY_DYNAMIC_DISPATCH(dispatched_target)(); }

KernelTable current_kernels() {
  KernelTable table;
  HWY_DYNAMIC_DISPATCH(get_kernels)(table);
  return table;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(loss_kernel)

BOOST_AUTO_TEST_CASE(loss_rows_match_the_scalar_reference_and_zero_the_padding_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    TestRng rng(404);
    for_each_loss_kernel(table, [&](const auto& k) { check_loss_row(k, rng); });
  });
}

BOOST_AUTO_TEST_CASE(loss_deltas_match_finite_differences_in_double_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    TestRng rng(505);
    for_each_loss_kernel(table, [&]<class T, class P, std::size_t N>(const LossKernels<T, P, N>& k) {
      if constexpr (std::is_same_v<T, double> && (N == 5 || N == 17)) check_finite_differences(k, rng);
    });
  });
}

// Logits of +-1000, the largest in the masked last vector of 17: the fused
// losses are exact (2000 for the wrong class: lse = 1000, true logit -1000),
// their deltas a - t exact, everything finite.
template <class T, std::size_t N>
void check_extreme_logits(KernelTable& table) {
  const std::string type = std::is_same_v<T, float> ? "float" : "double";
  std::array<T, N> zv{};
  zv.fill(T(-1000));
  zv[N - 1] = T(1000);
  PaddedRow<T, N> z, a, t, delta;
  z.assign(zv, T(0));

  {  // cross-entropy after softmax, true class 0 (logit -1000)
    const auto& k = table.get<T, Pairing<CrossEntropy, Softmax>, N>();
    k.forward(z.data(), a.data());
    std::array<T, N> tv{};
    tv[0] = T(1);
    t.assign(tv, T(0));
    const T loss = k.loss_row(z.data(), a.data(), t.data(), delta.data());
    BOOST_TEST_CONTEXT("cross-entropy <" << type << ", N=" << N << ">") {
      BOOST_TEST(loss == T(2000), boost::test_tools::tolerance(T(1e-6)));
      BOOST_TEST(k.loss_value_row(z.data(), a.data(), t.data()) == T(2000),
                 boost::test_tools::tolerance(T(1e-6)));
      BOOST_TEST(delta[0] == T(-1));
      BOOST_TEST(delta[N - 1] == T(1));
      for (std::size_t i = 1; i + 1 < N; ++i) BOOST_TEST(delta[i] == T(0));
    }
  }
  {  // binary cross-entropy after sigmoid: every output wrong by 1000
    const auto& k = table.get<T, Pairing<BinaryCrossEntropy, Sigmoid>, N>();
    k.forward(z.data(), a.data());
    std::array<T, N> tv{};
    tv.fill(T(1));
    tv[N - 1] = T(0);
    t.assign(tv, T(0));
    const T loss = k.loss_row(z.data(), a.data(), t.data(), delta.data());
    BOOST_TEST_CONTEXT("binary cross-entropy <" << type << ", N=" << N << ">") {
      BOOST_TEST(loss == T(1000) * T(N), boost::test_tools::tolerance(T(1e-6)));
      BOOST_TEST(delta[0] == T(-1));
      BOOST_TEST(delta[N - 1] == T(1));
    }
  }
  {  // squared error after softmax: finite, and the softmax saturated
    const auto& k = table.get<T, Pairing<MeanSquaredError, Softmax>, N>();
    k.forward(z.data(), a.data());
    std::array<T, N> tv{};
    tv[0] = T(1);
    t.assign(tv, T(0));
    const T loss = k.loss_row(z.data(), a.data(), t.data(), delta.data());
    BOOST_TEST_CONTEXT("mean squared error after softmax <" << type << ", N=" << N << ">") {
      BOOST_TEST(loss == T(2) / T(N), boost::test_tools::tolerance(T(1e-6)));
      BOOST_TEST(std::all_of(delta.v.begin(), delta.v.end(), [](T v) { return std::isfinite(v); }));
    }
  }
}

BOOST_AUTO_TEST_CASE(losses_stay_finite_and_exact_for_logits_of_plus_minus_1000_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    check_extreme_logits<float, 3>(table);
    check_extreme_logits<float, 17>(table);
    check_extreme_logits<double, 3>(table);
    check_extreme_logits<double, 17>(table);
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
