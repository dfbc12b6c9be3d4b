// fixnet — what the full-batch minimisers (fixnet/full_batch/
// conjugate_gradient.hpp, fixnet/train/full_batch/lbfgs.hpp) share: the function
// they minimise, the report they give after each iteration, why they stop,
// and what they return.
//
//   fixnet::Objective<Net, fixnet::BinaryCrossEntropy> cost(train, {}, {1.0f});
//   std::array<float, Net::parameter_count> theta;
//   net.get_parameters(theta);
//   fixnet::full_batch::ConjugateGradient<float, Net::parameter_count> cg({.max_iterations = 600});
//   const auto result = cg.minimize(cost, theta, [&](const auto& it) {
//     std::printf("%zu %g\n", it.iteration, it.cost);
//     return fixnet::full_batch::Control::proceed;
//   });
//   std::printf("%s after %zu iterations\n", to_string(result.reason), result.iterations);
//   net.set_parameters(theta);
#ifndef FIXNET_FULL_BATCH_MINIMIZE_HPP
#define FIXNET_FULL_BATCH_MINIMIZE_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "fixnet/core/config.hpp"

namespace fixnet::full_batch {

/// A differentiable function of N parameters of type T, as the minimisers
/// call it: `f(theta, gradient)` returns f(theta) (anything convertible to
/// double; the minimisers compare costs in double) and writes grad f(theta)
/// into `gradient`. `fixnet::Objective` (fixnet/train/objective.hpp) is one, for
/// a network over a data set; a lambda is another:
///
///   auto f = [](std::span<const double, 2> x, std::span<double, 2> g) {
///     g[0] = 2 * x[0]; g[1] = 8 * x[1];
///     return x[0] * x[0] + 4 * x[1] * x[1];
///   };
template <class F, class T, std::size_t N>
concept CostFunction = Scalar<T> && requires(F& f, std::span<const T, N> theta, std::span<T, N> gradient) {
  { f(theta, gradient) } -> std::convertible_to<double>;
};

/// What a per-iteration callback tells the minimiser.
enum class Control {
  /// Go on with the next iteration.
  proceed,
  /// Stop now (`StopReason::callback`); theta holds this iteration's point.
  stop,
};

/// Why a minimiser stopped.
enum class StopReason {
  /// The gradient's Euclidean norm fell to `gradient_tolerance` or below.
  gradient_tolerance,
  /// An iteration lowered the cost by no more than `cost_tolerance` (> 0)
  /// times max(|f_k|, |f_{k+1}|, 1), or did not lower it.
  cost_tolerance,
  /// `max_iterations` iterations were done.
  iteration_limit,
  /// `max_evaluations` evaluations of f were spent (theta holds the last
  /// iterate; an unfinished line search's points are dropped).
  evaluation_limit,
  /// The callback returned `Control::stop`.
  callback,
  /// No step along the steepest-descent direction met the Wolfe conditions:
  /// usually the cost's rounding error is as large as the decrease left to
  /// find (a float cost near a minimum), or the gradient does not match the
  /// cost.
  line_search_failed,
};

/// The reason as a phrase: "gradient tolerance reached", ...
inline const char* to_string(StopReason reason) noexcept {
  switch (reason) {
    case StopReason::gradient_tolerance: return "gradient tolerance reached";
    case StopReason::cost_tolerance: return "relative cost decrease below tolerance";
    case StopReason::iteration_limit: return "iteration limit reached";
    case StopReason::evaluation_limit: return "evaluation limit reached";
    case StopReason::callback: return "stopped by the callback";
    case StopReason::line_search_failed: return "line search failed";
  }
  return "unknown";
}

/// What the callback sees after each iteration (1, 2, ...): the new point,
/// its cost and gradient. The spans point into the minimiser's storage and
/// the caller's theta: valid during the call only.
template <Scalar T, std::size_t N>
struct IterationReport {
  /// Iterations done (1 after the first).
  std::size_t iteration;
  /// Evaluations of f so far, the one at the starting point included.
  std::size_t evaluations;
  /// f(theta).
  double cost;
  /// Euclidean norm of grad f(theta).
  double gradient_norm;
  /// The step length the line search accepted (along the search direction).
  double step;
  /// The new point and its gradient.
  std::span<const T, N> theta;
  std::span<const T, N> gradient;
};

/// A per-iteration callback: called with an `IterationReport`, it returns a
/// `Control` (or nothing, to always go on).
template <class C, class T, std::size_t N>
concept IterationCallback =
    std::invocable<C&, const IterationReport<T, N>&> &&
    (std::same_as<std::invoke_result_t<C&, const IterationReport<T, N>&>, Control> ||
     std::is_void_v<std::invoke_result_t<C&, const IterationReport<T, N>&>>);

/// The callback that never stops anything.
struct NoCallback {
  template <class Report>
  constexpr Control operator()(const Report&) const noexcept {
    return Control::proceed;
  }
};

/// What a minimiser returns; theta (the caller's) holds the final point.
struct MinimizeResult {
  StopReason reason = StopReason::iteration_limit;
  /// Iterations done (accepted steps).
  std::size_t iterations = 0;
  /// Evaluations of f, the one at the starting point included.
  std::size_t evaluations = 0;
  /// f at the final point.
  double cost = 0;
  /// Euclidean norm of the gradient at the final point.
  double gradient_norm = 0;
  /// Times the method fell back to steepest descent (a direction that did
  /// not descend, a failed line search, a periodic restart of CG).
  std::size_t restarts = 0;
};

namespace detail {

/// Dot product accumulated in double: the minimisers' decisions (descent or
/// not, beta, the curvature s'y) rest on it, and a float sum of 40 000
/// products loses the digits they compare.
template <Scalar T, std::size_t N>
double dot(std::span<const T, N> a, std::span<const T, N> b) noexcept {
  double sum = 0;
  for (std::size_t i = 0; i < N; ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return sum;
}

template <Scalar T, std::size_t N>
double norm(std::span<const T, N> a) noexcept {
  return std::sqrt(dot(a, a));
}

/// Throws std::invalid_argument "fixnet::ConjugateGradient: expected
/// max_iterations > 0, got 0" unless `ok`.
inline void require(bool ok, const char* who, const char* expected, const std::string& got) {
  if (!ok) throw std::invalid_argument(std::string("fixnet::full_batch::") + who + ": expected " + expected + ", got " + got);
}

inline std::string number(double value) {
  // Enough digits to tell apart the values an error is about.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

/// Checks the stopping rules every minimiser's options have.
template <class Options>
void check_stopping_rules(const Options& o, const char* who) {
  require(o.max_iterations > 0, who, "max_iterations > 0", std::to_string(o.max_iterations));
  require(o.max_evaluations > 0, who, "max_evaluations > 0", std::to_string(o.max_evaluations));
  require(o.gradient_tolerance >= 0, who, "gradient_tolerance >= 0", number(o.gradient_tolerance));
  require(o.cost_tolerance >= 0, who, "cost_tolerance >= 0", number(o.cost_tolerance));
}

/// Whether the decrease from f_old to f_new is too small to go on
/// (L-BFGS-B's rule: relative to the larger cost, or to 1 near zero).
inline bool small_decrease(double f_old, double f_new, double tolerance) noexcept {
  return f_old - f_new <= tolerance * std::max({std::abs(f_old), std::abs(f_new), 1.0});
}

/// Calls the user's callback; a callback returning void always proceeds.
template <class C, class Report>
Control call(C& callback, const Report& report) {
  if constexpr (std::is_void_v<std::invoke_result_t<C&, const Report&>>) {
    callback(report);
    return Control::proceed;
  } else {
    return callback(report);
  }
}

/// Evaluates f at the starting point; a non-finite cost or gradient there is
/// the caller's error (a bad initialisation, NaN in the data), not something
/// a line search can step away from.
template <Scalar T, std::size_t N, class F>
double evaluate_start(F& f, std::span<const T, N> theta, std::span<T, N> gradient, const char* who) {
  const double cost = static_cast<double>(f(theta, gradient));
  if (!std::isfinite(cost))
    throw std::domain_error(std::string("fixnet::full_batch::") + who +
                            ": the cost at the starting point is " + number(cost) +
                            ": expected a finite value (check the initial parameters and the data)");
  const double g = norm<T, N>(gradient);
  if (!std::isfinite(g))
    throw std::domain_error(std::string("fixnet::full_batch::") + who +
                            ": the gradient at the starting point is not finite (norm " + number(g) +
                            "): expected finite values (check the initial parameters and the data)");
  return cost;
}

}  // namespace detail

}  // namespace fixnet::full_batch

#endif  // FIXNET_FULL_BATCH_MINIMIZE_HPP
