// Tests of fixnet/kernels/activation-inl.hpp and the per-activation kernels
// (fixnet/kernels/<activation>-inl.hpp), on every Highway target compiled into
// this binary (HWY_IS_TEST compiles every target the CPU can attain): forward
// and backward rows against the scalar reference (fixnet/activations/*.hpp),
// in float and double, for row widths below, equal to and just past each
// target's lane count; padding lanes written as zero; gradients against
// central finite differences in double; logits of +-1000; the float tanh
// kernel's error bound over a sweep of every float magnitude, and its special
// values.
//
// hwy/foreach_target.h re-includes this file once per target. The per-target
// part only lists the kernels (function pointers, with the reference's for
// the same width); the checks take the width at run time and are compiled
// once, which keeps the build short.
#ifndef FIXNET_TESTS_ACTIVATION_KERNEL_TEST_PRELUDE
#define FIXNET_TESTS_ACTIVATION_KERNEL_TEST_PRELUDE

#define BOOST_TEST_MODULE activation_kernel
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ratio>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_ACTIVATION_KERNEL_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "activation_kernel_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target
#include "kernel_support.hpp"  // after per_target.hpp, likewise

// The activation and loss headers carry their Highway kernels: they come
// after hwy/foreach_target.h, and what uses them once in a guarded block.
#include <fixnet/activations/identity.hpp>
#include <fixnet/activations/leaky_relu.hpp>
#include <fixnet/activations/relu.hpp>
#include <fixnet/activations/sigmoid.hpp>
#include <fixnet/activations/softmax.hpp>
#include <fixnet/activations/tanh.hpp>

#ifndef FIXNET_TESTS_ACTIVATION_KERNEL_TEST_TYPES
#define FIXNET_TESTS_ACTIVATION_KERNEL_TEST_TYPES

namespace fixnet::tests {

using Slope5 = BasicLeakyRelu<std::ratio<1, 5>>;
using Activations = std::tuple<Identity, Sigmoid, Tanh, Relu, LeakyRelu, Slope5, Softmax>;

// RowTag uses min(bit_ceil(N), one line) lanes, so: 1 and 2 are single narrow
// vectors; 3 and 5 masked tails of 4 and 8 lanes; 8 a full AVX2 float vector;
// 9 a masked AVX-512 float vector (two lines of double); 16 a full AVX-512
// float vector; 17 one lane past it; 33 three vectors.
using RowWidths = Widths<1, 2, 3, 5, 8, 9, 16, 17, 33>;
inline constexpr std::size_t max_width = 33;

/// The kernels of one target, for every activation and width.
using KernelTable = KernelLists<ActivationKernels>;

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
inline constexpr Bounds tolerance = bounds_for<T>({.rel = 1e-6, .abs = 2e-7}, {.rel = 1e-14, .abs = 1e-15});

/// A row buffer wide enough for every width (padding included).
template <class T>
using Row = PaddedRow<T, max_width>;

template <class T>
std::string describe(const ActivationKernels<T>& k, const char* what) {
  return std::string(k.activation) + " " + what + " <" + type_name<T>() + ", N=" + std::to_string(k.width) + ">";
}

/// Checks that elements n .. padded(n) of a row are exactly zero.
template <class T>
void check_padding_zero(const Row<T>& row, std::size_t n, const std::string& what) {
  const std::size_t nonzero = nonzero_padding(row, n);
  BOOST_CHECK_MESSAGE(nonzero == 0, what << ": " << nonzero << " of " << padded<T>(n) - n
                                         << " padding lanes past " << n << " are not zero");
}

template <class T>
bool all_finite(const Row<T>& row, std::size_t n) {
  return std::all_of(row.v.begin(), row.v.begin() + static_cast<std::ptrdiff_t>(padded<T>(n)),
                     [](T v) { return std::isfinite(v); });
}

/// Forward on z: NaN in the output beforehand proves every lane (padding too)
/// is written; a finite value larger than any logit in z's padding proves the
/// padding is ignored (softmax's max must not see it).
template <class T>
void check_forward_row(const ActivationKernels<T>& k, TestRng& rng) {
  const std::size_t n = k.width;
  const std::string what = describe(k, "forward");
  Row<T> z, a, in_place;
  const auto zv = random_values<T>(rng, n, -8, 8);
  fill_row(z, zv, T(100));
  a.v.fill(std::numeric_limits<T>::quiet_NaN());
  k.forward(z.data(), a.data());
  std::vector<double> expected(n);
  k.reference_forward(zv.data(), expected.data());
  check_close_all(first(a, n), expected, tolerance<T>.rel, tolerance<T>.abs, what);
  check_padding_zero(a, n, what);
  // In place (a aliases z, as the network's forward pass does): same result.
  in_place = z;
  k.forward(in_place.data(), in_place.data());
  BOOST_CHECK_MESSAGE(std::equal(a.v.begin(), a.v.begin() + static_cast<std::ptrdiff_t>(padded<T>(n)),
                                 in_place.v.begin()),
                      what << ": in place differs from out of place");
}

/// Backward from a = forward(z) and an incoming gradient g (finite garbage in
/// its padding, which must not leak into the result).
template <class T>
void check_backward_row(const ActivationKernels<T>& k, TestRng& rng) {
  const std::size_t n = k.width;
  const std::string what = describe(k, "backward");
  Row<T> z, a, g, d, in_place;
  fill_row(z, random_values<T>(rng, n, -8, 8), T(0));
  k.forward(z.data(), a.data());
  const auto gv = random_values<T>(rng, n, -2, 2);
  fill_row(g, gv, T(7));
  d.v.fill(std::numeric_limits<T>::quiet_NaN());
  k.backward(a.data(), g.data(), d.data());
  std::vector<double> expected(n);
  k.reference_backward(first(a, n).data(), gv.data(), expected.data());
  check_close_all(first(d, n), expected, tolerance<T>.rel, tolerance<T>.abs * max_abs(gv), what);
  check_padding_zero(d, n, what);
  // In place (grad_z aliases grad_a, as backpropagation does): same result.
  in_place = g;
  k.backward(a.data(), in_place.data(), in_place.data());
  BOOST_CHECK_MESSAGE(std::equal(d.v.begin(), d.v.begin() + static_cast<std::ptrdiff_t>(padded<T>(n)),
                                 in_place.v.begin()),
                      what << ": in place differs from out of place");
}

/// The vector backward pass is the derivative of the vector forward pass:
/// d_k = d/dz_k sum_i g_i f(z)_i, by central differences in double.
inline void check_finite_differences(const ActivationKernels<double>& k, TestRng& rng) {
  const std::size_t n = k.width;
  Row<double> z, a, g, d;
  auto zv = random_values<double>(rng, n, -3, 3);
  for (double& v : zv)  // keep away from ReLU's kink
    if (std::abs(v) < 0.05) v += 0.1;
  fill_row(z, zv, 0.0);
  fill_row(g, random_values<double>(rng, n, -2, 2), 0.0);
  k.forward(z.data(), a.data());
  k.backward(a.data(), g.data(), d.data());
  std::vector<double> fd(n);
  for (std::size_t i = 0; i < n; ++i) {
    fd[i] = central_difference(z[i], fd_step, [&] {
      Row<double> out;
      k.forward(z.data(), out.data());
      double dot = 0;
      for (std::size_t j = 0; j < n; ++j) dot += g[j] * out[j];
      return dot;
    });
  }
  check_close_all(first(d, n), fd, fd_rel, fd_abs, describe(k, "backward vs finite differences"));
}

/// Logits of +-1000 (the largest last, in the masked last vector for N = 17):
/// everything finite, and equal to the reference's saturated values. The
/// absolute tolerance 1e-30 admits the sigmoid's clamped tail (e^-88 in
/// float, a subnormal) where the reference gives exactly 0.
template <class T>
void check_extreme_row(const ActivationKernels<T>& k) {
  const std::size_t n = k.width;
  const std::string what = describe(k, "at +-1000");
  std::vector<double> zv(n);
  for (std::size_t i = 0; i < n; ++i) zv[i] = i % 3 == 0 ? -1000 : (i % 3 == 1 ? 0 : 500);
  zv[n - 1] = 1000;
  Row<T> z, a, g, d;
  fill_row(z, zv, T(0));
  k.forward(z.data(), a.data());
  BOOST_CHECK_MESSAGE(all_finite(a, n), what << ": forward is not finite");
  std::vector<double> expected(n);
  k.reference_forward(zv.data(), expected.data());
  check_close_all(first(a, n), expected, tolerance<T>.rel, 1e-30, what);
  TestRng rng(7);
  const auto gv = random_values<T>(rng, n, -1, 1);
  fill_row(g, gv, T(0));
  k.backward(a.data(), g.data(), d.data());
  BOOST_CHECK_MESSAGE(all_finite(d, n), what << ": backward is not finite");
  k.reference_backward(first(a, n).data(), gv.data(), expected.data());
  check_close_all(first(d, n), expected, tolerance<T>.rel, 1e-30, what + " backward");
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_ACTIVATION_KERNEL_TEST_TYPES

// This target's kernels.
FIXNET_PER_TARGET_FILL(get_kernels, KernelTable, [](KernelTable& table) {
  add_row_kernels<Activations, RowWidths>(
      table, []<class T, class Act, std::size_t N>() { return activation_kernels<T, Act, N>(); });
});

#ifndef FIXNET_TESTS_ACTIVATION_KERNEL_TEST_TANH
#define FIXNET_TESTS_ACTIVATION_KERNEL_TEST_TANH
namespace fixnet::tests {
/// This target's float tanh kernel over `n` floats (n a multiple of 16).
struct TanhKernel {
  void (*apply)(const float* in, float* out, std::size_t n) = nullptr;
};
}  // namespace fixnet::tests
#endif  // FIXNET_TESTS_ACTIVATION_KERNEL_TEST_TANH

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {
inline void apply_tanh(const float* in, float* out, std::size_t n) {
  namespace hn = hwy::HWY_NAMESPACE;
  const hn::ScalableTag<float> d;
  for (std::size_t i = 0; i < n; i += hn::Lanes(d))
    hn::StoreU(fixnet::HWY_NAMESPACE::ActivationKernel<Tanh>::value(d, hn::LoadU(d, in + i)), d, out + i);
}
}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

FIXNET_PER_TARGET_FILL(get_tanh, TanhKernel, [](TanhKernel& k) { k.apply = &apply_tanh; });

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);
HWY_EXPORT(get_tanh);

/// The error bound stated in fixnet/activations/tanh.hpp for the float
/// kernel, in ULPs of the result (measured over every float: 2.06 with fused
/// multiply-adds; 2.43 in this sweep where they are rounded twice, as on the
/// SSE4, SSSE3 and SCALAR targets of the unoptimised sanitizer build).
constexpr double kTanhUlps = 2.5;

/// |found - exact| in ULPs of the float nearest to exact (its binade's ULP;
/// below the smallest normal number, the subnormals' spacing).
inline double ulps(float found, double exact) {
  const double e = std::fabs(exact);
  if (e < 0x1p-126) return std::fabs(found - exact) / 0x1p-149;
  int binade = 0;
  std::frexp(e, &binade);  // e in [2^(binade-1), 2^binade)
  return std::fabs(found - exact) / std::ldexp(1.0, binade - 24);
}

inline float float_from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// Runs the kernel on xs (padded to whole vectors with zeros) and checks
/// each result against std::tanh in double, and tanh(-x) = -tanh(x) exactly;
/// returns the largest error in ULPs.
inline double check_tanh_at(const TanhKernel& k, std::vector<float> xs) {
  const std::size_t n = xs.size();
  xs.resize((n + 15) / 16 * 16, 0.0f);
  std::vector<float> negated(xs.size()), y(xs.size()), y_neg(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) negated[i] = -xs[i];
  k.apply(xs.data(), y.data(), xs.size());
  k.apply(negated.data(), y_neg.data(), xs.size());
  double worst = 0;
  float worst_x = 0;
  std::size_t asymmetric = 0, above_one = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double err = ulps(y[i], std::tanh(double(xs[i])));
    if (err > worst) {
      worst = err;
      worst_x = xs[i];
    }
    asymmetric += y_neg[i] != -y[i] || std::signbit(y_neg[i]) == std::signbit(y[i]);
    above_one += std::fabs(y[i]) > 1.0f;
  }
  BOOST_TEST(asymmetric == 0u);
  BOOST_TEST(above_one == 0u);
  BOOST_TEST_MESSAGE("tanh: " << worst << " ULP at " << worst_x);
  BOOST_TEST(worst <= kTanhUlps, "tanh: " << worst << " ULP at x = " << worst_x);
  return worst;
}

BOOST_AUTO_TEST_SUITE(activation_kernel)

BOOST_AUTO_TEST_CASE(every_target_lists_seven_activations_at_nine_widths) {
  FIXNET_ON_EVERY_TARGET(get_kernels, lists_kernels(63));
}

BOOST_AUTO_TEST_CASE(forward_rows_match_the_scalar_reference_and_zero_the_padding_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels,
                         each_kernel(101, [](const auto& k, TestRng& rng) { check_forward_row(k, rng); }));
}

BOOST_AUTO_TEST_CASE(backward_rows_match_the_scalar_reference_and_zero_the_padding_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels,
                         each_kernel(202, [](const auto& k, TestRng& rng) { check_backward_row(k, rng); }));
}

BOOST_AUTO_TEST_CASE(backward_rows_match_finite_differences_in_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, each_double_kernel(303, {5, 17}, [](const auto& k, TestRng& rng) {
                           check_finite_differences(k, rng);
                         }));
}

BOOST_AUTO_TEST_CASE(rows_stay_finite_and_saturate_for_logits_of_plus_minus_1000_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for_each_kernel(table, [](const auto& k) {
      if (k.width == 3 || k.width == 17) check_extreme_row(k);
    });
    // Softmax of +-1000 is the one-hot vector of the largest logit, exactly.
    for (const auto& k : table.f) {
      if (k.width != 17 || std::string(k.activation) != "Softmax") continue;
      Row<float> z, a;
      std::vector<double> zv(17, -1000.0);
      zv[16] = 1000;
      fill_row(z, zv, 0.0f);
      k.forward(z.data(), a.data());
      BOOST_TEST(a[16] == 1.0f);
      BOOST_TEST(a[0] == 0.0f);
    }
  });
}

BOOST_AUTO_TEST_CASE(float_tanh_is_within_its_stated_ulp_bound_over_a_sweep_of_every_magnitude_on_every_target) {
  // Every 61st float in [0, 10] (about 18 million, from the subnormals up to
  // past the clamp at 9.5), every float in [1, 1.3] (where the kernel's two
  // forms meet, and its error peaks) and in [9, 9.6] (where tanh rounds to
  // 1), each with its negative.
  std::vector<float> xs;
  for (std::uint32_t b = 0; b <= 0x41200000u; b += 61) xs.push_back(float_from_bits(b));
  for (std::uint32_t b = 0x3f800000u; b <= 0x3fa66666u; ++b) xs.push_back(float_from_bits(b));
  for (std::uint32_t b = 0x41100000u; b <= 0x4119999au; ++b) xs.push_back(float_from_bits(b));
  FIXNET_ON_EVERY_TARGET(get_tanh, [&](const TanhKernel& k) { check_tanh_at(k, xs); });
}

BOOST_AUTO_TEST_CASE(float_tanh_keeps_tiny_inputs_and_the_signs_of_zero_and_saturates_to_one_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_tanh, [](const TanhKernel& k) {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> in = {0.0f,  -0.0f,   0x1p-149f, -0x1p-149f, 0x1p-126f, 0x1.fffffep-13f,
                                   -0x1p-20f, 9.6f,  9.5f,  1e4f,    -3e38f,    inf,
                                   -inf,  nan,   -nan,      1.125f,  std::nextafter(1.125f, 0.0f), 0.5f};
    std::vector<float> x = in, y(32);
    x.resize(32, 0.0f);
    k.apply(x.data(), y.data(), 32);
    // Tiny inputs (|x| < 2^-12, subnormals included) come back unchanged,
    // with their sign: tanh x = x - x^3/3 + ... rounds to x.
    for (std::size_t i = 0; i < 7; ++i) {
      BOOST_TEST(y[i] == x[i], "tanh(" << x[i] << ") = " << y[i]);
      BOOST_TEST(std::signbit(y[i]) == std::signbit(x[i]));
    }
    BOOST_TEST(y[7] == 1.0f);
    BOOST_TEST(y[8] == 1.0f);
    BOOST_TEST(y[9] == 1.0f);
    BOOST_TEST(y[10] == -1.0f);
    BOOST_TEST(y[11] == 1.0f);
    BOOST_TEST(y[12] == -1.0f);
    BOOST_TEST(std::isnan(y[13]));
    BOOST_TEST(std::isnan(y[14]));
    for (std::size_t i = 15; i < in.size(); ++i)
      BOOST_TEST(ulps(y[i], std::tanh(double(x[i]))) <= kTanhUlps, "tanh(" << x[i] << ") = " << y[i]);
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
