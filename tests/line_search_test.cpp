// Tests of fixnet/train/full_batch/line_search.hpp: the step it returns satisfies
// the strong Wolfe conditions on Moré and Thuente's test functions from
// steps far too short to far too long; it is exact on a quadratic; it backs
// off from overflows; it stops on its evaluation limit and on a bracket too
// small to hold a step; it refuses what is not a descent direction.
#define BOOST_TEST_MODULE line_search
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <stdexcept>

#include <fixnet/train/full_batch/line_search.hpp>

namespace fixnet::tests {
namespace {

using full_batch::LineSearchOptions;
using full_batch::LineSearchPoint;
using full_batch::LineSearchStatus;
using full_batch::satisfies_strong_wolfe;
using full_batch::strong_wolfe_line_search;

/// A one-dimensional function with its derivative, counting calls.
template <class F, class D>
struct Phi {
  F f;
  D d;
  std::size_t calls = 0;
  double last = std::numeric_limits<double>::quiet_NaN();

  LineSearchPoint operator()(double alpha) {
    ++calls;
    last = alpha;
    return {alpha, f(alpha), d(alpha)};
  }
  LineSearchPoint at(double alpha) const { return {alpha, f(alpha), d(alpha)}; }
};
template <class F, class D>
Phi(F, D) -> Phi<F, D>;

// Moré and Thuente (1994), "Line search algorithms with guaranteed
// sufficient decrease", ACM TOMS 20(3), table I-III: their functions 1-3.
auto more_thuente_1() {
  constexpr double beta = 2;
  return Phi{[](double a) { return -a / (a * a + beta); },
             [](double a) { return (a * a - beta) / ((a * a + beta) * (a * a + beta)); }};
}
auto more_thuente_2() {
  constexpr double beta = 0.004;
  return Phi{[](double a) { return std::pow(a + beta, 5) - 2 * std::pow(a + beta, 4); },
             [](double a) { return 5 * std::pow(a + beta, 4) - 8 * std::pow(a + beta, 3); }};
}
auto more_thuente_3() {
  constexpr double beta = 0.01;
  constexpr double l = 39;
  constexpr double pi = std::numbers::pi;
  const auto phi0 = [](double a) {
    if (a <= 1 - beta) return 1 - a;
    if (a >= 1 + beta) return a - 1;
    return (a - 1) * (a - 1) / (2 * beta) + beta / 2;
  };
  const auto dphi0 = [](double a) {
    if (a <= 1 - beta) return -1.0;
    if (a >= 1 + beta) return 1.0;
    return (a - 1) / beta;
  };
  return Phi{[=](double a) { return phi0(a) + 2 * (1 - beta) / (l * pi) * std::sin(l * pi * a / 2); },
             [=](double a) { return dphi0(a) + (1 - beta) * std::cos(l * pi * a / 2); }};
}

template <class P>
void check_wolfe_from_every_start(P phi, double c1, double c2, const char* name) {
  const LineSearchOptions options{.c1 = c1, .c2 = c2, .max_evaluations = 40};
  for (const double initial : {1e-3, 1e-1, 1e1, 1e3}) {
    BOOST_TEST_CONTEXT(name << " from alpha0 = " << initial) {
      phi.calls = 0;
      const LineSearchPoint start = phi.at(0);
      const auto r = strong_wolfe_line_search(phi, start, initial, options);
      BOOST_TEST(r.converged());
      BOOST_TEST(satisfies_strong_wolfe(start, r.point, c1, c2));
      BOOST_TEST(r.point.step > 0);
      BOOST_TEST(r.evaluations == phi.calls);
      // The accepted point is the last one evaluated (its gradient is the
      // caller's last).
      BOOST_TEST(r.point.step == phi.last);
      BOOST_TEST_MESSAGE(name << " alpha0 " << initial << ": step " << r.point.step << " after "
                              << r.evaluations << " evaluations");
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(line_search)

BOOST_AUTO_TEST_CASE(steps_satisfy_strong_wolfe_on_more_thuente_function_1) {
  check_wolfe_from_every_start(more_thuente_1(), 1e-3, 0.1, "phi(a) = -a / (a^2 + 2)");
}

BOOST_AUTO_TEST_CASE(steps_satisfy_strong_wolfe_on_more_thuente_function_2) {
  check_wolfe_from_every_start(more_thuente_2(), 0.1, 0.1 + 1e-9, "phi(a) = (a + 0.004)^5 - 2 (a + 0.004)^4");
}

BOOST_AUTO_TEST_CASE(steps_satisfy_strong_wolfe_on_more_thuente_function_3) {
  check_wolfe_from_every_start(more_thuente_3(), 0.1, 0.1 + 1e-9, "oscillating phi (beta 0.01, l 39)");
}

BOOST_AUTO_TEST_CASE(steps_satisfy_strong_wolfe_with_quasi_newton_constants) {
  check_wolfe_from_every_start(more_thuente_1(), 1e-4, 0.9, "phi(a) = -a / (a^2 + 2)");
  check_wolfe_from_every_start(more_thuente_3(), 1e-4, 0.9, "oscillating phi (beta 0.01, l 39)");
}

// A cubic through two points of a quadratic is that quadratic: the first
// interpolated or extrapolated step is its minimiser.
BOOST_AUTO_TEST_CASE(finds_the_minimiser_of_a_quadratic_exactly) {
  auto phi = Phi{[](double a) { return (a - 3) * (a - 3) - 9; }, [](double a) { return 2 * (a - 3); }};
  // From below (extrapolation) and from above (zoom).
  for (const double initial : {1.0, 10.0}) {
    phi.calls = 0;
    const auto r = strong_wolfe_line_search(phi, phi.at(0), initial, {.c2 = 0.01});
    BOOST_TEST(r.converged());
    BOOST_TEST(r.point.step == 3.0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(r.evaluations == 2u);
  }
}

BOOST_AUTO_TEST_CASE(accepts_the_initial_step_when_it_satisfies_the_conditions) {
  auto phi = Phi{[](double a) { return (a - 1) * (a - 1); }, [](double a) { return 2 * (a - 1); }};
  const auto r = strong_wolfe_line_search(phi, phi.at(0), 1.0);
  BOOST_TEST(r.converged());
  BOOST_TEST(r.point.step == 1.0);
  BOOST_TEST(r.evaluations == 1u);
}

// Past a = 2 the function overflows: the search treats that as too far and
// backs off instead of failing.
BOOST_AUTO_TEST_CASE(backs_off_from_non_finite_values) {
  const double inf = std::numeric_limits<double>::infinity();
  auto phi = Phi{[=](double a) { return a > 2 ? inf : (a - 1.5) * (a - 1.5); },
                 [=](double a) { return a > 2 ? std::numeric_limits<double>::quiet_NaN() : 2 * (a - 1.5); }};
  const LineSearchPoint start = phi.at(0);
  const auto r = strong_wolfe_line_search(phi, start, 100.0, {.c2 = 0.1});
  BOOST_TEST(r.converged());
  BOOST_TEST(satisfies_strong_wolfe(start, r.point, 1e-4, 0.1));
  BOOST_TEST(r.point.step <= 2.0);
}

BOOST_AUTO_TEST_CASE(stops_at_its_evaluation_limit) {
  auto phi = more_thuente_3();
  const auto r = strong_wolfe_line_search(phi, phi.at(0), 1e-3, {.c1 = 0.1, .c2 = 0.1 + 1e-9, .max_evaluations = 3});
  BOOST_TEST((r.status == LineSearchStatus::evaluation_limit));
  BOOST_TEST(r.evaluations == 3u);
  BOOST_TEST(phi.calls == 3u);
  // A smaller limit passed by the caller (a minimiser's remaining budget) wins.
  phi.calls = 0;
  const auto s = strong_wolfe_line_search(phi, phi.at(0), 1e-3, {.c1 = 0.1, .c2 = 0.1 + 1e-9}, 2);
  BOOST_TEST((s.status == LineSearchStatus::evaluation_limit));
  BOOST_TEST(phi.calls == 2u);
}

// A derivative that does not match the function (always -1 for a^2 - a):
// no step has a small enough slope, and the bracket shrinks until its ends
// are indistinguishable.
BOOST_AUTO_TEST_CASE(reports_a_bracket_too_small_when_the_slope_does_not_match_the_function) {
  auto phi = Phi{[](double a) { return a * a - a; }, [](double) { return -1.0; }};
  const auto r = strong_wolfe_line_search(phi, phi.at(0), 4.0, {.max_evaluations = 1000});
  BOOST_TEST((r.status == LineSearchStatus::bracket_too_small));
  BOOST_TEST(r.evaluations < 1000u);
}

// phi = 1 + 1e-18 (a - 1)^2, evaluated with a rounding error of two ulps
// upwards at every step but 0: its decrease is invisible, but its exact
// slope still shows the minimiser at 1. The exact conditions refuse every
// step; within the cost noise, the slope decides.
BOOST_AUTO_TEST_CASE(accepts_steps_whose_decrease_is_below_the_rounding_of_phi) {
  const double rounding = 2 * std::numeric_limits<double>::epsilon();
  auto phi = Phi{[=](double a) { return 1 + 1e-18 * (a - 1) * (a - 1) + (a > 0 ? rounding : 0.0); },
                 [](double a) { return 2e-18 * (a - 1); }};
  const LineSearchPoint start = phi.at(0);
  BOOST_TEST(start.value == 1.0);
  const auto exact = strong_wolfe_line_search(phi, start, 0.3, {.c2 = 0.1, .cost_noise = 0});
  BOOST_TEST(!exact.converged());
  const auto noisy = strong_wolfe_line_search(phi, start, 0.3, {.c2 = 0.1});
  BOOST_TEST(noisy.converged());
  BOOST_TEST(std::abs(noisy.point.slope) <= 0.1 * std::abs(start.slope));
  BOOST_TEST(std::abs(noisy.point.step - 1) <= 0.1);
  // Far from the noise, the exact conditions still rule: MT's function 1
  // (phi(0) = 0, so no noise at all) refuses a long step with a tiny slope.
  auto far = more_thuente_1();
  const auto r = strong_wolfe_line_search(far, far.at(0), 1000.0, {.c2 = 0.1});
  BOOST_TEST(satisfies_strong_wolfe(far.at(0), r.point, 1e-4, 0.1));
}

BOOST_AUTO_TEST_CASE(stops_at_the_largest_step_on_an_unbounded_function) {
  auto phi = Phi{[](double a) { return -a; }, [](double) { return -1.0; }};
  const auto r = strong_wolfe_line_search(phi, phi.at(0), 1.0, {.max_step = 100.0});
  BOOST_TEST((r.status == LineSearchStatus::max_step_reached));
  BOOST_TEST(r.point.step == 100.0);
}

BOOST_AUTO_TEST_CASE(refuses_a_direction_that_does_not_descend_and_bad_constants) {
  auto phi = Phi{[](double a) { return a * a; }, [](double a) { return 2 * a; }};
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, 0.0}, 1.0), std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, 1.0}, 1.0), std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 0.0), std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, std::nan(""), -1.0}, 1.0), std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 1.0, {.c1 = 0.5, .c2 = 0.4}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 1.0, {.c1 = 0.0}), std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 1.0, {.c2 = 1.0}), std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 1.0, {.max_evaluations = 0}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(strong_wolfe_line_search(phi, {0.0, 0.0, -1.0}, 1.0, {.cost_noise = 1.0}),
                    std::invalid_argument);
  BOOST_TEST(phi.calls == 0u);
  try {
    strong_wolfe_line_search(phi, {0.0, 0.0, 2.0}, 1.0);
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) ==
               "fixnet::full_batch::strong_wolfe_line_search: expected a descent direction, phi'(0) < 0, got 2");
  }
}

BOOST_AUTO_TEST_CASE(wolfe_predicates_follow_their_definitions) {
  const LineSearchPoint start{0, 1, -1};
  BOOST_TEST(full_batch::sufficient_decrease(start, {1, 1 - 1e-4, 0}, 1e-4));
  BOOST_TEST(!full_batch::sufficient_decrease(start, {1, 1 - 0.5e-4, 0}, 1e-4));
  BOOST_TEST(!full_batch::sufficient_decrease(start, {1, std::nan(""), 0}, 1e-4));
  BOOST_TEST(satisfies_strong_wolfe(start, {1, 0.5, 0.9}, 1e-4, 0.9));
  BOOST_TEST(!satisfies_strong_wolfe(start, {1, 0.5, 0.91}, 1e-4, 0.9));
  BOOST_TEST(!satisfies_strong_wolfe(start, {1, 0.5, -0.91}, 1e-4, 0.9));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
