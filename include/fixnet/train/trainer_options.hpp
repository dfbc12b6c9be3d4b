// fixnet — how a Trainer (fixnet/train/trainer.hpp) trains: `TrainerOptions`,
// with the schedule unit and the progress style it names.
#ifndef FIXNET_TRAINER_OPTIONS_HPP
#define FIXNET_TRAINER_OPTIONS_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <ostream>
#include <string>
#include <vector>

#include "fixnet/train/callbacks.hpp"

namespace fixnet {

/// What a learning-rate schedule's t counts.
enum class ScheduleUnit {
  /// Epochs: the rate is set before each epoch from schedule(epoch - 1).
  epoch,
  /// Optimiser steps: the rate is set before each step from schedule(steps
  /// taken so far), for warm-ups measured in steps.
  step,
};

/// How the trainer shows its progress (fixnet/train/progress.hpp: a bar with
/// samples/s and ETA on a terminal, a plain line every 10 s and one at the
/// end otherwise).
enum class ProgressStyle {
  /// Nothing.
  off,
  /// One bar per epoch ("epoch 3/10"), ending in a line with the epoch's
  /// time, samples/s, training loss and accuracy.
  epoch,
  /// One bar for the whole run ("training"), for many short epochs (full-batch
  /// descent).
  run,
};

/// How a `Trainer` trains. Every field has a default; name those you change
/// (`{.epochs = 20, .seed = 7, .patience = 3}`).
struct TrainerOptions {
  /// Passes over the training set.
  std::size_t epochs = 10;
  /// Seed of the shuffling (fixnet::Rng). The same seed, network, data and
  /// options give the same run, bit for bit (timings aside).
  std::uint64_t seed = 0;
  /// A new random order each epoch (true), or the stored order every epoch.
  bool shuffle = true;
  /// Batches whose gradients are accumulated into one step (1: a step per
  /// batch). 0 means all of the epoch's: full-batch gradient descent, one
  /// step per epoch on the gradient averaged over every training sample —
  /// the n % B samples after the last whole batch go one by one, so that none
  /// is left out. Computed batch by batch, so that the whole set need not fit
  /// a workspace; the same sum, up to the order of float additions.
  std::size_t batches_per_step = 1;
  /// Threads computing the batches of a step: 1, the caller alone; T > 1,
  /// the caller and T - 1 workers that the trainer creates at the first
  /// `fit` needing them and keeps. The batches of each step go to the
  /// threads T at a time, each thread with its own workspace and gradient
  /// set, and the sets are summed before the step: the same step, up to the
  /// order of float additions. Hence T > 1 needs steps of several batches:
  /// full-batch descent (`batches_per_step = 0`), or `batches_per_step = T`
  /// for data-parallel mini-batch training as PyTorch's
  /// DistributedDataParallel does it (B samples per thread, a step on T x B).
  /// Dropout masks then depend on T too (a seed per thread). `fit` refuses
  /// more threads than the training set has whole batches (T x B > samples),
  /// and steps of more samples than it has (batches_per_step x B >
  /// samples), giving the numbers.
  std::size_t threads = 1;
  /// The learning rate for t = 0, 1, ... (t counts `schedule_unit`), e.g. a
  /// `fixnet::CosineAnnealing` (fixnet/train/schedules.hpp). Empty: the
  /// optimiser's own rate throughout.
  std::function<double(std::size_t)> schedule{};
  ScheduleUnit schedule_unit = ScheduleUnit::epoch;
  /// L2 strength lambda (0: off): lambda * w is added to the averaged
  /// gradient, i.e. lambda / 2 * sum w^2 to the mean loss (fixnet::L2;
  /// weights only unless `l2_biases`). Applied before clipping, as part of
  /// the loss. Not included in the reported losses.
  double l2 = 0;
  bool l2_biases = false;
  /// Clip the gradient's global L2 norm to this (0: off), after L2, as
  /// PyTorch's clip_grad_norm_ (fixnet/train/clipping.hpp).
  double clip_norm = 0;
  /// Early stopping: stop when the validation loss has not improved by more
  /// than `min_delta` for `patience` epochs in a row (0: never stop early).
  /// Needs a validation set. A run whose patience runs out at its last epoch
  /// anyway counts as completed.
  std::size_t patience = 0;
  double min_delta = 0;
  /// With a validation set, give the network back the parameters of the
  /// epoch with the lowest validation loss when training ends (early
  /// stopping or not); they are kept in a copy made at each improvement.
  /// False: the network keeps the last epoch's parameters.
  bool restore_best = true;
  /// Divergence to large but finite losses: training stops with
  /// `TrainingDiverged` (`Kind::loss_exploded`) after an epoch whose training
  /// loss (the mean over its batches) exceeds `divergence_factor` times the
  /// lowest training loss so far — the lowest of the earlier epochs', or in
  /// a run's first epoch the loss of its first batch, measured before any
  /// step. 0: off; otherwise greater than 1. Epochs rather than batches,
  /// because a mini-batch's loss on a well-fitted network varies by orders of
  /// magnitude from one batch to the next (an easy batch can cost 1e-5, the
  /// next 1e-1) while an epoch's mean does not; the price is at most one
  /// epoch of useless steps, whose parameters are not kept (see
  /// `TrainingDiverged`).
  double divergence_factor = 1e4;
  /// Checkpoints (docs/checkpoints.md): the file to write (atomically, with
  /// everything `Trainer::resume` needs to continue the run exactly) after
  /// every `checkpoint_every` epochs (0: only at the end) and when training
  /// ends. Empty: no checkpoints.
  std::filesystem::path checkpoint_path{};
  std::size_t checkpoint_every = 1;
  /// With a validation set: the file to write the parameters to, as a plain
  /// model file (fixnet::save), each time the validation loss improves.
  /// Empty: none.
  std::filesystem::path best_model_path{};
  /// Called after each epoch, and after each batch (see fixnet/train/callbacks.hpp).
  std::vector<EpochCallback> on_epoch{};
  std::vector<BatchCallback> on_batch{};
  ProgressStyle progress = ProgressStyle::epoch;
  /// Where progress goes: standard error by default, so that standard output
  /// redirected to a file holds only a program's results.
  std::ostream* progress_stream = &std::cerr;
  /// `fit` refuses a network whose parameters are all zero (a network not
  /// yet given values by fixnet::initialize): its hidden units would stay
  /// alike. True: train it from zero anyway. `resume` never checks (it loads
  /// the parameters).
  bool allow_zero_parameters = false;
};

namespace detail {

/// A number as the trainer's messages write it ("%.6g"; NaN as "nan").
inline std::string format_value(double v) {
  if (std::isnan(v)) return "nan";  // not "-nan"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace detail

}  // namespace fixnet

#endif  // FIXNET_TRAINER_OPTIONS_HPP
