// fixnet — the user's code inside a training run: called after every epoch
// (and, if asked, after every batch), able to add metrics and to stop the run.
//
//   fixnet::TrainerOptions options;
//   options.on_epoch.push_back([&](fixnet::EpochRecord& e) {
//     e.add_metric("test_accuracy", trainer.evaluate(net, test).accuracy());
//   });
//   options.on_batch.push_back([](const fixnet::BatchRecord& b) {
//     return b.loss < 0.01 ? fixnet::TrainingControl::stop : fixnet::TrainingControl::proceed;
//   });
//
// A callback returns nothing (carry on) or a `TrainingControl`. The trainer
// is in fixnet/train/trainer.hpp.
#ifndef FIXNET_CALLBACKS_HPP
#define FIXNET_CALLBACKS_HPP

#include <concepts>
#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

#include "fixnet/train/history.hpp"

namespace fixnet {

/// What a callback tells the trainer.
enum class TrainingControl {
  /// Carry on.
  proceed,
  /// Stop after this batch or epoch: the run ends with
  /// `StopReason::callback`, its last (perhaps partial) epoch validated and
  /// recorded, and the best parameters restored as after any other end.
  stop,
};

/// What one batch did, for per-batch callbacks.
struct BatchRecord {
  /// 1 for the first epoch.
  std::size_t epoch = 0;
  /// 0 for the epoch's first batch.
  std::size_t batch = 0;
  /// Batches in this epoch.
  std::size_t batches = 0;
  /// Samples in the batch (its size B; 1 for the samples of a full-batch
  /// run's tail, which go one by one).
  std::size_t samples = 0;
  /// Mean loss per sample of the batch, before the step it contributed to.
  double loss = 0;
  /// Whether an optimiser step followed this batch (not so for batches that
  /// only accumulate, with `TrainerOptions::batches_per_step` other than 1).
  bool stepped = false;
  /// Optimiser steps taken since the run began, this batch's included.
  std::size_t steps = 0;
  /// The learning rate of the latest step.
  double learning_rate = 0;
  /// The gradient's global norm before clipping, when this batch stepped and
  /// clipping is on; NaN otherwise.
  double gradient_norm = EpochRecord::missing;
};

/// A user callback taking `Arg`: anything callable with it that returns
/// void (meaning `proceed`) or `TrainingControl`. Empty when
/// default-constructed. Held in a `std::function`, which calling does not
/// allocate: per-batch callbacks keep the training loop allocation-free as
/// long as they do not allocate themselves.
template <class Arg>
class Callback {
 public:
  Callback() = default;

  // clang-format off (clang-format 14 misplaces requires-clauses)
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, Callback> && std::invocable<F&, Arg>)
  Callback(F f)  // NOLINT(google-explicit-constructor): lambdas convert implicitly
      : function_(adapt(std::move(f))) {}
  // clang-format on

  /// Calls it; `proceed` when empty.
  TrainingControl operator()(Arg arg) const {
    return function_ ? function_(std::forward<Arg>(arg)) : TrainingControl::proceed;
  }

  explicit operator bool() const noexcept { return static_cast<bool>(function_); }

 private:
  template <class F>
  static std::function<TrainingControl(Arg)> adapt(F f) {
    using R = std::invoke_result_t<F&, Arg>;
    if constexpr (std::is_void_v<R>) {
      return [f = std::move(f)](Arg arg) mutable {
        std::invoke(f, std::forward<Arg>(arg));
        return TrainingControl::proceed;
      };
    } else {
      // Fix: return fixnet::TrainingControl::proceed or ::stop (a bool would
      // leave it unclear which value means stop).
      static_assert(std::same_as<R, TrainingControl>,
                    "fixnet: a training callback must return void or fixnet::TrainingControl");
      return std::function<TrainingControl(Arg)>(std::move(f));
    }
  }

  std::function<TrainingControl(Arg)> function_;
};

/// Called after each epoch, once it is validated and its record complete but
/// before the trainer decides whether to stop. May add metrics to the record
/// (`add_metric`), which go into the history and its CSV.
using EpochCallback = Callback<EpochRecord&>;

/// Called after each batch (after its step, if it stepped).
using BatchCallback = Callback<const BatchRecord&>;

}  // namespace fixnet

#endif  // FIXNET_CALLBACKS_HPP
