// fixnet — L-BFGS on a flat parameter vector, with statically sized state.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 784, 8, 3>;
//   fixnet::Objective<Net, fixnet::BinaryCrossEntropy> cost(train, {}, {1.0f});
//   std::array<float, Net::parameter_count> theta;
//   net.get_parameters(theta);
//   fixnet::full_batch::Lbfgs<float, Net::parameter_count> lbfgs({.max_iterations = 600});  // history 10
//   const fixnet::full_batch::MinimizeResult r = lbfgs.minimize(cost, theta);
//   net.set_parameters(theta);
#ifndef FIXNET_FULL_BATCH_LBFGS_HPP
#define FIXNET_FULL_BATCH_LBFGS_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>

#include "fixnet/core/config.hpp"
#include "fixnet/train/full_batch/descent.hpp"
#include "fixnet/train/full_batch/line_search.hpp"
#include "fixnet/train/full_batch/minimize.hpp"

namespace fixnet::full_batch {

/// Options of `Lbfgs`.
struct LbfgsOptions {
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
  /// The line search; c2 = 0.9, N&W's value for quasi-Newton methods (the
  /// unit step is then usually accepted at once).
  LineSearchOptions line_search{.c1 = 1e-4, .c2 = 0.9};
};

/// Limited-memory BFGS for a function of N parameters of type T, keeping the
/// last `History` step and gradient-change pairs (s_i, y_i) [Nocedal &
/// Wright, Numerical Optimization, 2nd ed., 2006, Algorithm 7.5; the
/// direction by the two-loop recursion, Algorithm 7.4; the initial Hessian
/// H0 = gamma I with gamma = s'y / y'y of the newest pair, eq. 7.20; line
/// search Algorithms 3.5 and 3.6]:
///
///     q = g
///     for i = newest .. oldest:  a_i = rho_i s_i . q;  q -= a_i y_i     (rho_i = 1 / y_i . s_i)
///     r = gamma q
///     for i = oldest .. newest:  b = rho_i y_i . r;    r += (a_i - b) s_i
///     d = -r
///
/// The first trial step is 1 (the quasi-Newton step), and 1 / ||g|| when the
/// history is empty (d = -g). A pair with too little curvature (y . s <=
/// 1e-10 |y|^2, which the Wolfe conditions exclude in exact arithmetic) is
/// not stored. The history is cleared, and steepest descent used, when d is
/// not a descent direction or a line search fails; if it fails again along
/// -g, the minimiser stops.
///
/// State: 2 History + 4 vectors of N values, allocated once, on the heap,
/// by the constructor (for N = 40 000 floats and History = 10, 3.8 MB);
/// `minimize` allocates nothing itself (f may). Dot products are accumulated
/// in double.
template <Scalar T, std::size_t N, std::size_t History = 10>
class Lbfgs {
  static_assert(N > 0, "fixnet: Lbfgs<T, N, History> needs N > 0 parameters");
  // Fix: keep at least one pair (3 to 20 is usual).
  static_assert(History > 0, "fixnet: Lbfgs<T, N, History> needs a history of at least one pair");

 public:
  using scalar_type = T;
  using options_type = LbfgsOptions;
  static constexpr std::size_t parameter_count = N;
  static constexpr std::size_t history = History;

  /// Throws std::invalid_argument for options out of range (limits of 0,
  /// negative tolerances, line search constants outside 0 < c1 < c2 < 1).
  explicit Lbfgs(const LbfgsOptions& options = {})
      : options_(options),
        vectors_(std::make_unique<detail::DescentVectors<T, N>>()),
        memory_(std::make_unique<Memory>()) {
    detail::check_stopping_rules(options, "Lbfgs");
    detail::check_line_search(options.line_search, "Lbfgs");
  }

  /// Minimises f from theta (in place: theta ends at the final point), calling
  /// `callback(IterationReport)` after each iteration; it may stop the run by
  /// returning `Control::stop`. Starts with an empty history. Throws
  /// std::domain_error if f or its gradient is not finite at the start.
  template <CostFunction<T, N> F, IterationCallback<T, N> C = NoCallback>
  MinimizeResult minimize(F&& f, std::span<T, N> theta, C&& callback = {}) {
    Method method{memory_.get()};
    return detail::descend<T, N>(method, options_, *vectors_, f, theta, callback, "Lbfgs");
  }
  template <CostFunction<T, N> F, IterationCallback<T, N> C = NoCallback>
  MinimizeResult minimize(F&& f, std::array<T, N>& theta, C&& callback = {}) {
    return minimize(f, std::span<T, N>(theta), callback);
  }

  const LbfgsOptions& options() const noexcept { return options_; }

 private:
  /// The newest `count` pairs, in a ring: pair j (0 = oldest) at
  /// (first + j) % History.
  struct Memory {
    std::array<std::array<T, N>, History> s;
    std::array<std::array<T, N>, History> y;
    std::array<double, History> rho;
    std::array<double, History> alpha;
    std::size_t first = 0;
    std::size_t count = 0;
    double gamma = 1;
  };

  struct Method {
    Memory* m;

    void reset() noexcept {
      m->first = 0;
      m->count = 0;
    }
    double initial_step(const detail::StepContext& c) const noexcept {
      return m->count == 0 ? 1.0 / c.gradient_norm : 1.0;
    }
    void record_step(std::span<const T, N> x_old, std::span<const T, N> x_new, std::span<const T, N> g_old,
                     std::span<const T, N> g_new, double) noexcept {
      // The slot after the newest pair: a free one, or the oldest, overwritten.
      const std::size_t slot = (m->first + m->count) % History;
      auto& s = m->s[slot];
      auto& y = m->y[slot];
      // s from the points actually reached (in T), not alpha d: the pair
      // must describe the gradient change between those two points.
      for (std::size_t i = 0; i < N; ++i) {
        s[i] = x_new[i] - x_old[i];
        y[i] = g_new[i] - g_old[i];
      }
      const double ys = detail::dot<T, N>(y, s);
      const double yy = detail::dot<T, N>(y, y);
      if (!(ys > 1e-10 * yy) || !std::isfinite(ys)) return;  // not stored: slot stays free
      m->rho[slot] = 1.0 / ys;
      m->gamma = ys / yy;
      if (m->count < History) {
        ++m->count;
      } else {
        m->first = (m->first + 1) % History;
      }
    }
    bool next_direction(std::span<const T, N> g, std::span<T, N> d) noexcept {
      if (m->count == 0) {
        detail::steepest_descent<T, N>(g, d);
        return true;
      }
      // Two-loop recursion, with q and then r held in d.
      std::copy(g.begin(), g.end(), d.begin());
      for (std::size_t j = m->count; j-- > 0;) {
        const std::size_t k = (m->first + j) % History;
        const double a = m->rho[k] * detail::dot<T, N>(m->s[k], d);
        m->alpha[k] = a;
        const T at = static_cast<T>(a);
        for (std::size_t i = 0; i < N; ++i) d[i] -= at * m->y[k][i];
      }
      const T gamma = static_cast<T>(m->gamma);
      for (std::size_t i = 0; i < N; ++i) d[i] *= gamma;
      for (std::size_t j = 0; j < m->count; ++j) {
        const std::size_t k = (m->first + j) % History;
        const double b = m->rho[k] * detail::dot<T, N>(m->y[k], d);
        const T c = static_cast<T>(m->alpha[k] - b);
        for (std::size_t i = 0; i < N; ++i) d[i] += c * m->s[k][i];
      }
      for (std::size_t i = 0; i < N; ++i) d[i] = -d[i];
      return false;
    }
  };

  LbfgsOptions options_;
  std::unique_ptr<detail::DescentVectors<T, N>> vectors_;
  std::unique_ptr<Memory> memory_;
};

}  // namespace fixnet::full_batch

#endif  // FIXNET_FULL_BATCH_LBFGS_HPP
