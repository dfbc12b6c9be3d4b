// fixnet — a line search that satisfies the strong Wolfe conditions, for the
// full-batch minimisers (nonlinear conjugate gradient, L-BFGS).
//
//   // phi(alpha) = f(x + alpha d) and its derivative d . grad f(x + alpha d)
//   auto phi = [&](double alpha) { ...; return fixnet::full_batch::LineSearchPoint{alpha, value, slope}; };
//   auto r = fixnet::full_batch::strong_wolfe_line_search(phi, {0.0, f0, g0_dot_d}, 1.0, {.c2 = 0.9});
//   if (r.converged()) ...  // r.point: the accepted step, the last one phi was called with
#ifndef FIXNET_FULL_BATCH_LINE_SEARCH_HPP
#define FIXNET_FULL_BATCH_LINE_SEARCH_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "fixnet/train/full_batch/minimize.hpp"

namespace fixnet::full_batch {

/// The constants of the strong Wolfe conditions and the search's limits.
struct LineSearchOptions {
  /// Sufficient decrease (Armijo) constant, 0 < c1 < c2: N&W's 1e-4.
  double c1 = 1e-4;
  /// Curvature constant, c1 < c2 < 1: 0.9 for quasi-Newton methods
  /// (L-BFGS), 0.1 for nonlinear conjugate gradient (Nocedal & Wright,
  /// section 3.1). The smaller, the more exact the search and the more
  /// evaluations it takes.
  double c2 = 0.9;
  /// Most evaluations of phi in one search.
  std::size_t max_evaluations = 25;
  /// Largest step tried; the search stops there if phi still descends
  /// steeply (an unbounded function, or a badly scaled direction).
  double max_step = 1e10;
  /// The search gives up when the bracket that must hold an acceptable step
  /// is narrower than this, relative to its larger end: steps that close
  /// give the same point in float, and differences in phi are then rounding.
  double step_tolerance = 1e-10;
  /// Relative rounding error of phi: differences of phi within
  /// noise = `cost_noise * |phi(0)|` are not trusted. When the decrease
  /// that sufficient decrease asks for, c1 alpha |phi'(0)|, is below the
  /// noise (near a minimiser), it cannot be verified: a step with phi(alpha)
  /// <= phi(0) + noise then counts as decreasing enough if its slope meets
  /// the curvature condition (a form of Hager and Zhang's approximate Wolfe
  /// conditions, 2005). And two values within the noise are compared
  /// through their slopes. Negative (the default): 16 machine epsilons of
  /// the minimiser's scalar type (1.9e-6 for float, 3.6e-15 for double; for
  /// `strong_wolfe_line_search` called directly, double's). 0: the exact
  /// strong Wolfe conditions.
  double cost_noise = -1;
};

/// A step length alpha, phi(alpha) = f(x + alpha d), and phi'(alpha) =
/// d . grad f(x + alpha d).
struct LineSearchPoint {
  double step = 0;
  double value = 0;
  double slope = 0;
};

/// How a line search ended.
enum class LineSearchStatus {
  /// `point` satisfies the strong Wolfe conditions, or is within the cost
  /// noise of phi(0) with a slope that satisfies them (see `cost_noise`).
  converged,
  /// The evaluation limit came first.
  evaluation_limit,
  /// The bracket shrank below `step_tolerance` (rounding error in phi, or a
  /// gradient that does not match phi).
  bracket_too_small,
  /// phi still decreased steeply at `max_step`.
  max_step_reached,
};

/// What `strong_wolfe_line_search` returns.
struct LineSearchResult {
  LineSearchStatus status = LineSearchStatus::converged;
  /// Converged: the accepted point, always the last one phi was called with
  /// (so that a caller keeping the gradient of its last evaluation holds the
  /// accepted point's gradient). Otherwise the lowest point found that
  /// satisfies sufficient decrease (perhaps the start), informative only.
  LineSearchPoint point;
  /// Calls of phi.
  std::size_t evaluations = 0;

  bool converged() const noexcept { return status == LineSearchStatus::converged; }
};

/// Sufficient decrease (the Armijo condition, N&W eq. 3.6a):
/// phi(alpha) <= phi(0) + c1 alpha phi'(0). False for a non-finite value.
inline bool sufficient_decrease(const LineSearchPoint& start, const LineSearchPoint& p, double c1) noexcept {
  return std::isfinite(p.value) && p.value <= start.value + c1 * p.step * start.slope;
}

/// The strong Wolfe conditions (N&W eq. 3.7): sufficient decrease and
/// |phi'(alpha)| <= c2 |phi'(0)|.
inline bool satisfies_strong_wolfe(const LineSearchPoint& start, const LineSearchPoint& p, double c1,
                                   double c2) noexcept {
  return sufficient_decrease(start, p, c1) && std::isfinite(p.slope) &&
         std::abs(p.slope) <= c2 * std::abs(start.slope);
}

namespace detail {

/// Throws std::invalid_argument unless 0 < c1 < c2 < 1 and the limits are
/// positive.
inline void check_line_search(const LineSearchOptions& o, const char* who) {
  require(o.c1 > 0 && o.c1 < 1, who, "line_search.c1 in (0, 1)", number(o.c1));
  require(o.c2 > o.c1 && o.c2 < 1, who, "line_search.c2 in (c1, 1)",
          number(o.c2) + " with c1 = " + number(o.c1));
  require(o.max_evaluations > 0, who, "line_search.max_evaluations > 0", std::to_string(o.max_evaluations));
  require(o.max_step > 0, who, "line_search.max_step > 0", number(o.max_step));
  require(o.step_tolerance >= 0, who, "line_search.step_tolerance >= 0", number(o.step_tolerance));
  require(o.cost_noise < 1 && !std::isnan(o.cost_noise), who, "line_search.cost_noise below 1",
          number(o.cost_noise));
}

/// The options with a negative `cost_noise` set to 16 epsilons of T.
template <class T>
LineSearchOptions with_noise_of(LineSearchOptions o) noexcept {
  if (o.cost_noise < 0) o.cost_noise = 16 * static_cast<double>(std::numeric_limits<T>::epsilon());
  return o;
}

/// The minimiser of the cubic that matches phi and phi' at p and q (N&W
/// eq. 3.59); NaN when that cubic has no minimiser.
inline double cubic_minimizer(const LineSearchPoint& p, const LineSearchPoint& q) noexcept {
  const double d1 = p.slope + q.slope - 3 * (p.value - q.value) / (p.step - q.step);
  const double discriminant = d1 * d1 - p.slope * q.slope;
  if (!(discriminant >= 0)) return std::numeric_limits<double>::quiet_NaN();
  const double d2 = std::copysign(std::sqrt(discriminant), q.step - p.step);
  return q.step - (q.step - p.step) * (q.slope + d2 - d1) / (q.slope - p.slope + 2 * d2);
}

/// A trial step inside the bracket [lo, hi] (either order): the cubic's
/// minimiser, kept at least a tenth of the bracket away from both ends so
/// that the bracket shrinks by 10% or more each time; the midpoint when the
/// cubic fails (no minimiser, or an end with a non-finite value).
inline double interpolate(const LineSearchPoint& lo, const LineSearchPoint& hi) noexcept {
  const double a = std::min(lo.step, hi.step);
  const double b = std::max(lo.step, hi.step);
  const double margin = 0.1 * (b - a);
  const double x = cubic_minimizer(lo, hi);
  if (!std::isfinite(x)) return 0.5 * (a + b);
  return std::clamp(x, a + margin, b - margin);
}

}  // namespace detail

/// Finds a step alpha > 0 along a descent direction that satisfies the
/// strong Wolfe conditions, by Nocedal & Wright's Algorithm 3.5 (bracketing:
/// steps grow until one is acceptable or an interval must hold one) and
/// Algorithm 3.6 (zoom: the interval shrinks by safeguarded cubic
/// interpolation, eq. 3.59) [Nocedal & Wright, Numerical Optimization, 2nd
/// ed., 2006, section 3.5].
///
/// `phi(alpha)` returns a `LineSearchPoint` with phi(alpha) and phi'(alpha)
/// (its `step` is ignored and set to alpha); `start` is phi and phi' at 0,
/// with phi'(0) < 0. Steps grow from `initial_step` by cubic extrapolation,
/// kept between 1.1 and 4 times the last increment (Moré and Thuente's
/// bounds). A non-finite phi or phi' (an overflow on a step too long) counts
/// as a step that went too far, so the search backs off instead of failing.
/// Values within `options.cost_noise` of each other are compared through
/// their slopes; once the decrease asked for is below that noise, a step
/// within the noise of phi(0) whose slope meets the curvature condition is
/// accepted (after the approximate Wolfe conditions of Hager and Zhang, SIAM
/// J. Optim. 16(1), 2005): without that, a minimiser stalls where its cost's
/// rounding hides the remaining decrease. At most min(options.max_evaluations, max_evaluations) calls of phi.
///
/// Throws std::invalid_argument when phi'(0) is not negative or not finite,
/// phi(0) is not finite, `initial_step` is not positive, or the options are
/// out of range.
template <class Phi>
  requires std::invocable<Phi&, double> &&
           std::convertible_to<std::invoke_result_t<Phi&, double>, LineSearchPoint>
LineSearchResult strong_wolfe_line_search(Phi&& phi, const LineSearchPoint& start, double initial_step,
                                          const LineSearchOptions& options = {},
                                          std::size_t max_evaluations = std::numeric_limits<std::size_t>::max()) {
  constexpr const char* who = "strong_wolfe_line_search";
  detail::check_line_search(options, who);
  detail::require(std::isfinite(start.value), who, "a finite phi(0)", detail::number(start.value));
  detail::require(start.slope < 0 && std::isfinite(start.slope), who,
                  "a descent direction, phi'(0) < 0", detail::number(start.slope));
  detail::require(initial_step > 0 && std::isfinite(initial_step), who, "an initial step > 0",
                  detail::number(initial_step));

  const std::size_t limit = std::min(options.max_evaluations, max_evaluations);
  const double curvature = options.c2 * std::abs(start.slope);
  const double noise = detail::with_noise_of<double>(options).cost_noise * std::abs(start.value);
  std::size_t evaluations = 0;
  const auto evaluate = [&](double alpha) {
    LineSearchPoint p = phi(alpha);
    p.step = alpha;
    ++evaluations;
    return p;
  };
  const auto acceptable_slope = [&](const LineSearchPoint& p) { return std::abs(p.slope) <= curvature; };
  // Too far: an overflow, or no sufficient decrease where it can be told
  // from rounding (the decrease asked for exceeds the noise, or phi is above
  // phi(0) by more than the noise). Otherwise the slopes decide, and
  // accepting a step needs its slope to meet the curvature condition, which
  // with c2 <= 1 - 2 c1 implies the approximate Wolfe conditions.
  const auto too_far = [&](const LineSearchPoint& p) {
    if (!std::isfinite(p.value) || !std::isfinite(p.slope)) return true;
    if (sufficient_decrease(start, p, options.c1)) return false;
    const bool unverifiable = options.c1 * p.step * std::abs(start.slope) <= noise;
    return !(unverifiable && p.value <= start.value + noise);
  };
  // p above q by more than the noise; closer values are left to the slopes.
  const auto higher = [&](const LineSearchPoint& p, const LineSearchPoint& q) { return p.value > q.value + noise; };

  // Algorithm 3.6. lo: the best point that satisfies sufficient decrease;
  // hi: the other end of an interval that holds an acceptable step.
  const auto zoom = [&](LineSearchPoint lo, LineSearchPoint hi) -> LineSearchResult {
    for (;;) {
      if (evaluations >= limit) return {LineSearchStatus::evaluation_limit, lo, evaluations};
      if (std::abs(hi.step - lo.step) <= options.step_tolerance * std::max(lo.step, hi.step))
        return {LineSearchStatus::bracket_too_small, lo, evaluations};
      const LineSearchPoint p = evaluate(detail::interpolate(lo, hi));
      // N&W compare with >=; a tie (within the noise) goes to the slope
      // instead, which still tells where the minimiser lies when phi is flat
      // to its last bits (near a minimum, where values differ by rounding).
      if (too_far(p) || higher(p, lo)) {
        hi = p;
      } else {
        if (acceptable_slope(p)) return {LineSearchStatus::converged, p, evaluations};
        if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = p;
      }
    }
  };

  // Algorithm 3.5.
  LineSearchPoint previous = start;
  double alpha = std::min(initial_step, options.max_step);
  for (;;) {
    if (evaluations >= limit) return {LineSearchStatus::evaluation_limit, previous, evaluations};
    const LineSearchPoint p = evaluate(alpha);
    if (too_far(p) || (evaluations > 1 && higher(p, previous))) return zoom(previous, p);
    if (acceptable_slope(p)) return {LineSearchStatus::converged, p, evaluations};
    if (p.slope >= 0) return zoom(p, previous);
    if (alpha >= options.max_step) return {LineSearchStatus::max_step_reached, p, evaluations};
    const double increment = alpha - previous.step;
    const double next = detail::cubic_minimizer(previous, p);
    const double lower = alpha + 1.1 * increment;
    const double upper = alpha + 4.0 * increment;
    previous = p;
    alpha = std::min(std::isfinite(next) ? std::clamp(next, lower, upper) : upper, options.max_step);
  }
}

}  // namespace fixnet::full_batch

#endif  // FIXNET_FULL_BATCH_LINE_SEARCH_HPP
