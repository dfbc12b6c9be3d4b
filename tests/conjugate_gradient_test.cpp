// Tests of fixnet/train/full_batch/conjugate_gradient.hpp (and the iteration it
// shares with L-BFGS, fixnet/train/full_batch/descent.hpp): on functions with
// known minima (a convex quadratic, Rosenbrock in 2 and 10 dimensions) it
// reaches the minimiser to tight tolerances in double and to float's
// precision in float; every stopping rule stops it for its own reason; the
// callback sees every iteration and can stop the run; errors at the start
// are reported; the state lives on the heap.
#define BOOST_TEST_MODULE conjugate_gradient
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <fixnet/train/full_batch/conjugate_gradient.hpp>

#include "full_batch_functions.hpp"
#include "minimizer_cases.hpp"

namespace fixnet::tests {
namespace {

using full_batch::ConjugateGradient;
using full_batch::ConjugateGradientOptions;
using full_batch::Control;
using full_batch::IterationReport;
using full_batch::StopReason;

using Scalars = std::tuple<float, double>;

}  // namespace

BOOST_AUTO_TEST_SUITE(conjugate_gradient)

BOOST_AUTO_TEST_CASE(minimises_a_convex_quadratic_to_1e_minus_8) {
  constexpr std::size_t N = 10;
  const auto r =
      check_minimises_a_convex_quadratic(ConjugateGradient<double, N>({.gradient_tolerance = 1e-12}));
  // Conjugate directions: about N steps on a quadratic, a few more for the
  // inexact line search.
  BOOST_TEST(r.iterations <= 3 * N);
}

BOOST_AUTO_TEST_CASE(minimises_rosenbrock_in_2d_from_the_classical_start_to_1e_minus_6) {
  const auto r = check_minimises_rosenbrock_in_2d(ConjugateGradient<double, 2>({.gradient_tolerance = 1e-10}));
  BOOST_TEST(r.cost <= 1e-12);
}

BOOST_AUTO_TEST_CASE(minimises_rosenbrock_in_10d_to_1e_minus_6) {
  constexpr std::size_t N = 10;
  const Rosenbrock<N> f;
  auto x = Rosenbrock<N>::start<double>();
  ConjugateGradient<double, N> cg({.gradient_tolerance = 1e-10});
  const auto r = cg.minimize(f, x);
  BOOST_TEST_MESSAGE("Rosenbrock 10-D: " << to_string(r.reason) << " after " << r.iterations
                                         << " iterations, " << r.evaluations << " evaluations");
  BOOST_TEST((r.reason == StopReason::gradient_tolerance));
  std::array<double, N> ones;
  ones.fill(1.0);
  BOOST_TEST(max_difference(x, ones) <= 1e-6);
}

// In float the cost's rounding limits the decrease that can still be seen:
// the run ends when the line search cannot find one, close to the minimiser.
BOOST_AUTO_TEST_CASE(minimises_rosenbrock_in_float_to_float_precision) {
  check_minimises_rosenbrock_in_float(ConjugateGradient<float, 2>({.gradient_tolerance = 1e-4}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(the_callback_sees_every_iteration_with_its_point_and_a_falling_cost, T, Scalars) {
  const Rosenbrock<2> f;
  auto x = Rosenbrock<2>::start<T>();
  ConjugateGradient<T, 2> cg({.max_iterations = 15});
  std::vector<IterationReport<T, 2>> seen;
  std::vector<std::array<T, 2>> points;
  std::vector<double> recomputed;
  const auto r = cg.minimize(f, x, [&](const IterationReport<T, 2>& it) {
    seen.push_back(it);
    points.push_back({it.theta[0], it.theta[1]});
    std::array<T, 2> g;
    recomputed.push_back(f(it.theta, std::span<T, 2>(g)));
    BOOST_TEST(it.gradient[0] == g[0]);
    BOOST_TEST(it.gradient[1] == g[1]);
  });
  BOOST_TEST((r.reason == StopReason::iteration_limit));
  BOOST_TEST_REQUIRE(seen.size() == 15u);
  for (std::size_t k = 0; k < seen.size(); ++k) {
    BOOST_TEST(seen[k].iteration == k + 1);
    BOOST_TEST(seen[k].cost == recomputed[k]);
    BOOST_TEST(seen[k].step > 0);
    if (k > 0) {
      BOOST_TEST(seen[k].cost < seen[k - 1].cost);
      BOOST_TEST(seen[k].evaluations > seen[k - 1].evaluations);
    }
  }
  BOOST_TEST(r.cost == seen.back().cost);
  BOOST_TEST(r.evaluations == seen.back().evaluations);
  BOOST_TEST(x[0] == points.back()[0]);
  BOOST_TEST(x[1] == points.back()[1]);
}

BOOST_AUTO_TEST_CASE(the_callback_can_stop_the_run_at_the_point_it_saw) {
  const Rosenbrock<2> f;
  auto x = Rosenbrock<2>::start<double>();
  ConjugateGradient<double, 2> cg;
  std::array<double, 2> at_stop{};
  const auto r = cg.minimize(f, x, [&](const IterationReport<double, 2>& it) {
    if (it.iteration < 4) return Control::proceed;
    at_stop = {it.theta[0], it.theta[1]};
    return Control::stop;
  });
  BOOST_TEST((r.reason == StopReason::callback));
  BOOST_TEST(r.iterations == 4u);
  BOOST_TEST(x[0] == at_stop[0]);
  BOOST_TEST(x[1] == at_stop[1]);
}

BOOST_AUTO_TEST_CASE(the_gradient_tolerance_stops_it_with_that_reason) {
  const Quadratic<10> q(3);
  std::array<double, 10> x{};
  ConjugateGradient<double, 10> cg({.gradient_tolerance = 1e-3});
  const auto r = cg.minimize(q, x);
  BOOST_TEST((r.reason == StopReason::gradient_tolerance));
  BOOST_TEST(r.gradient_norm <= 1e-3);
  std::array<double, 10> g;
  q(std::span<const double, 10>(x), std::span<double, 10>(g));
  const double norm = full_batch::detail::norm<double, 10>(g);
  BOOST_TEST(norm == r.gradient_norm, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(the_cost_tolerance_stops_it_with_that_reason) {
  const Rosenbrock<2> f;
  auto x = Rosenbrock<2>::start<double>();
  ConjugateGradient<double, 2> cg({.gradient_tolerance = 0, .cost_tolerance = 1e-3});
  std::array<double, 2> g;
  double previous = f(std::span<const double, 2>(x), std::span<double, 2>(g));
  double last_decrease = 0;
  const auto r = cg.minimize(f, x, [&](const IterationReport<double, 2>& it) {
    last_decrease = previous - it.cost;
    previous = it.cost;
  });
  BOOST_TEST((r.reason == StopReason::cost_tolerance));
  BOOST_TEST(last_decrease <= 1e-3 * std::max(previous + last_decrease, 1.0));
  BOOST_TEST(r.cost > 1e-10);  // well before the minimum
}

BOOST_AUTO_TEST_CASE(the_iteration_and_evaluation_limits_stop_it_with_their_reasons) {
  const Rosenbrock<2> f;
  {
    auto x = Rosenbrock<2>::start<double>();
    const auto r = ConjugateGradient<double, 2>({.max_iterations = 5}).minimize(f, x);
    BOOST_TEST((r.reason == StopReason::iteration_limit));
    BOOST_TEST(r.iterations == 5u);
  }
  {
    auto x = Rosenbrock<2>::start<double>();
    Counted<Rosenbrock<2>> counted{f};
    const auto r = ConjugateGradient<double, 2>({.max_evaluations = 10}).minimize(counted, x);
    BOOST_TEST((r.reason == StopReason::evaluation_limit));
    BOOST_TEST(r.evaluations <= 10u);
    BOOST_TEST(counted.calls == r.evaluations);
    // theta is the last iterate, and r.cost its cost.
    std::array<double, 2> g;
    BOOST_TEST(f(std::span<const double, 2>(x), std::span<double, 2>(g)) == r.cost);
  }
}

BOOST_AUTO_TEST_CASE(a_start_at_the_minimum_stops_at_once) {
  const Rosenbrock<2> f;
  std::array<double, 2> x{1.0, 1.0};
  Counted<Rosenbrock<2>> counted{f};
  const auto r = ConjugateGradient<double, 2>().minimize(counted, x);
  BOOST_TEST((r.reason == StopReason::gradient_tolerance));
  BOOST_TEST(r.iterations == 0u);
  BOOST_TEST(r.evaluations == 1u);
  BOOST_TEST(counted.calls == 1u);
}

// The cost is +infinity outside |x_i| <= 1.5: the line search backs off.
BOOST_AUTO_TEST_CASE(steps_that_overflow_are_shortened_not_fatal) {
  check_shortens_steps_that_overflow(ConjugateGradient<double, 2>({.gradient_tolerance = 1e-8}));
}

// Restarting every iteration is steepest descent with a line search: far
// slower on Rosenbrock's valley than conjugate directions.
BOOST_AUTO_TEST_CASE(conjugate_directions_beat_steepest_descent) {
  const Rosenbrock<2> f;
  auto x = Rosenbrock<2>::start<double>();
  const auto cg = ConjugateGradient<double, 2>({.gradient_tolerance = 1e-6}).minimize(f, x);
  x = Rosenbrock<2>::start<double>();
  const auto sd = ConjugateGradient<double, 2>({.gradient_tolerance = 1e-6, .restart_every = 1}).minimize(f, x);
  BOOST_TEST_MESSAGE("PR+ CG: " << cg.iterations << " iterations; steepest descent: " << sd.iterations);
  BOOST_TEST((cg.reason == StopReason::gradient_tolerance));
  BOOST_TEST(cg.iterations * 3 < sd.iterations);
  BOOST_TEST(sd.restarts == sd.iterations);
}

BOOST_AUTO_TEST_CASE(a_non_finite_start_is_an_error_that_says_so) {
  const Rosenbrock<2> f;
  std::array<double, 2> x{std::nan(""), 1.0};
  ConjugateGradient<double, 2> cg;
  BOOST_CHECK_THROW(cg.minimize(f, x), std::domain_error);
  try {
    cg.minimize(f, x);
  } catch (const std::domain_error& e) {
    BOOST_TEST(std::string(e.what()).find("the cost at the starting point is nan: expected a finite value") !=
               std::string::npos);
  }
  const auto bad_gradient = [](std::span<const double, 2>, std::span<double, 2> g) {
    g[0] = std::numeric_limits<double>::infinity();
    g[1] = 0;
    return 1.0;
  };
  x = {0.0, 0.0};
  BOOST_CHECK_THROW(cg.minimize(bad_gradient, x), std::domain_error);
}

BOOST_AUTO_TEST_CASE(options_out_of_range_are_refused) {
  using CG = ConjugateGradient<double, 2>;
  BOOST_CHECK_THROW(CG({.max_iterations = 0}), std::invalid_argument);
  BOOST_CHECK_THROW(CG({.max_evaluations = 0}), std::invalid_argument);
  BOOST_CHECK_THROW(CG({.gradient_tolerance = -1}), std::invalid_argument);
  BOOST_CHECK_THROW(CG({.cost_tolerance = std::nan("")}), std::invalid_argument);
  BOOST_CHECK_THROW(CG({.line_search = {.c1 = 0.2, .c2 = 0.1}}), std::invalid_argument);
  try {
    CG({.max_iterations = 0});
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "fixnet::full_batch::ConjugateGradient: expected max_iterations > 0, got 0");
  }
}

// Four vectors of 40 000 floats (625 KiB) are on the heap, not in the object.
BOOST_AUTO_TEST_CASE(the_state_is_on_the_heap) {
  using CG = ConjugateGradient<float, 40'000>;
  static_assert(sizeof(CG) < 512);
  BOOST_TEST(CG().options().max_iterations == 1000u);
}

BOOST_AUTO_TEST_CASE(stop_reasons_have_names) {
  BOOST_TEST(std::string(to_string(StopReason::gradient_tolerance)) == "gradient tolerance reached");
  BOOST_TEST(std::string(to_string(StopReason::line_search_failed)) == "line search failed");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
