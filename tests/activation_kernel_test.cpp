// Tests of fixnet/kernels/activation-inl.hpp and the per-activation kernels
// (fixnet/kernels/<activation>-inl.hpp), on every Highway target compiled into
// this binary (HWY_IS_TEST compiles every target the CPU can attain): forward
// and backward rows against the scalar reference (fixnet/activations/*.hpp),
// in float and double, for row widths below, equal to and just past each
// target's lane count; padding lanes written as zero; gradients against
// central finite differences in double; logits of +-1000.
//
// hwy/foreach_target.h re-includes this file once per target. The per-target
// part only takes the addresses of the kernels (a table of function
// pointers); the checks are ordinary code compiled once, which keeps the
// build short.
#ifndef FIXNET_TESTS_ACTIVATION_KERNEL_TEST_PRELUDE
#define FIXNET_TESTS_ACTIVATION_KERNEL_TEST_PRELUDE

#define BOOST_TEST_MODULE activation_kernel
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ratio>
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

#include "test_support.hpp"

namespace fixnet::tests {

using Slope5 = BasicLeakyRelu<std::ratio<1, 5>>;
using Activations = std::tuple<Identity, Sigmoid, Tanh, Relu, LeakyRelu, Slope5, Softmax>;

template <std::size_t... N>
struct Widths {};
// 1..5 and 7..10 are below or around the 2 and 4 lanes of 128-bit vectors and
// the 4 and 8 of AVX2; 16 and 17 are one AVX-512 float vector and one lane past
// it (a masked tail); 33 spans three.
using RowWidths = Widths<1, 2, 3, 4, 5, 7, 8, 9, 10, 16, 17, 33>;

/// One target's forward and backward kernels of Act for rows of N.
template <class T, class Act, std::size_t N>
struct RowKernels {
  void (*forward)(const T* z, T* a) = nullptr;
  void (*backward)(const T* a, const T* grad_a, T* grad_z) = nullptr;
};

template <class T, class Act, class W>
struct WidthTable;
template <class T, class Act, std::size_t... N>
struct WidthTable<T, Act, Widths<N...>> {
  using type = std::tuple<RowKernels<T, Act, N>...>;
};

template <class T, class Acts>
struct ActivationTable;
template <class T, class... Acts>
struct ActivationTable<T, std::tuple<Acts...>> {
  using type = std::tuple<typename WidthTable<T, Acts, RowWidths>::type...>;
};

/// The kernels of one target, for every activation, width and scalar type.
struct KernelTable {
  typename ActivationTable<float, Activations>::type f;
  typename ActivationTable<double, Activations>::type d;

  template <class T, class Act, std::size_t N>
  auto& get() {
    auto& by_type = [&]() -> auto& {
      if constexpr (std::is_same_v<T, float>) return f; else return d;
    }();
    return std::get<RowKernels<T, Act, N>>(std::get<typename WidthTable<T, Act, RowWidths>::type>(by_type));
  }
};

/// Agreement of a kernel with the scalar reference, which runs in double on
/// the same inputs (the kernel's inputs converted exactly):
/// |kernel - reference| <= rel |reference| + abs * scale, where scale is 1 for
/// forward passes and the largest incoming gradient for backward passes.
///
/// float: rel 1e-6, about 16 ULP. hn::Exp is documented to 1 ULP, hn::Tanh
/// to 4; a division and, for softmax, a sum of up to 33 terms add a few more.
/// Observed worst case on every target: below 2e-7. abs 2e-7: softmax's
/// backward pass subtracts a dot product, which can cancel (observed 3.5e-8
/// times the largest gradient).
/// double: rel 1e-14 and abs 1e-15, the same budget in double's ULPs
/// (observed below 1e-15 relative; 5e-18 absolute after cancellation).
/// A wrong formula, lane or mask is off by far more than either.
template <class T>
struct Tolerance {
  static constexpr bool is_float = std::is_same_v<T, float>;
  static constexpr double rel = is_float ? 1e-6 : 1e-14;
  static constexpr double abs = is_float ? 2e-7 : 1e-15;
};

template <class Act, class T, std::size_t N>
std::string describe(const char* what) {
  return std::string(Act::name) + " " + what + " <" + (std::is_same_v<T, float> ? "float" : "double") +
         ", N=" + std::to_string(N) + ">";
}

template <class T, std::size_t N>
std::span<const T, N> values(const PaddedRow<T, N>& row) {
  return std::span<const T, N>(row.data(), N);
}

template <class T, std::size_t N>
bool all_finite(const PaddedRow<T, N>& row) {
  return std::all_of(row.v.begin(), row.v.end(), [](T v) { return std::isfinite(v); });
}

template <class T, std::size_t N>
void fill_nan(PaddedRow<T, N>& row) {
  row.v.fill(std::numeric_limits<T>::quiet_NaN());
}

template <class Act, std::size_t N>
std::array<double, N> reference_forward(const std::array<double, N>& z) {
  std::array<double, N> a{};
  Act::reference_forward(std::span<const double, N>(z), std::span<double, N>(a));
  return a;
}

template <class Act, std::size_t N>
std::array<double, N> reference_backward(const std::array<double, N>& a, const std::array<double, N>& g) {
  std::array<double, N> d{};
  Act::reference_backward(std::span<const double, N>(a), std::span<const double, N>(g),
                          std::span<double, N>(d));
  return d;
}

/// Forward on z: NaN in the output beforehand proves every lane (padding too)
/// is written; a finite value larger than any logit in z's padding proves the
/// padding is ignored (softmax's max must not see it).
template <class T, class Act, std::size_t N>
void check_forward_row(const RowKernels<T, Act, N>& k, TestRng& rng) {
  PaddedRow<T, N> z, a, in_place;
  z.assign(uniform_array<T, N>(rng, -8, 8), T(100));
  fill_nan(a);
  k.forward(z.data(), a.data());
  const std::string what = describe<Act, T, N>("forward");
  check_close_all(values(a), reference_forward<Act>(z.to_double()), Tolerance<T>::rel,
                  Tolerance<T>::abs, what);
  check_padding_zero(a, what);
  // In place (a aliases z, as the network's forward pass does): same result.
  in_place = z;
  k.forward(in_place.data(), in_place.data());
  BOOST_CHECK_MESSAGE(in_place.v == a.v, what << ": in place differs from out of place");
}

/// Backward from a = forward(z) and an incoming gradient g (finite garbage in
/// its padding, which must not leak into the result).
template <class T, class Act, std::size_t N>
void check_backward_row(const RowKernels<T, Act, N>& k, TestRng& rng) {
  PaddedRow<T, N> z, a, g, d, in_place;
  z.assign(uniform_array<T, N>(rng, -8, 8), T(0));
  k.forward(z.data(), a.data());
  g.assign(uniform_array<T, N>(rng, -2, 2), T(7));
  fill_nan(d);
  k.backward(a.data(), g.data(), d.data());
  const std::string what = describe<Act, T, N>("backward");
  const auto gd = g.to_double();
  check_close_all(values(d), reference_backward<Act>(a.to_double(), gd), Tolerance<T>::rel,
                  Tolerance<T>::abs * max_abs(gd), what);
  check_padding_zero(d, what);
  // In place (grad_z aliases grad_a, as backpropagation does): same result.
  in_place = g;
  k.backward(a.data(), in_place.data(), in_place.data());
  BOOST_CHECK_MESSAGE(in_place.v == d.v, what << ": in place differs from out of place");
}

/// The vector backward pass is the derivative of the vector forward pass:
/// d_k = d/dz_k sum_i g_i f(z)_i, by central differences in double.
template <class Act, std::size_t N>
void check_finite_differences(const RowKernels<double, Act, N>& k, TestRng& rng) {
  PaddedRow<double, N> z, a, g, d;
  auto zv = uniform_array<double, N>(rng, -3, 3);
  for (double& v : zv)  // keep away from ReLU's kink
    if (std::abs(v) < 0.05) v += 0.1;
  z.assign(zv, 0.0);
  g.assign(uniform_array<double, N>(rng, -2, 2), 0.0);
  k.forward(z.data(), a.data());
  k.backward(a.data(), g.data(), d.data());
  std::array<double, N> fd{};
  for (std::size_t i = 0; i < N; ++i) {
    fd[i] = central_difference(z[i], fd_step, [&] {
      PaddedRow<double, N> out;
      k.forward(z.data(), out.data());
      double dot = 0;
      for (std::size_t j = 0; j < N; ++j) dot += g[j] * out[j];
      return dot;
    });
  }
  check_close_all(values(d), fd, fd_rel, fd_abs, describe<Act, double, N>("backward vs finite differences"));
}

/// Logits of +-1000 (the largest in the masked last vector for N = 17):
/// everything finite, and equal to the reference's saturated values. The
/// absolute tolerance 1e-30 admits the sigmoid's clamped tail (e^-88 in
/// float, a subnormal) where the reference gives exactly 0.
template <class T, class Act, std::size_t N>
void check_extreme_row(const RowKernels<T, Act, N>& k) {
  std::array<T, N> zv{};
  for (std::size_t i = 0; i < N; ++i) zv[i] = i % 3 == 0 ? T(-1000) : (i % 3 == 1 ? T(0) : T(500));
  zv[N - 1] = T(1000);
  PaddedRow<T, N> z, a, g, d;
  z.assign(zv, T(0));
  k.forward(z.data(), a.data());
  const std::string what = describe<Act, T, N>("at +-1000");
  BOOST_CHECK_MESSAGE(all_finite(a), what << ": forward is not finite");
  check_close_all(values(a), reference_forward<Act>(z.to_double()), Tolerance<T>::rel, 1e-30, what);
  TestRng rng(7);
  g.assign(uniform_array<T, N>(rng, -1, 1), T(0));
  k.backward(a.data(), g.data(), d.data());
  BOOST_CHECK_MESSAGE(all_finite(d), what << ": backward is not finite");
  check_close_all(values(d), reference_backward<Act>(a.to_double(), g.to_double()), Tolerance<T>::rel,
                  1e-30, what + " backward");
}

template <class T, class Act, class F, std::size_t... N>
void for_each_width(KernelTable& table, F& f, Widths<N...>) {
  (f(table.template get<T, Act, N>()), ...);
}

/// Calls f(kernels) for every activation and width, float then double.
template <class F>
void for_each_row_kernel(KernelTable& table, F&& f) {
  [&]<class... Acts>(std::tuple<Acts...>*) {
    (for_each_width<float, Acts>(table, f, RowWidths{}), ...);
    (for_each_width<double, Acts>(table, f, RowWidths{}), ...);
  }(static_cast<Activations*>(nullptr));
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_ACTIVATION_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "activation_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {
namespace fk = fixnet::HWY_NAMESPACE;

std::int64_t dispatched_target() { return HWY_TARGET; }

template <class T, class Act, std::size_t... N>
void get_widths(KernelTable& table, Widths<N...>) {
  ((table.template get<T, Act, N>() = {&fk::activation_forward_row<Act, N, T>,
                                       &fk::activation_backward_row<Act, N, T>}),
   ...);
}

/// Fills `table` with this target's kernels.
void get_kernels(KernelTable& table) {
  [&]<class... Acts>(std::tuple<Acts...>*) {
    (get_widths<float, Acts>(table, RowWidths{}), ...);
    (get_widths<double, Acts>(table, RowWidths{}), ...);
  }(static_cast<Activations*>(nullptr));
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

BOOST_AUTO_TEST_SUITE(activation_kernel)

BOOST_AUTO_TEST_CASE(forward_rows_match_the_scalar_reference_and_zero_the_padding_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    TestRng rng(101);
    for_each_row_kernel(table, [&](const auto& k) { check_forward_row(k, rng); });
  });
}

BOOST_AUTO_TEST_CASE(backward_rows_match_the_scalar_reference_and_zero_the_padding_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    TestRng rng(202);
    for_each_row_kernel(table, [&](const auto& k) { check_backward_row(k, rng); });
  });
}

BOOST_AUTO_TEST_CASE(backward_rows_match_finite_differences_in_double_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    TestRng rng(303);
    for_each_row_kernel(table, [&]<class T, class Act, std::size_t N>(const RowKernels<T, Act, N>& k) {
      if constexpr (std::is_same_v<T, double> && (N == 5 || N == 17)) check_finite_differences(k, rng);
    });
  });
}

BOOST_AUTO_TEST_CASE(rows_stay_finite_and_saturate_for_logits_of_plus_minus_1000_on_every_target) {
  on_every_target(current_target, [] {
    KernelTable table = current_kernels();
    for_each_row_kernel(table, [&]<class T, class Act, std::size_t N>(const RowKernels<T, Act, N>& k) {
      if constexpr (N == 3 || N == 17) check_extreme_row(k);
    });
    // Softmax of +-1000 is the one-hot vector of the largest logit, exactly.
    PaddedRow<float, 17> z, a;
    std::array<float, 17> zv{};
    zv.fill(-1000.0f);
    zv[16] = 1000.0f;
    z.assign(zv, 0.0f);
    table.get<float, Softmax, 17>().forward(z.data(), a.data());
    BOOST_TEST(a[16] == 1.0f);
    BOOST_TEST(a[0] == 0.0f);
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
