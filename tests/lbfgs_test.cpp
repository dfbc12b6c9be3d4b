// Tests of fixnet/train/full_batch/lbfgs.hpp: on functions with known minima (a
// convex quadratic, Rosenbrock in 2 and 10 dimensions) it reaches the
// minimiser to tight tolerances in double, with any history size, and to
// float's precision in float; it takes fewer evaluations than conjugate
// gradient on Rosenbrock; the stopping rules and the callback behave as for
// every full-batch minimiser; the state lives on the heap.
#define BOOST_TEST_MODULE lbfgs
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>

#include <fixnet/train/full_batch/conjugate_gradient.hpp>
#include <fixnet/train/full_batch/lbfgs.hpp>

#include "full_batch_functions.hpp"
#include "minimizer_cases.hpp"

namespace fixnet::tests {
namespace {

using full_batch::Control;
using full_batch::IterationReport;
using full_batch::Lbfgs;
using full_batch::StopReason;

}  // namespace

BOOST_AUTO_TEST_SUITE(lbfgs)

BOOST_AUTO_TEST_CASE(minimises_a_convex_quadratic_to_1e_minus_8) {
  check_minimises_a_convex_quadratic(Lbfgs<double, 10>({.gradient_tolerance = 1e-12}));
}

BOOST_AUTO_TEST_CASE(minimises_rosenbrock_in_2d_from_the_classical_start_to_1e_minus_6) {
  check_minimises_rosenbrock_in_2d(Lbfgs<double, 2>({.gradient_tolerance = 1e-10}));
}

// History sizes 1, 3, 10 and 30 (more pairs than iterations) all converge.
BOOST_AUTO_TEST_CASE(minimises_rosenbrock_in_10d_to_1e_minus_6_with_any_history) {
  constexpr std::size_t N = 10;
  const Rosenbrock<N> f;
  std::array<double, N> ones;
  ones.fill(1.0);
  const auto run = [&](auto lbfgs, const char* name) {
    auto x = Rosenbrock<N>::start<double>();
    const auto r = lbfgs.minimize(f, x);
    BOOST_TEST_MESSAGE("Rosenbrock 10-D, " << name << ": " << to_string(r.reason) << " after " << r.iterations
                                           << " iterations, " << r.evaluations << " evaluations");
    BOOST_TEST((r.reason == StopReason::gradient_tolerance), name);
    BOOST_TEST(max_difference(x, ones) <= 1e-6, name);
  };
  const full_batch::LbfgsOptions options{.max_iterations = 5000, .gradient_tolerance = 1e-10};
  run(Lbfgs<double, N, 1>(options), "history 1");
  run(Lbfgs<double, N, 3>(options), "history 3");
  run(Lbfgs<double, N, 10>(options), "history 10");
  run(Lbfgs<double, N, 30>(options), "history 30");
}

BOOST_AUTO_TEST_CASE(minimises_rosenbrock_in_float_to_float_precision) {
  check_minimises_rosenbrock_in_float(Lbfgs<float, 2>({.gradient_tolerance = 1e-4}));
}

// Curvature information pays on a curved valley: fewer evaluations than
// nonlinear CG for the same accuracy.
BOOST_AUTO_TEST_CASE(takes_fewer_evaluations_than_conjugate_gradient_on_rosenbrock) {
  constexpr std::size_t N = 10;
  const Rosenbrock<N> f;
  auto x = Rosenbrock<N>::start<double>();
  const auto lbfgs = Lbfgs<double, N>({.gradient_tolerance = 1e-8}).minimize(f, x);
  x = Rosenbrock<N>::start<double>();
  const auto cg = full_batch::ConjugateGradient<double, N>({.gradient_tolerance = 1e-8}).minimize(f, x);
  BOOST_TEST_MESSAGE("evaluations: L-BFGS " << lbfgs.evaluations << ", CG " << cg.evaluations);
  BOOST_TEST(lbfgs.evaluations < cg.evaluations);
}

BOOST_AUTO_TEST_CASE(the_callback_sees_every_iteration_and_can_stop_the_run) {
  const Rosenbrock<2> f;
  auto x = Rosenbrock<2>::start<double>();
  std::size_t calls = 0;
  double last_cost = 1e300;
  std::array<double, 2> at_stop{};
  const auto r = Lbfgs<double, 2>().minimize(f, x, [&](const IterationReport<double, 2>& it) {
    ++calls;
    BOOST_TEST(it.iteration == calls);
    BOOST_TEST(it.cost < last_cost);
    last_cost = it.cost;
    if (it.iteration < 6) return Control::proceed;
    at_stop = {it.theta[0], it.theta[1]};
    return Control::stop;
  });
  BOOST_TEST((r.reason == StopReason::callback));
  BOOST_TEST(r.iterations == 6u);
  BOOST_TEST(calls == 6u);
  BOOST_TEST(r.cost == last_cost);
  BOOST_TEST(x[0] == at_stop[0]);
  BOOST_TEST(x[1] == at_stop[1]);
}

BOOST_AUTO_TEST_CASE(each_stopping_rule_stops_it_with_its_reason) {
  const Rosenbrock<2> f;
  const auto run = [&](const full_batch::LbfgsOptions& options) {
    auto x = Rosenbrock<2>::start<double>();
    return Lbfgs<double, 2>(options).minimize(f, x);
  };
  const auto gradient = run({.gradient_tolerance = 1e-2});
  BOOST_TEST((gradient.reason == StopReason::gradient_tolerance));
  BOOST_TEST(gradient.gradient_norm <= 1e-2);
  const auto cost = run({.gradient_tolerance = 0, .cost_tolerance = 1e-2});
  BOOST_TEST((cost.reason == StopReason::cost_tolerance));
  BOOST_TEST(cost.cost > 1e-10);
  const auto iterations = run({.max_iterations = 3});
  BOOST_TEST((iterations.reason == StopReason::iteration_limit));
  BOOST_TEST(iterations.iterations == 3u);
  const auto evaluations = run({.max_evaluations = 7});
  BOOST_TEST((evaluations.reason == StopReason::evaluation_limit));
  BOOST_TEST(evaluations.evaluations <= 7u);
}

BOOST_AUTO_TEST_CASE(steps_that_overflow_are_shortened_not_fatal) {
  check_shortens_steps_that_overflow(Lbfgs<double, 2>({.gradient_tolerance = 1e-8}));
}

// The minimiser can run twice: the second run starts with an empty history.
BOOST_AUTO_TEST_CASE(a_second_run_starts_afresh) {
  const Rosenbrock<2> f;
  Lbfgs<double, 2> lbfgs({.gradient_tolerance = 1e-10});
  auto x = Rosenbrock<2>::start<double>();
  const auto first = lbfgs.minimize(f, x);
  x = Rosenbrock<2>::start<double>();
  const auto second = lbfgs.minimize(f, x);
  BOOST_TEST(first.iterations == second.iterations);
  BOOST_TEST(first.evaluations == second.evaluations);
  BOOST_TEST(first.cost == second.cost);
}

BOOST_AUTO_TEST_CASE(errors_at_the_start_and_bad_options_are_reported) {
  const Rosenbrock<2> f;
  std::array<double, 2> x{1.0, std::nan("")};
  BOOST_CHECK_THROW((Lbfgs<double, 2>().minimize(f, x)), std::domain_error);
  BOOST_CHECK_THROW((Lbfgs<double, 2>({.max_iterations = 0})), std::invalid_argument);
  BOOST_CHECK_THROW((Lbfgs<double, 2>({.line_search = {.c2 = 1e-5}})), std::invalid_argument);
  try {
    Lbfgs<double, 2>({.gradient_tolerance = -1});
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "fixnet::full_batch::Lbfgs: expected gradient_tolerance >= 0, got -1");
  }
}

// 2 x 10 + 4 vectors of 40 000 floats (3.8 MB) are on the heap.
BOOST_AUTO_TEST_CASE(the_state_is_on_the_heap) {
  using L = Lbfgs<float, 40'000, 10>;
  static_assert(sizeof(L) < 512);
  static_assert(L::history == 10);
  BOOST_TEST(L().options().line_search.c2 == 0.9);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
