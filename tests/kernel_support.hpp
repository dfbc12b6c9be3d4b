// fixnet tests — helpers shared by the per-target kernel tests
// (activation_kernel, loss_kernel, network_kernel, non_finite_kernel): rows of
// a run-time width in a padded buffer, the scalar reference of an activation
// behind plain pointers, tables of row kernels in float and double, checks to
// run on each kernel of such a table, and the networks that more than one of
// those tests runs whole.
//
// Usage, in a test file that names itself in HWY_TARGET_INCLUDE, outside any
// guard (like per_target.hpp, it has a part compiled once and a part compiled
// once per target):
//
//   #include <hwy/foreach_target.h>
//   #include <hwy/highway.h>
//   #include <fixnet/fixnet.hpp>
//   #include "per_target.hpp"
//   #include "kernel_support.hpp"
//
// The per-target part defines, in fixnet::tests::HWY_NAMESPACE,
// activation_kernels<T, Act, N>() (that target's row kernels of Act) and
// fill_network_kernels(tuple) (that target's whole-network kernels of each
// NetworkCase).

#ifndef FIXNET_TESTS_KERNEL_SUPPORT_HPP
#define FIXNET_TESTS_KERNEL_SUPPORT_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <type_traits>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <fixnet/fixnet.hpp>

#include "network_support.hpp"
#include "test_support.hpp"

namespace fixnet::tests {

/// Row widths to list kernels for (compiled for each).
template <std::size_t... N>
struct Widths {};

template <class T>
constexpr const char* type_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

/// The bounds of a kernel's agreement with the scalar reference:
/// |kernel - reference| <= rel |reference| + abs (times a scale that each
/// check states).
struct Bounds {
  double rel;
  double abs;
};

/// `for_float` for kernels in float, `for_double` for kernels in double.
template <class T>
constexpr Bounds bounds_for(Bounds for_float, Bounds for_double) {
  return std::is_same_v<T, float> ? for_float : for_double;
}

// ---------------------------------------------------------------- rows

/// Sets the first values.size() values of a row and the rest, padding
/// included, to `pad`.
template <class T, std::size_t M>
void fill_row(PaddedRow<T, M>& row, const std::vector<double>& values,
              std::type_identity_t<T> pad = T(0)) {
  row.v.fill(pad);
  for (std::size_t i = 0; i < values.size(); ++i) row[i] = static_cast<T>(values[i]);
}

/// The first n values of a row, as double.
template <class T, std::size_t M>
std::vector<double> first(const PaddedRow<T, M>& row, std::size_t n) {
  return std::vector<double>(row.v.begin(), row.v.begin() + static_cast<std::ptrdiff_t>(n));
}

/// n values drawn uniformly from [low, high), representable in T.
template <class T>
std::vector<double> random_values(TestRng& rng, std::size_t n, double low, double high) {
  std::vector<double> v(n);
  for (double& x : v) x = static_cast<double>(uniform<T>(rng, low, high));
  return v;
}

/// How many of elements n .. padded(n) of a row are not exactly zero (NaN
/// is not).
template <class T, std::size_t M>
std::size_t nonzero_padding(const PaddedRow<T, M>& row, std::size_t n) {
  std::size_t nonzero = 0;
  for (std::size_t i = n; i < padded<T>(n); ++i) nonzero += !(row[i] == T(0));
  return nonzero;
}

// ---------------------------------------------------------------- activations

/// The scalar reference of Act on rows of N, behind plain pointers.
template <class Act, std::size_t N>
void reference_forward(const double* z, double* a) {
  Act::reference_forward(std::span<const double, N>(z, N), std::span<double, N>(a, N));
}
template <class Act, std::size_t N>
void reference_backward(const double* a, const double* g, double* d) {
  Act::reference_backward(std::span<const double, N>(a, N), std::span<const double, N>(g, N),
                          std::span<double, N>(d, N));
}

/// One target's kernels of one activation for rows of `width`, and the
/// reference for the same width.
template <class T>
struct ActivationKernels {
  const char* activation;
  std::size_t width;
  bool elementwise;
  void (*forward)(const T* z, T* a);
  void (*backward)(const T* a, const T* grad_a, T* grad_z);
  void (*reference_forward)(const double* z, double* a);
  void (*reference_backward)(const double* a, const double* g, double* d);
};

// ---------------------------------------------------------------- tables

/// One target's row kernels of one kind, in float and in double.
template <template <class> class Kernels>
struct KernelLists {
  std::vector<Kernels<float>> f;
  std::vector<Kernels<double>> d;
};

/// Appends `make.template operator()<T, X, N>()` to lists.f (T = float, N in
/// FloatWidths) and to lists.d (T = double, N in DoubleWidths) for each type
/// X of the tuple Xs, X by X, widths in order. Called from a per-target
/// get_kernels, `make` taking that target's kernels' addresses.
template <class Xs, class FloatWidths, class DoubleWidths = FloatWidths, class Lists, class Make>
void add_row_kernels(Lists& lists, const Make& make) {
  const auto add = [&]<class T, class X, std::size_t... N>(auto& list, Widths<N...>) {
    (list.push_back(make.template operator()<T, X, N>()), ...);
  };
  [&]<class... X>(std::tuple<X...>*) {
    (add.template operator()<float, X>(lists.f, FloatWidths{}), ...);
    (add.template operator()<double, X>(lists.d, DoubleWidths{}), ...);
  }(static_cast<Xs*>(nullptr));
}

/// Calls f(k) on every kernel of the lists, the float ones first.
template <class Lists, class F>
void for_each_kernel(const Lists& lists, F&& f) {
  for (const auto& k : lists.f) f(k);
  for (const auto& k : lists.d) f(k);
}

/// A check for FIXNET_ON_EVERY_TARGET: check(k, rng) on every kernel of the
/// table (float, then double), with one rng seeded `seed`.
template <class Check>
auto each_kernel(std::uint64_t seed, Check check) {
  return [=](const auto& table) {
    TestRng rng(seed);
    for_each_kernel(table, [&](const auto& k) { check(k, rng); });
  };
}

/// A check for FIXNET_ON_EVERY_TARGET: check(k, rng) on the double kernels
/// of the table whose width is one of `widths` (finite differences, which
/// run in double), with one rng seeded `seed`.
template <class Check>
auto each_double_kernel(std::uint64_t seed, std::vector<std::size_t> widths, Check check) {
  return [=](const auto& table) {
    TestRng rng(seed);
    for (const auto& k : table.d)
      if (std::find(widths.begin(), widths.end(), k.width) != widths.end()) check(k, rng);
  };
}

/// A check for FIXNET_ON_EVERY_TARGET: the table lists `count` float and
/// `count` double kernels.
inline auto lists_kernels(std::size_t count) {
  return [=](const auto& table) {
    BOOST_TEST(table.f.size() == count);
    BOOST_TEST(table.d.size() == count);
  };
}

// ---------------------------------------------------------------- networks

/// Networks that more than one kernel test runs whole. Each names its layers
/// (per scalar type), its loss and itself.
struct BlobsSpec {
  template <class T>
  using net = BasicMlp<T, Sigmoid, Softmax, 2, 4, 3>;
  using loss = CrossEntropy;
  static constexpr const char* name = "2-4-3 sigmoid/softmax, cross-entropy";
};
struct DeepSpec {
  // Widths around every target's lane counts; every elementwise activation.
  template <class T>
  using net = BasicNetwork<T, Dense<19, 33, Tanh>, Dense<33, 17, Relu>, Dense<17, 9, LeakyRelu>,
                           Dense<9, 3, Sigmoid>>;
  using loss = BinaryCrossEntropy;
  static constexpr const char* name = "19-33-17-9-3 tanh/relu/leaky/sigmoid, binary cross-entropy";
};
struct SoftmaxHiddenSpec {
  // Softmax inside the network (its Jacobian in backpropagation), no bias.
  template <class T>
  using net = BasicNetwork<T, Dense<5, 7, Softmax, NoBias>, Dense<7, 2, Identity>>;
  using loss = MeanSquaredError;
  static constexpr const char* name = "5-7-2 softmax (no bias)/identity, mean squared error";
};

/// One target's whole-network kernels for a NetworkCase.
template <class C>
struct NetworkKernels {
  using T = typename C::scalar;
  using P = typename C::Params;
  using W = typename C::Ws;
  void (*forward)(const P&, W&) = nullptr;
  T (*backward)(const P&, W&, P&, T) = nullptr;
  T (*loss)(const P&, W&) = nullptr;
};

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_KERNEL_SUPPORT_HPP

// The part compiled once per target (toggled as Highway's -inl headers are).
#if defined(FIXNET_TESTS_KERNEL_SUPPORT_TOGGLE) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_TESTS_KERNEL_SUPPORT_TOGGLE
#undef FIXNET_TESTS_KERNEL_SUPPORT_TOGGLE
#else
#define FIXNET_TESTS_KERNEL_SUPPORT_TOGGLE
#endif

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {

/// This target's row kernels of Act for rows of N in T, with the reference.
template <class T, class Act, std::size_t N>
ActivationKernels<T> activation_kernels() {
  return {Act::name,
          N,
          Act::elementwise,
          &fixnet::HWY_NAMESPACE::activation_forward_row<Act, N, T>,
          &fixnet::HWY_NAMESPACE::activation_backward_row<Act, N, T>,
          &reference_forward<Act, N>,
          &reference_backward<Act, N>};
}

/// Sets each entry of a tuple of NetworkKernels<C> to this target's kernels.
template <class Tuple>
void fill_network_kernels(Tuple& networks) {
  for_each_entry(networks, []<class C>(NetworkKernels<C>& k) {
    k = {
        &fixnet::HWY_NAMESPACE::network_forward<typename C::Net, false, typename C::Ws>,
        &fixnet::HWY_NAMESPACE::network_backward<typename C::Loss, typename C::Net, typename C::Ws>,
        &fixnet::HWY_NAMESPACE::network_loss<typename C::Loss, typename C::Net, typename C::Ws>};
  });
}

}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // FIXNET_TESTS_KERNEL_SUPPORT_TOGGLE
