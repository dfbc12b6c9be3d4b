// fixnet — the iteration that nonlinear conjugate gradient and L-BFGS share:
// a search direction, a strong Wolfe line search along it, the step, the
// stopping rules. The two methods differ only in how they choose the
// direction and the first trial step (their `Method`, below).
#ifndef FIXNET_FULL_BATCH_DESCENT_HPP
#define FIXNET_FULL_BATCH_DESCENT_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>

#include "fixnet/core/config.hpp"
#include "fixnet/train/full_batch/line_search.hpp"
#include "fixnet/train/full_batch/minimize.hpp"

namespace fixnet::full_batch::detail {

/// The vectors every descent method keeps: the gradient at the current
/// point, the search direction, and the line search's trial point and its
/// gradient. On the heap (inside the minimiser), allocated once: for a
/// 784-50-10 network each is 159 KiB of floats.
template <Scalar T, std::size_t N>
struct DescentVectors {
  std::array<T, N> gradient;
  std::array<T, N> direction;
  std::array<T, N> trial;
  std::array<T, N> trial_gradient;
};

/// What a method knows when it picks the first trial step of a line search.
struct StepContext {
  /// Iterations done so far (0 for the first search).
  std::size_t iteration;
  double cost;
  double gradient_norm;
  /// phi'(0) = direction . gradient (< 0).
  double slope;
  /// Whether the direction is the steepest descent -gradient.
  bool steepest;
};

template <Scalar T, std::size_t N>
void steepest_descent(std::span<const T, N> g, std::span<T, N> d) noexcept {
  for (std::size_t i = 0; i < N; ++i) d[i] = -g[i];
}

/// Minimises f from theta with `method` choosing directions:
///
///   d = -g
///   repeat
///     if d . g >= 0 (not a descent direction): restart, d = -g
///     find alpha meeting the strong Wolfe conditions along d (Alg. 3.5/3.6)
///       if none: restart with d = -g once; if that fails too, stop
///     method.record_step(x, x + alpha d, g, g_new): history for the next d
///     x <- x + alpha d;  g <- g_new;  d <- method.next_direction(g)
///     callback, then the tolerances and the limits
///
/// `Method` provides `reset()` (forget the history), `record_step(...)`,
/// `next_direction(g, d) -> bool` (true when it chose -g) and
/// `initial_step(StepContext) -> double`.
template <Scalar T, std::size_t N, class Method, class Options, class F, class C>
MinimizeResult descend(Method& method, const Options& options, DescentVectors<T, N>& v, F& f,
                       std::span<T, N> theta, C& callback, const char* who) {
  const std::span<T, N> g(v.gradient);
  const std::span<T, N> d(v.direction);
  const std::span<T, N> trial(v.trial);
  const std::span<T, N> trial_gradient(v.trial_gradient);
  const std::span<const T, N> x(theta);

  const LineSearchOptions line_search = with_noise_of<T>(options.line_search);
  MinimizeResult result;
  result.cost = evaluate_start<T, N>(f, x, g, who);
  result.evaluations = 1;
  result.gradient_norm = norm<T, N>(g);
  if (result.gradient_norm <= options.gradient_tolerance) {
    result.reason = StopReason::gradient_tolerance;
    return result;
  }

  method.reset();
  steepest_descent<T, N>(g, d);
  bool steepest = true;
  const auto restart = [&] {
    method.reset();
    steepest_descent<T, N>(g, d);
    steepest = true;
    ++result.restarts;
  };

  for (;;) {
    if (result.iterations >= options.max_iterations) {
      result.reason = StopReason::iteration_limit;
      return result;
    }
    double slope = dot<T, N>(d, g);
    if (!(slope < 0)) {
      restart();
      slope = -result.gradient_norm * result.gradient_norm;
    }
    double initial = method.initial_step(
        StepContext{result.iterations, result.cost, result.gradient_norm, slope, steepest});
    if (!(initial > 0) || !std::isfinite(initial)) initial = 1.0 / result.gradient_norm;

    const auto phi = [&](double alpha) {
      const T a = static_cast<T>(alpha);
      for (std::size_t i = 0; i < N; ++i) trial[i] = x[i] + a * d[i];
      const double value = static_cast<double>(f(std::span<const T, N>(trial), trial_gradient));
      return LineSearchPoint{alpha, value, dot<T, N>(trial_gradient, d)};
    };
    const LineSearchResult search =
        strong_wolfe_line_search(phi, LineSearchPoint{0.0, result.cost, slope}, initial, line_search,
                                 options.max_evaluations - result.evaluations);
    result.evaluations += search.evaluations;
    if (!search.converged()) {
      if (result.evaluations >= options.max_evaluations) {
        result.reason = StopReason::evaluation_limit;
        return result;
      }
      // A direction built from history can be poor (CG after many steps,
      // L-BFGS with a stale curvature pair); steepest descent is the last
      // resort.
      if (!steepest) {
        restart();
        continue;
      }
      result.reason = StopReason::line_search_failed;
      return result;
    }

    method.record_step(x, std::span<const T, N>(trial), std::span<const T, N>(g),
                       std::span<const T, N>(trial_gradient), search.point.step);
    std::copy(trial.begin(), trial.end(), theta.begin());
    std::copy(trial_gradient.begin(), trial_gradient.end(), g.begin());
    const double previous_cost = result.cost;
    result.cost = search.point.value;
    result.gradient_norm = norm<T, N>(g);
    ++result.iterations;
    steepest = method.next_direction(std::span<const T, N>(g), d);
    if (steepest) ++result.restarts;

    const IterationReport<T, N> report{result.iterations, result.evaluations, result.cost,
                                       result.gradient_norm, search.point.step, x,
                                       std::span<const T, N>(g)};
    if (call(callback, report) == Control::stop) {
      result.reason = StopReason::callback;
      return result;
    }
    if (result.gradient_norm <= options.gradient_tolerance) {
      result.reason = StopReason::gradient_tolerance;
      return result;
    }
    if (options.cost_tolerance > 0 && small_decrease(previous_cost, result.cost, options.cost_tolerance)) {
      result.reason = StopReason::cost_tolerance;
      return result;
    }
    if (result.evaluations >= options.max_evaluations) {
      result.reason = StopReason::evaluation_limit;
      return result;
    }
  }
}

}  // namespace fixnet::full_batch::detail

#endif  // FIXNET_FULL_BATCH_DESCENT_HPP
