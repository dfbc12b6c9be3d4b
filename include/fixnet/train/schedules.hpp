// fixnet — learning-rate schedules: small value types that map an epoch (or
// step) number to a learning rate.
#ifndef FIXNET_SCHEDULES_HPP
#define FIXNET_SCHEDULES_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <numbers>

#include "fixnet/core/config.hpp"

namespace fixnet {

/// A learning-rate schedule: `schedule(t)` is the learning rate of epoch (or
/// step) t = 0, 1, 2, ..., computed without allocation or exceptions. Which
/// of the two t counts is the caller's choice; the formulas below say t.
///
///   for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
///     adam.set_learning_rate(schedule(epoch));
///     ...
///   }
template <class S>
concept LearningRateSchedule = requires(const S& s, std::size_t t) {
  typename S::value_type;
  { s(t) } noexcept -> std::same_as<typename S::value_type>;
};

/// lr(t) = lr.
template <Scalar T = float>
struct ConstantLr {
  using value_type = T;
  T lr;

  T operator()(std::size_t /*t*/) const noexcept { return lr; }
};
// Deduction guides: clang before 17 does not deduce an aggregate's template
// arguments from its initialiser (ConstantLr{0.1f}) without them.
template <Scalar T>
ConstantLr(T) -> ConstantLr<T>;

/// lr(t) = initial * gamma^floor(t / step_size): divides the rate by 1/gamma
/// every `step_size` epochs (PyTorch's StepLR). step_size > 0.
template <Scalar T = float>
struct StepDecay {
  using value_type = T;
  T initial;
  std::size_t step_size;
  T gamma = T(0.1);

  T operator()(std::size_t t) const noexcept {
    return static_cast<T>(static_cast<double>(initial) *
                          std::pow(static_cast<double>(gamma), static_cast<double>(t / step_size)));
  }
};
template <Scalar T, class N>
StepDecay(T, N) -> StepDecay<T>;
template <Scalar T, class N>
StepDecay(T, N, T) -> StepDecay<T>;

/// lr(t) = initial * gamma^t (PyTorch's ExponentialLR).
template <Scalar T = float>
struct ExponentialDecay {
  using value_type = T;
  T initial;
  T gamma;

  T operator()(std::size_t t) const noexcept {
    return static_cast<T>(static_cast<double>(initial) * std::pow(static_cast<double>(gamma), static_cast<double>(t)));
  }
};
template <Scalar T>
ExponentialDecay(T, T) -> ExponentialDecay<T>;

/// lr(t) = eta_min + (initial - eta_min) * (1 + cos(pi * min(t, t_max) / t_max)) / 2:
/// half a cosine from `initial` at t = 0 down to `eta_min` at t = t_max,
/// then `eta_min` (PyTorch's CosineAnnealingLR in closed form, which instead
/// climbs back up after t_max; restarts are a different schedule). t_max > 0.
template <Scalar T = float>
struct CosineAnnealing {
  using value_type = T;
  T initial;
  std::size_t t_max;
  T eta_min = 0;

  T operator()(std::size_t t) const noexcept {
    const double progress = static_cast<double>(std::min(t, t_max)) / static_cast<double>(t_max);
    const double lo = eta_min;
    return static_cast<T>(lo + (static_cast<double>(initial) - lo) * (1 + std::cos(std::numbers::pi * progress)) / 2);
  }
};
template <Scalar T, class N>
CosineAnnealing(T, N) -> CosineAnnealing<T>;
template <Scalar T, class N>
CosineAnnealing(T, N, T) -> CosineAnnealing<T>;

/// Linear warm-up, then another schedule:
///
///     lr(t) = after(0) * (start_factor + (1 - start_factor) * t / steps)   t < steps
///     lr(t) = after(t - steps)                                            t >= steps
///
/// the rate climbs linearly from start_factor * after(0) to after(0) over
/// `steps` epochs, then `after` runs from its own t = 0 (PyTorch's
/// SequentialLR of LinearLR(start_factor, total_iters = steps) and `after`,
/// milestone `steps`). start_factor defaults to LinearLR's 1/3.
///
///   fixnet::LinearWarmup warmup{5, fixnet::CosineAnnealing{1e-3f, 95}};
template <LearningRateSchedule After>
struct LinearWarmup {
  using value_type = typename After::value_type;
  std::size_t steps;
  After after;
  value_type start_factor = value_type(1) / value_type(3);

  value_type operator()(std::size_t t) const noexcept {
    if (t >= steps) return after(t - steps);
    const double factor = static_cast<double>(start_factor) +
                          (1 - static_cast<double>(start_factor)) * static_cast<double>(t) / static_cast<double>(steps);
    return static_cast<value_type>(static_cast<double>(after(0)) * factor);
  }
};
template <class N, LearningRateSchedule After>
LinearWarmup(N, After) -> LinearWarmup<After>;
template <class N, LearningRateSchedule After, class F>
LinearWarmup(N, After, F) -> LinearWarmup<After>;

}  // namespace fixnet

#endif  // FIXNET_SCHEDULES_HPP
