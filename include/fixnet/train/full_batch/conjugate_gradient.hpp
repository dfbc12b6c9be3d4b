// fixnet — nonlinear conjugate gradient (Polak–Ribière+) on a flat parameter
// vector: scipy's `fmin_cg`, with statically sized state.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 784, 8, 3>;
//   fixnet::Objective<Net, fixnet::BinaryCrossEntropy> cost(train, {}, {1.0f});
//   std::array<float, Net::parameter_count> theta;
//   net.get_parameters(theta);
//   fixnet::full_batch::ConjugateGradient<float, Net::parameter_count> cg({.max_iterations = 600});
//   const fixnet::full_batch::MinimizeResult r = cg.minimize(cost, theta);
//   net.set_parameters(theta);
#ifndef FIXNET_FULL_BATCH_CONJUGATE_GRADIENT_HPP
#define FIXNET_FULL_BATCH_CONJUGATE_GRADIENT_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <utility>

#include "fixnet/core/config.hpp"
#include "fixnet/train/full_batch/descent.hpp"
#include "fixnet/train/full_batch/line_search.hpp"
#include "fixnet/train/full_batch/minimize.hpp"

namespace fixnet::full_batch {

/// Options of `ConjugateGradient`.
struct ConjugateGradientOptions {
  /// Stop after this many iterations (line searches that found a step).
  std::size_t max_iterations = 1000;
  /// Stop once f has been evaluated this many times (the start included).
  std::size_t max_evaluations = std::numeric_limits<std::size_t>::max();
  /// Stop when ||grad f||_2 <= this.
  double gradient_tolerance = 1e-5;
  /// Stop when an iteration lowers f by no more than this times
  /// max(|f_k|, |f_{k+1}|, 1) (or raises it, within the line search's cost
  /// noise). 0 (the default) turns the rule off.
  double cost_tolerance = 0;
  /// Restart with steepest descent every this many iterations; 0 means every
  /// N (the parameter count), the classical choice for which CG on a
  /// quadratic ends in N steps.
  std::size_t restart_every = 0;
  /// The line search; c2 = 0.1, N&W's value for nonlinear CG (a more exact
  /// search keeps the directions conjugate).
  LineSearchOptions line_search{.c1 = 1e-4, .c2 = 0.1};
};

/// Nonlinear conjugate gradient with the Polak–Ribière+ choice of beta and a
/// strong Wolfe line search, for a function of N parameters of type T
/// [Nocedal & Wright, Numerical Optimization, 2nd ed., 2006, Algorithm 5.4
/// (FR-CG) with beta from eq. 5.44-5.45 (PR+), line search Algorithms 3.5 and
/// 3.6]:
///
///     d_0 = -g_0
///     x_{k+1} = x_k + alpha_k d_k          alpha_k: strong Wolfe
///     beta_{k+1} = max(0, g_{k+1} . (g_{k+1} - g_k) / (g_k . g_k))
///     d_{k+1} = -g_{k+1} + beta_{k+1} d_k
///
/// It restarts with d = -g when beta+ is 0, every `restart_every` iterations,
/// when d is not a descent direction (possible with PR+ and an inexact
/// search), and when a line search fails (if it fails again along -g, the
/// minimiser stops). The first trial step is alpha_{k-1} (g_{k-1} . d_{k-1})
/// / (g_k . d_k) (N&W eq. 3.60: the same first-order change as the last
/// step), and 1 / ||g_0|| at the start.
///
/// State: four vectors of N values (gradient, direction, trial point and its
/// gradient), allocated once, on the heap, by the constructor; `minimize`
/// allocates nothing itself (f may). Dot products and norms are accumulated
/// in double.
template <Scalar T, std::size_t N>
class ConjugateGradient {
  static_assert(N > 0, "fixnet: ConjugateGradient<T, N> needs N > 0 parameters");

 public:
  using scalar_type = T;
  using options_type = ConjugateGradientOptions;
  static constexpr std::size_t parameter_count = N;

  /// Throws std::invalid_argument for options out of range (limits of 0,
  /// negative tolerances, line search constants outside 0 < c1 < c2 < 1).
  explicit ConjugateGradient(const ConjugateGradientOptions& options = {})
      : options_(options), vectors_(std::make_unique<detail::DescentVectors<T, N>>()) {
    detail::check_stopping_rules(options, "ConjugateGradient");
    detail::check_line_search(options.line_search, "ConjugateGradient");
  }

  /// Minimises f from theta (in place: theta ends at the final point), calling
  /// `callback(IterationReport)` after each iteration; it may stop the run by
  /// returning `Control::stop`. Throws std::domain_error if f or its gradient
  /// is not finite at the start (elsewhere, a non-finite f only shortens the
  /// line search's step).
  template <CostFunction<T, N> F, IterationCallback<T, N> C = NoCallback>
  MinimizeResult minimize(F&& f, std::span<T, N> theta, C&& callback = {}) {
    Method method{options_.restart_every == 0 ? N : options_.restart_every};
    return detail::descend<T, N>(method, options_, *vectors_, f, theta, callback, "ConjugateGradient");
  }
  template <CostFunction<T, N> F, IterationCallback<T, N> C = NoCallback>
  MinimizeResult minimize(F&& f, std::array<T, N>& theta, C&& callback = {}) {
    return minimize(f, std::span<T, N>(theta), callback);
  }

  const ConjugateGradientOptions& options() const noexcept { return options_; }

 private:
  struct Method {
    std::size_t restart_every;
    std::size_t since_restart = 0;
    double beta = 0;
    // For the first trial step: alpha_{k-1} and g_{k-1} . d_{k-1}.
    double last_step = 0;
    double last_slope = 0;

    void reset() noexcept {
      since_restart = 0;
      last_slope = 0;
    }
    double initial_step(const detail::StepContext& c) noexcept {
      const double step = last_slope < 0 ? last_step * last_slope / c.slope : 1.0 / c.gradient_norm;
      last_slope = c.slope;
      return step;
    }
    void record_step(std::span<const T, N>, std::span<const T, N>, std::span<const T, N> g_old,
                     std::span<const T, N> g_new, double step) noexcept {
      last_step = step;
      // PR+: g_new . (g_new - g_old) / |g_old|^2, floored at 0.
      const double old_norm2 = detail::dot<T, N>(g_old, g_old);
      const double numerator = detail::dot<T, N>(g_new, g_new) - detail::dot<T, N>(g_new, g_old);
      beta = std::max(0.0, numerator / old_norm2);
      if (!std::isfinite(beta)) beta = 0;
      if (++since_restart >= restart_every) {
        beta = 0;
        since_restart = 0;
      }
    }
    bool next_direction(std::span<const T, N> g, std::span<T, N> d) noexcept {
      const T b = static_cast<T>(beta);
      for (std::size_t i = 0; i < N; ++i) d[i] = -g[i] + b * d[i];
      if (beta == 0) since_restart = 0;
      return beta == 0;
    }
  };

  ConjugateGradientOptions options_;
  std::unique_ptr<detail::DescentVectors<T, N>> vectors_;
};

}  // namespace fixnet::full_batch

#endif  // FIXNET_FULL_BATCH_CONJUGATE_GRADIENT_HPP
