// fixnet tests — functions with known minima for the full-batch minimisers
// (conjugate_gradient_test.cpp, lbfgs_test.cpp): a convex quadratic whose
// minimiser is solved for exactly, Rosenbrock's function in 2 and N
// dimensions, and wrappers that count evaluations or fail beyond a region.
#ifndef FIXNET_TESTS_FULL_BATCH_FUNCTIONS_HPP
#define FIXNET_TESTS_FULL_BATCH_FUNCTIONS_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <utility>

namespace fixnet::tests {

/// f(x) = 1/2 x'Ax - b'x with A = M'M + I (symmetric positive definite, M
/// drawn with a seed) and b drawn too; the minimiser solves Ax = b,
/// computed here by Gaussian elimination in long double.
template <std::size_t N>
struct Quadratic {
  std::array<std::array<double, N>, N> a{};
  std::array<double, N> b{};

  explicit Quadratic(unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::array<std::array<double, N>, N> m;
    for (auto& row : m)
      for (double& v : row) v = u(rng);
    for (std::size_t i = 0; i < N; ++i)
      for (std::size_t j = 0; j < N; ++j) {
        double s = i == j ? 1.0 : 0.0;
        for (std::size_t k = 0; k < N; ++k) s += m[k][i] * m[k][j];
        a[i][j] = s;
      }
    for (double& v : b) v = u(rng);
  }

  template <class T>
  double operator()(std::span<const T, N> x, std::span<T, N> g) const {
    double f = 0;
    for (std::size_t i = 0; i < N; ++i) {
      double ax = 0;
      for (std::size_t j = 0; j < N; ++j) ax += a[i][j] * static_cast<double>(x[j]);
      g[i] = static_cast<T>(ax - b[i]);
      f += 0.5 * static_cast<double>(x[i]) * ax - b[i] * static_cast<double>(x[i]);
    }
    return f;
  }

  std::array<double, N> minimizer() const {
    std::array<std::array<long double, N + 1>, N> e;
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t j = 0; j < N; ++j) e[i][j] = a[i][j];
      e[i][N] = b[i];
    }
    for (std::size_t c = 0; c < N; ++c) {
      std::size_t pivot = c;
      for (std::size_t r = c + 1; r < N; ++r)
        if (std::abs(e[r][c]) > std::abs(e[pivot][c])) pivot = r;
      std::swap(e[c], e[pivot]);
      for (std::size_t r = 0; r < N; ++r) {
        if (r == c) continue;
        const long double factor = e[r][c] / e[c][c];
        for (std::size_t k = c; k <= N; ++k) e[r][k] -= factor * e[c][k];
      }
    }
    std::array<double, N> x;
    for (std::size_t i = 0; i < N; ++i) x[i] = static_cast<double>(e[i][N] / e[i][i]);
    return x;
  }
};

/// Rosenbrock's function in N (even) dimensions, the sum of N/2 independent
/// copies of 100 (x2 - x1^2)^2 + (1 - x1)^2 ("extended Rosenbrock", Moré,
/// Garbow and Hillstrom 1981, problem 21); minimum 0 at (1, ..., 1).
template <std::size_t N>
struct Rosenbrock {
  static_assert(N % 2 == 0);

  template <class T>
  double operator()(std::span<const T, N> x, std::span<T, N> g) const {
    double f = 0;
    for (std::size_t i = 0; i < N; i += 2) {
      const double x1 = static_cast<double>(x[i]);
      const double x2 = static_cast<double>(x[i + 1]);
      const double a = x2 - x1 * x1;
      const double b = 1 - x1;
      f += 100 * a * a + b * b;
      g[i] = static_cast<T>(-400 * x1 * a - 2 * b);
      g[i + 1] = static_cast<T>(200 * a);
    }
    return f;
  }

  /// The classical start, (-1.2, 1, -1.2, 1, ...).
  template <class T>
  static std::array<T, N> start() {
    std::array<T, N> x;
    for (std::size_t i = 0; i < N; i += 2) {
      x[i] = T(-1.2);
      x[i + 1] = T(1);
    }
    return x;
  }
};

/// f, counting the calls.
template <class F>
struct Counted {
  F f;
  std::size_t calls = 0;

  template <class T, std::size_t N>
  double operator()(std::span<const T, N> x, std::span<T, N> g) {
    ++calls;
    return f(x, g);
  }
};

/// f inside the box |x_i| <= bound, +infinity (and a NaN gradient) outside:
/// a cost that overflows on steps too long.
template <class F>
struct Boxed {
  F f;
  double bound;

  template <class T, std::size_t N>
  double operator()(std::span<const T, N> x, std::span<T, N> g) const {
    for (std::size_t i = 0; i < N; ++i)
      if (std::abs(static_cast<double>(x[i])) > bound) {
        for (T& v : g) v = std::numeric_limits<T>::quiet_NaN();
        return std::numeric_limits<double>::infinity();
      }
    return f(x, g);
  }
};

/// Largest |a_i - b_i|.
template <class T, std::size_t N>
double max_difference(const std::array<T, N>& a, const std::array<double, N>& b) {
  double d = 0;
  for (std::size_t i = 0; i < N; ++i) d = std::max(d, std::abs(static_cast<double>(a[i]) - b[i]));
  return d;
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_FULL_BATCH_FUNCTIONS_HPP
