// fixnet tests — helpers shared by the unit tests: deterministic test data,
// padded rows as the kernels want them, element-wise comparison with a stated
// tolerance, and central finite differences.
//
// Include after <boost/test/unit_test.hpp> (each test defines its own
// BOOST_TEST_MODULE first).
#ifndef FIXNET_TESTS_TEST_SUPPORT_HPP
#define FIXNET_TESTS_TEST_SUPPORT_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "fixnet/core/config.hpp"

namespace fixnet::tests {

/// The engine behind every piece of test data: seeded, so a failure repeats.
using TestRng = std::mt19937_64;

/// A value drawn uniformly from [low, high).
template <class T>
T uniform(TestRng& rng, double low, double high) {
  return static_cast<T>(std::uniform_real_distribution<double>(low, high)(rng));
}

/// N values drawn uniformly from [low, high).
template <class T, std::size_t N>
std::array<T, N> uniform_array(TestRng& rng, double low, double high) {
  std::array<T, N> out;
  for (T& v : out) v = uniform<T>(rng, low, high);
  return out;
}

/// One padded, 64-byte-aligned row of N values, as every kernel reads and
/// writes them (fixnet/core/config.hpp).
template <class T, std::size_t N>
struct alignas(alignment) PaddedRow {
  static constexpr std::size_t width = N;
  static constexpr std::size_t size = padded<T>(N);
  std::array<T, size> v;

  T* data() noexcept { return v.data(); }
  const T* data() const noexcept { return v.data(); }
  T& operator[](std::size_t i) noexcept { return v[i]; }
  T operator[](std::size_t i) const noexcept { return v[i]; }
  /// The N values, converted to double (the reference's precision).
  std::array<double, N> to_double() const {
    std::array<double, N> out;
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<double>(v[i]);
    return out;
  }
  /// Sets the N values, and the padding to `pad`.
  template <class U>
  void assign(const std::array<U, N>& values, T pad) {
    std::fill(v.begin(), v.end(), pad);
    for (std::size_t i = 0; i < N; ++i) v[i] = static_cast<T>(values[i]);
  }
};

/// Whether |actual - expected| <= rel |expected| + abs (NaN never is).
inline bool within(double actual, double expected, double rel, double abs) {
  return std::abs(actual - expected) <= rel * std::abs(expected) + abs;
}

/// Checks every element of `actual` against `expected` with
/// |actual - expected| <= rel |expected| + abs; reports the number of
/// mismatches and the worst one in a single assertion, so that a wrong kernel
/// yields one readable line rather than hundreds.
template <class A, class E>
void check_close_all(const A& actual, const E& expected, double rel, double abs,
                     std::string_view what) {
  BOOST_TEST_REQUIRE(std::size(actual) == std::size(expected));
  std::size_t bad = 0, worst = 0;
  double worst_excess = -1;
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    const double a = static_cast<double>(actual[i]);
    const double e = static_cast<double>(expected[i]);
    if (!within(a, e, rel, abs)) {
      ++bad;
      const double excess = std::isnan(a) ? std::numeric_limits<double>::infinity()
                                           : std::abs(a - e) - (rel * std::abs(e) + abs);
      if (excess > worst_excess) worst_excess = excess, worst = i;
    }
  }
  BOOST_CHECK_MESSAGE(bad == 0, what << ": " << bad << " of " << std::size(expected)
                                     << " elements differ; worst at [" << worst << "]: "
                                     << std::setprecision(17) << static_cast<double>(actual[worst])
                                     << " vs " << static_cast<double>(expected[worst])
                                     << std::setprecision(3) << " (rel " << rel << ", abs " << abs
                                     << ")");
}

/// Checks actual[i] against y[i] + alpha x[i] (the update of gradient descent
/// and of add_scaled), computed with std::fma in double. A vector kernel may
/// fuse the multiply-add (one rounding) or not (two roundings, e.g. on SSE4),
/// and each rounding is at most eps/2 of the magnitudes involved, so the bound
/// is 2 eps (|y| + |alpha x|) per element: relative to the terms, not to the
/// result, which may be a small difference of large terms.
template <class T, class A>
void check_axpy(const A& actual, const std::vector<T>& y, T alpha, const std::vector<T>& x,
                std::string_view what) {
  BOOST_TEST_REQUIRE(std::size(actual) == y.size());
  BOOST_TEST_REQUIRE(x.size() == y.size());
  constexpr double eps = std::numeric_limits<T>::epsilon();
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double expected = std::fma(double(alpha), double(x[i]), double(y[i]));
    const double bound = 2 * eps * (std::abs(double(y[i])) + std::abs(double(alpha) * double(x[i])));
    if (!(std::abs(double(actual[i]) - expected) <= bound) && bad++ == 0) first = i;
  }
  BOOST_CHECK_MESSAGE(bad == 0, what << ": " << bad << " of " << y.size() << " elements differ from y + alpha x"
                                     << "; first at [" << first << "]: " << std::setprecision(17)
                                     << double(actual[first]) << " vs "
                                     << std::fma(double(alpha), double(x[first]), double(y[first])));
}

/// Largest |x| over a range (0 for an empty one).
template <class R>
double max_abs(const R& r) {
  double m = 0;
  for (const auto& x : r) m = std::max(m, std::abs(static_cast<double>(x)));
  return m;
}

/// Checks that the padding of a row (elements N .. padded(N)) is exactly zero.
template <class T, std::size_t N>
void check_padding_zero(const PaddedRow<T, N>& row, std::string_view what) {
  std::size_t nonzero = 0;
  for (std::size_t i = N; i < row.size; ++i) nonzero += row[i] != T(0);
  BOOST_CHECK_MESSAGE(nonzero == 0, what << ": " << nonzero << " of " << row.size - N
                                         << " padding lanes past " << N << " are not zero");
}

/// (f(x + h) - f(x - h)) / 2h, where f() reads `x`; restores `x`.
template <class T, class F>
double central_difference(T& x, double h, F&& f) {
  const T x0 = x;
  x = static_cast<T>(x0 + h);
  const double plus = f();
  x = static_cast<T>(x0 - h);
  const double minus = f();
  x = x0;
  return (plus - minus) / (2 * h);
}

/// Step and tolerance of every finite-difference check, in double. With
/// h = 1e-5 on functions whose scale is about 1, the central difference's
/// truncation error (h^2 f''' / 6) is about 1e-11 and its rounding error
/// (eps |f| / h) about 1e-11, so 1e-6 (1 + |g|) leaves five orders of margin and
/// still catches a wrong factor, sign or index (errors of the size of g).
inline constexpr double fd_step = 1e-5;
inline constexpr double fd_rel = 1e-6;
inline constexpr double fd_abs = 1e-6;

/// Distinct indices in [0, n), k of them (all of them if k >= n), sorted.
inline std::vector<std::size_t> sample_indices(TestRng& rng, std::size_t n, std::size_t k) {
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  if (k < n) {
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(k);
    std::sort(all.begin(), all.end());
  }
  return all;
}

/// One case of the network kernel tests: a network `Spec` (a `net<T>`
/// alias template, a `loss`, a `name`) in scalar type T with batches of B.
template <class Spec, class T, std::size_t B>
struct NetworkCase {
  using spec = Spec;
  using scalar = T;
  using Net = typename Spec::template net<T>;
  using Loss = typename Spec::loss;
  using Params = typename Net::parameters_type;
  using Ws = typename Net::template workspace_type<B>;
  static constexpr std::size_t batch = B;
};

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_TEST_SUPPORT_HPP
