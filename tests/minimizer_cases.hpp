// fixnet tests — the cases that every full-batch minimiser passes
// (conjugate_gradient_test.cpp, lbfgs_test.cpp), each a function taking the
// minimiser under test, configured: a convex quadratic, Rosenbrock's function
// in 2-D in double and in float, and a cost that overflows outside a box.
// Each returns the minimiser's result for the checks of one minimiser only.
#ifndef FIXNET_TESTS_MINIMIZER_CASES_HPP
#define FIXNET_TESTS_MINIMIZER_CASES_HPP

#include <array>
#include <cstddef>
#include <tuple>

#include <boost/test/unit_test.hpp>

#include <fixnet/train/full_batch/minimize.hpp>

#include "full_batch_functions.hpp"

namespace fixnet::tests {

/// Runs `minimizer` on f from x and checks that it stopped for the gradient
/// tolerance (or, where `rounding_may_stop_it`, because the line search
/// found no decrease) within `tolerance` of `expected` (largest |x_i -
/// expected_i|); logs the outcome under `what`. Returns the result.
template <class Minimizer, class F, class X>
auto check_converges(Minimizer&& minimizer, const F& f, X x,
                     const std::array<double, std::tuple_size_v<X>>& expected, double tolerance,
                     const char* what, bool rounding_may_stop_it = false) {
  const auto r = minimizer.minimize(f, x);
  BOOST_TEST_MESSAGE(what << ": " << to_string(r.reason) << " after " << r.iterations
                          << " iterations, " << r.evaluations << " evaluations; x[0] = " << x[0]);
  BOOST_TEST((r.reason == full_batch::StopReason::gradient_tolerance ||
              (rounding_may_stop_it && r.reason == full_batch::StopReason::line_search_failed)));
  BOOST_TEST(max_difference(x, expected) <= tolerance);
  return r;
}

/// A convex 10-D quadratic from 0 (a minimiser over double, N = 10): within
/// 1e-8 of the exact minimiser.
template <class Minimizer>
auto check_minimises_a_convex_quadratic(Minimizer&& minimizer) {
  const Quadratic<10> q(7);
  return check_converges(minimizer, q, std::array<double, 10>{}, q.minimizer(), 1e-8, "quadratic");
}

/// Rosenbrock in 2-D from the classical start (a minimiser over double,
/// N = 2): within 1e-6 of (1, 1).
template <class Minimizer>
auto check_minimises_rosenbrock_in_2d(Minimizer&& minimizer) {
  return check_converges(minimizer, Rosenbrock<2>{}, Rosenbrock<2>::start<double>(), {1.0, 1.0},
                         1e-6, "Rosenbrock 2-D");
}

/// Rosenbrock in 2-D in float (a minimiser over float, N = 2): the cost's
/// rounding limits the decrease that can still be seen, so the run may end
/// when the line search cannot find one; within 1e-3 of (1, 1).
template <class Minimizer>
auto check_minimises_rosenbrock_in_float(Minimizer&& minimizer) {
  constexpr bool rounding_may_stop_it = true;
  return check_converges(minimizer, Rosenbrock<2>{}, Rosenbrock<2>::start<float>(), {1.0, 1.0},
                         1e-3, "Rosenbrock 2-D in float", rounding_may_stop_it);
}

/// Rosenbrock in 2-D with a cost of +infinity outside |x_i| <= 1.5 (a
/// minimiser over double, N = 2): the line search backs off, and the run
/// still ends within 1e-6 of (1, 1).
template <class Minimizer>
auto check_shortens_steps_that_overflow(Minimizer&& minimizer) {
  const Boxed<Rosenbrock<2>> f{{}, 1.5};
  return check_converges(minimizer, f, Rosenbrock<2>::start<double>(), {1.0, 1.0}, 1e-6,
                         "Rosenbrock 2-D, +infinity outside a box");
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_MINIMIZER_CASES_HPP
