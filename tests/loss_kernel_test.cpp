// Tests of fixnet/kernels/loss-inl.hpp and the per-loss kernels
// (fixnet/kernels/<loss>-inl.hpp), on every Highway target compiled into this
// binary: a loss after an output activation, on one row, gives the loss and
// dL/dz (the delta backpropagation starts from). Checked against the scalar
// reference (fixnet/losses/*.hpp) in float and double, the padding of the
// delta written as zero, dL/dz against central finite differences in double,
// and logits of +-1000.
//
// hwy/foreach_target.h re-includes this file once per target. The per-target
// part only lists the kernels (function pointers, with the reference's for
// the same width); the checks take the width at run time and are compiled
// once, which keeps the build short.
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
#include <utility>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_LOSS_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "loss_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target
#include "kernel_support.hpp"  // after per_target.hpp, likewise

// The activation and loss headers carry their Highway kernels: they come
// after hwy/foreach_target.h, and what uses them once in a guarded block.
#include <fixnet/activations/identity.hpp>
#include <fixnet/activations/relu.hpp>
#include <fixnet/activations/sigmoid.hpp>
#include <fixnet/activations/softmax.hpp>
#include <fixnet/core/loss.hpp>
#include <fixnet/losses/binary_cross_entropy.hpp>
#include <fixnet/losses/cross_entropy.hpp>
#include <fixnet/losses/squared_error.hpp>

#ifndef FIXNET_TESTS_LOSS_KERNEL_TEST_TYPES
#define FIXNET_TESTS_LOSS_KERNEL_TEST_TYPES

namespace fixnet::tests {

/// What a target row looks like for a loss: a distribution (cross-entropy,
/// softmax outputs), values in [0, 1] (binary cross-entropy, sigmoid
/// outputs), or any values.
enum class TargetKind { distribution, unit_interval, any };

/// A loss L after an output activation Act.
template <class L, class Act>
struct Pairing {
  using loss = L;
  using activation = Act;
  static constexpr bool fused = detail::loss_fused<L, Act>;
  static constexpr TargetKind target_kind =
      std::is_base_of_v<CrossEntropy, L> || std::is_same_v<Act, Softmax> ? TargetKind::distribution
      : std::is_base_of_v<BinaryCrossEntropy, L> || std::is_same_v<Act, Sigmoid> ? TargetKind::unit_interval
                                                                                  : TargetKind::any;
};

// Each pairing is compiled for every target and width: the list covers each
// loss kernel and each way a delta is formed (fused; chained through an
// elementwise derivative; through softmax's Jacobian), not every combination
// (the activations' own kernels are tested in activation_kernel_test.cpp).
using Pairings = std::tuple<
    // fused: delta = a - t, value from the logits
    Pairing<CrossEntropy, Softmax>, Pairing<BinaryCrossEntropy, Sigmoid>,
    // general: dL/da chained through the activation's backward pass
    Pairing<MeanSquaredError, Identity>, Pairing<MeanSquaredError, Sigmoid>,
    Pairing<MeanSquaredError, Relu>, Pairing<MeanSquaredError, Softmax>,
    Pairing<HalfSumSquaredError, Identity>,
    Pairing<AllowAnyOutput<CrossEntropy>, Sigmoid>, Pairing<AllowAnyOutput<BinaryCrossEntropy>, Softmax>>;

// 1 (one lane), 3 and 5 (masked tails of 4 and 8 lanes), 8 (a full AVX2
// float vector), 17 (one lane past a full AVX-512 float vector).
using LossWidths = Widths<1, 3, 5, 8, 17>;
inline constexpr std::size_t max_width = 17;

/// The reference's loss and delta for logits z (the kernel's a, converted,
/// serves as the activation's output so that only the loss is compared).
/// `delta_scale` is 1 + the largest |dL/da|: a chained delta g f'(a) inherits
/// the rounding of f'(a) times g, and f'(a) = 1 - a^2 or a (1 - a) cancels
/// near saturation (a float a of 0.9993 leaves 1 - a^2 with 4e-5 relative
/// error on targets without FMA).
template <class P, std::size_t N>
double reference_loss(const double* z, const double* a, const double* t, double* delta, double* delta_scale) {
  using L = typename P::loss;
  using Span = std::span<const double, N>;
  if constexpr (P::fused) {
    L::reference_fused_delta(Span(a, N), Span(t, N), std::span<double, N>(delta, N));
    *delta_scale = 1;
    return L::reference_fused_value(Span(z, N), Span(t, N));
  } else {
    std::array<double, N> g{};
    L::reference_gradient(Span(a, N), Span(t, N), std::span<double, N>(g));
    P::activation::reference_backward(Span(a, N), Span(g), std::span<double, N>(delta, N));
    *delta_scale = 1 + max_abs(g);
    return L::reference_value(Span(a, N), Span(t, N));
  }
}

/// One target's kernels for a pairing and width, and the reference.
template <class T>
struct LossKernels {
  const char* loss;
  const char* activation;
  std::size_t width;
  bool fused;
  TargetKind target_kind;
  void (*forward)(const T* z, T* a);
  T (*loss_row)(const T* z, const T* a, const T* t, T* delta);
  T (*loss_value_row)(const T* z, const T* a, const T* t);
  double (*reference)(const double* z, const double* a, const double* t, double* delta, double* delta_scale);
};

using KernelTable = KernelLists<LossKernels>;

/// Agreement with the scalar reference in double on the same inputs:
/// |kernel - reference| <= rel |reference| + abs * scale.
/// Loss values: scale = 1 + |loss| + (fused) max |z|: a sum of N terms loses
/// a few ULP of its largest term, and lse(z) - z_k cancels; deltas: see
/// `reference_loss`.
/// float: rel 1e-6 (16 ULP) and abs 1e-6: hn::Exp and hn::Log are 1 and 4 ULP,
/// plus the rounding of a sum of up to 17 terms (observed worst: 1.5e-7).
/// double: 1e-14 and 1e-14, the same budget in double's ULPs.
template <class T>
inline constexpr Bounds tolerance = bounds_for<T>({.rel = 1e-6, .abs = 1e-6}, {.rel = 1e-14, .abs = 1e-14});

template <class T>
using Row = PaddedRow<T, max_width>;

template <class T>
std::string describe(const LossKernels<T>& k, const std::string& what) {
  return std::string(k.loss) + " after " + k.activation + " " + what + " <" + type_name<T>() +
         ", N=" + std::to_string(k.width) + ">";
}

/// A target of n values of the given kind (a one-hot one every other time
/// for distributions and unit-interval targets), representable in T.
template <class T>
std::vector<double> make_target(TestRng& rng, TargetKind kind, std::size_t n, bool one_hot) {
  std::vector<double> t(n, 0.0);
  if (kind == TargetKind::distribution) {
    if (one_hot) {
      t[std::uniform_int_distribution<std::size_t>(0, n - 1)(rng)] = 1;
    } else {
      double sum = 0;
      for (double& v : t) sum += v = uniform<double>(rng, 0.1, 1);
      for (double& v : t) v = static_cast<double>(static_cast<T>(v / sum));
    }
  } else if (kind == TargetKind::unit_interval) {
    for (double& v : t) v = one_hot ? double(rng() % 2) : static_cast<double>(uniform<T>(rng, 0, 1));
  } else {
    for (double& v : t) v = static_cast<double>(uniform<T>(rng, -1.5, 1.5));
  }
  return t;
}

template <class T>
void check_loss_row(const LossKernels<T>& k, TestRng& rng) {
  const std::size_t n = k.width;
  for (bool one_hot : {true, false}) {
    Row<T> z, a, t, delta;
    // Finite garbage in z's padding: the loss must read only n logits.
    const auto zv = random_values<T>(rng, n, -4, 4);
    fill_row(z, zv, T(3));
    k.forward(z.data(), a.data());
    const auto tv = make_target<T>(rng, k.target_kind, n, one_hot);
    fill_row(t, tv, T(0));
    delta.v.fill(std::numeric_limits<T>::quiet_NaN());
    const T value = k.loss_row(z.data(), a.data(), t.data(), delta.data());
    const T value_only = k.loss_value_row(z.data(), a.data(), t.data());

    std::vector<double> ref_delta(n);
    double delta_scale = 1;
    const double ref = k.reference(zv.data(), first(a, n).data(), tv.data(), ref_delta.data(), &delta_scale);
    const double value_scale = 1 + std::abs(ref) + (k.fused ? max_abs(zv) : 0);
    const std::string what = describe(k, one_hot ? "(one-hot target)" : "(general target)");
    BOOST_CHECK_MESSAGE(within(value, ref, tolerance<T>.rel, tolerance<T>.abs * value_scale),
                        what << ": loss " << std::setprecision(17) << value << " vs reference " << ref);
    BOOST_CHECK_MESSAGE(within(value_only, ref, tolerance<T>.rel, tolerance<T>.abs * value_scale),
                        what << ": loss_value_row " << std::setprecision(17) << value_only
                             << " vs reference " << ref);
    check_close_all(first(delta, n), ref_delta, tolerance<T>.rel, tolerance<T>.abs * delta_scale,
                    what + " delta");
    const std::size_t nonzero = nonzero_padding(delta, n);
    BOOST_CHECK_MESSAGE(nonzero == 0, what << ": " << nonzero << " padding lanes of the delta are not zero");
  }
}

/// dL/dz from the kernels against central differences of the kernels' loss
/// (forward, then loss) in double.
inline void check_finite_differences(const LossKernels<double>& k, TestRng& rng) {
  const std::size_t n = k.width;
  for (bool one_hot : {true, false}) {
    Row<double> z, a, t, delta;
    auto zv = random_values<double>(rng, n, -3, 3);
    for (double& v : zv)  // keep away from ReLU's kink
      if (std::abs(v) < 0.05) v += 0.1;
    fill_row(z, zv, 0.0);
    fill_row(t, make_target<double>(rng, k.target_kind, n, one_hot), 0.0);
    k.forward(z.data(), a.data());
    k.loss_row(z.data(), a.data(), t.data(), delta.data());
    std::vector<double> fd(n);
    for (std::size_t i = 0; i < n; ++i) {
      fd[i] = central_difference(z[i], fd_step, [&] {
        Row<double> out, scratch;
        k.forward(z.data(), out.data());
        return k.loss_row(z.data(), out.data(), t.data(), scratch.data());
      });
    }
    check_close_all(first(delta, n), fd, fd_rel, fd_abs, describe(k, "delta vs finite differences"));
  }
}

/// The kernels of `loss` after `activation` for rows of n.
template <class T>
const LossKernels<T>& find(const std::vector<LossKernels<T>>& table, const char* loss, const char* activation,
                           std::size_t n) {
  for (const auto& k : table)
    if (std::string(k.loss) == loss && std::string(k.activation) == activation && k.width == n) return k;
  BOOST_FAIL("no kernels for " << loss << " after " << activation << ", N=" << n);
  return table.front();
}

// Logits of +-1000, the largest in the masked last vector of 17: the fused
// losses are exact (2000 for the wrong class: lse = 1000, true logit -1000),
// their deltas a - t exact, everything finite.
template <class T>
void check_extreme_logits(const std::vector<LossKernels<T>>& table, std::size_t n) {
  const std::string where = std::string(" <") + type_name<T>() + ", N=" + std::to_string(n) + ">";
  const auto within_1e_6 = boost::test_tools::tolerance(T(1e-6));
  std::vector<double> zv(n, -1000.0);
  zv[n - 1] = 1000;
  Row<T> z, a, t, delta;
  fill_row(z, zv, T(0));
  // `loss` after `activation` on z against the target tv: loss_row's loss
  // (its delta in `delta`) and loss_value_row's.
  const auto run = [&](const char* loss, const char* activation, const std::vector<double>& tv) {
    const auto& k = find(table, loss, activation, n);
    k.forward(z.data(), a.data());
    fill_row(t, tv, T(0));
    const T value = k.loss_row(z.data(), a.data(), t.data(), delta.data());
    return std::pair<T, T>(value, k.loss_value_row(z.data(), a.data(), t.data()));
  };
  std::vector<double> first_class(n, 0.0);
  first_class[0] = 1;

  {  // cross-entropy after softmax, true class 0 (logit -1000)
    const auto [loss, value] = run("CrossEntropy", "Softmax", first_class);
    BOOST_TEST_CONTEXT("cross-entropy" << where) {
      BOOST_TEST(loss == T(2000), within_1e_6);
      BOOST_TEST(value == T(2000), within_1e_6);
      BOOST_TEST(delta[0] == T(-1));
      BOOST_TEST(delta[n - 1] == T(1));
      for (std::size_t i = 1; i + 1 < n; ++i) BOOST_TEST(delta[i] == T(0));
    }
  }
  {  // binary cross-entropy after sigmoid: every output wrong by 1000
    std::vector<double> tv(n, 1.0);
    tv[n - 1] = 0;
    const T loss = run("BinaryCrossEntropy", "Sigmoid", tv).first;
    BOOST_TEST_CONTEXT("binary cross-entropy" << where) {
      BOOST_TEST(loss == T(1000) * T(n), within_1e_6);
      BOOST_TEST(delta[0] == T(-1));
      BOOST_TEST(delta[n - 1] == T(1));
    }
  }
  {  // squared error after softmax: finite, and the softmax saturated
    const T loss = run("MeanSquaredError", "Softmax", first_class).first;
    BOOST_TEST_CONTEXT("mean squared error after softmax" << where) {
      BOOST_TEST(loss == T(2) / T(n), within_1e_6);
      BOOST_TEST(std::all_of(delta.v.begin(), delta.v.end(), [](T v) { return std::isfinite(v); }));
    }
  }
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_LOSS_KERNEL_TEST_TYPES

// This target's kernels.
FIXNET_PER_TARGET_FILL(get_kernels, KernelTable, [](KernelTable& table) {
  add_row_kernels<Pairings, LossWidths>(table, []<class T, class P, std::size_t N>() {
    using L = typename P::loss;
    using Act = typename P::activation;
    return LossKernels<T>{L::name, Act::name, N, P::fused, P::target_kind, &fk::activation_forward_row<Act, N, T>,
                          &fk::loss_row<L, Act, N, T>, &fk::loss_value_row<L, Act, N, T>, &reference_loss<P, N>};
  });
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

BOOST_AUTO_TEST_SUITE(loss_kernel)

BOOST_AUTO_TEST_CASE(every_target_lists_nine_pairings_at_five_widths) {
  FIXNET_ON_EVERY_TARGET(get_kernels, lists_kernels(45));
}

BOOST_AUTO_TEST_CASE(loss_rows_match_the_scalar_reference_and_zero_the_padding_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels,
                         each_kernel(404, [](const auto& k, TestRng& rng) { check_loss_row(k, rng); }));
}

BOOST_AUTO_TEST_CASE(loss_deltas_match_finite_differences_in_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, each_double_kernel(505, {5, 17}, [](const auto& k, TestRng& rng) {
                           check_finite_differences(k, rng);
                         }));
}

BOOST_AUTO_TEST_CASE(losses_stay_finite_and_exact_for_logits_of_plus_minus_1000_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    check_extreme_logits(table.f, 3);
    check_extreme_logits(table.f, 17);
    check_extreme_logits(table.d, 3);
    check_extreme_logits(table.d, 17);
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
