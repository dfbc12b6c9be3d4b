// fixnet — a trainer: epochs of shuffled mini-batches (or full-batch
// descent), any optimiser, a learning-rate schedule, L2, gradient clipping,
// validation, early stopping that keeps the best parameters, callbacks,
// progress, checkpoints that resume exactly (`TrainerOptions::
// checkpoint_path`, `Trainer::resume`: fixnet/train/checkpoint.hpp,
// docs/checkpoints.md), and a stop with a clear message when the numbers
// stop being finite.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   auto net = std::make_unique<Net>();
//   fixnet::initialize(*net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, seed);
//   fixnet::Trainer<Net, 32, fixnet::Adam<Net>> trainer(
//       {.epochs = 10, .seed = seed, .patience = 3}, {.lr = 1e-3f});
//   fixnet::TrainingHistory history = trainer.fit(*net, train, validation);
//   std::cout << trainer.evaluate(*net, test).accuracy() << '\n';
//   fixnet::write_csv("curves.csv", history);  // fixnet/train/history.hpp
//
// One optimiser step per batch of B samples by default, on the gradient
// AVERAGED over the batch (the mean loss's gradient: the usual mini-batch
// convention, so that the learning rate does not depend on B). B is a
// template parameter, since batches are statically shaped. Each epoch visits
// the training set in a new order drawn from `TrainerOptions::seed`
// (fixnet::data::shuffle), so a seed gives the same run, bit for bit. The
// n % B samples left after the last whole batch sit out that epoch (a
// different few each epoch: fixnet::data::LastBatch::drop); full-batch
// descent (`batches_per_step = 0`) takes every sample.
#ifndef FIXNET_TRAINER_HPP
#define FIXNET_TRAINER_HPP

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fixnet/train/callbacks.hpp"
#include "fixnet/train/checkpoint.hpp"
#include "fixnet/train/checks.hpp"
#include "fixnet/train/clipping.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/train/evaluate.hpp"
#include "fixnet/train/finite.hpp"
#include "fixnet/train/history.hpp"
#include "fixnet/train/init.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/losses/cross_entropy.hpp"
#include "fixnet/train/metrics.hpp"
#include "fixnet/network.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/train/progress.hpp"
#include "fixnet/train/regularization.hpp"
#include "fixnet/train/thread_team.hpp"

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

/// Thrown by `Trainer::fit` when a loss, a gradient or a parameter is NaN or
/// infinite, or when the training loss explodes
/// (`TrainerOptions::divergence_factor`): training stops there rather than
/// continue on garbage. `what()` says where (epoch, batch, step; which
/// parameter, through `fixnet::find_non_finite`) and what to try.
///
/// When the run kept a best epoch (a validation set and
/// `TrainerOptions::restore_best`), the network is given back that epoch's
/// parameters, and `what()` and `history()` say so (`restored_best`,
/// `best_epoch`); otherwise it is left as it was at that moment, for
/// inspection. Either way the optimiser's state is reset
/// (`Optimizer::reset`), so that the trainer can train again.
/// `history()` holds the epochs completed before, with
/// `stop_reason == StopReason::diverged` and `what()` as its `stop_message`.
class TrainingDiverged : public std::runtime_error {
 public:
  /// What was found not finite, or grew too large.
  enum class Kind {
    loss,
    validation_loss,
    gradient,
    parameter,
    /// A finite epoch training loss above `divergence_factor` times the
    /// lowest so far.
    loss_exploded,
  };

  TrainingDiverged(const std::string& message, Kind kind, std::size_t epoch, std::size_t batch,
                   std::optional<ParameterLocation> location, TrainingHistory history)
      : std::runtime_error(message),
        kind_(kind),
        epoch_(epoch),
        batch_(batch),
        location_(location),
        history_(std::make_shared<const TrainingHistory>(std::move(history))) {}

  Kind kind() const noexcept { return kind_; }
  /// The epoch (1-based) in which it happened.
  std::size_t epoch() const noexcept { return epoch_; }
  /// The batch (1-based) in that epoch; 0 for the validation.
  std::size_t batch() const noexcept { return batch_; }
  /// The first non-finite parameter (for `Kind::parameter`) or gradient
  /// (`Kind::gradient`), in canonical order; for a loss, the first
  /// non-finite parameter if any was.
  const std::optional<ParameterLocation>& location() const noexcept { return location_; }
  /// The epochs completed before.
  const TrainingHistory& history() const noexcept { return *history_; }

 private:
  Kind kind_;
  std::size_t epoch_;
  std::size_t batch_;
  std::optional<ParameterLocation> location_;
  // Shared, so that copying the exception cannot throw.
  std::shared_ptr<const TrainingHistory> history_;
};

namespace detail {

/// The value at `at` in parameter set `p` (for messages).
template <class P>
double parameter_value(const P& p, const ParameterLocation& at) noexcept {
  double value = 0;
  std::size_t layer = 0;
  p.for_each_layer([&](const auto& block) {
    using Block = std::remove_cvref_t<decltype(block)>;
    if constexpr (Block::parameter_count > 0) {
      if (layer == at.layer)
        value = at.is_bias ? block.bias(at.row) : block.weight(at.row, at.column);
    }
    ++layer;
  });
  return value;
}

inline std::string format_value(double v) {
  if (std::isnan(v)) return "nan";  // not "-nan"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

inline void check_trainer_option(bool ok, const char* expected, double got) {
  if (!ok)
    throw std::invalid_argument(std::string("fixnet::Trainer: expected ") + expected + ", got " +
                                format_value(got));
}

template <std::size_t NetInputs, std::size_t Width>
consteval bool check_trainer_width() {
  // Fix: load the data for this network (load_mnist<Net>, load_idx<Net>), or
  // train a network whose first layer takes the data's width.
  static_assert(
      NetInputs == Width,
      "fixnet: Trainer::fit: the data set's row width differs from the network's input width");
  return true;
}

template <class NetScalar, class DataScalar>
consteval bool check_trainer_scalar() {
  // Fix: load the data in the network's scalar type (load_mnist<Net> does).
  static_assert(std::same_as<NetScalar, DataScalar>,
                "fixnet: Trainer::fit: the data set's scalar type differs from the network's");
  return true;
}

}  // namespace detail

/// Trains networks of type `Net` with batches of `B` samples, optimiser
/// `Opt` (any `fixnet::Optimizer`: Sgd, RmsProp, Adam, AdamW) and loss `L`,
/// on `fixnet::data::Dataset`s of labelled samples: classification (the
/// labels are class indices below `Net::outputs`; accuracy is reported) or
/// regression (`RegressionDataset`s of target rows of `Net::outputs` values,
/// with a loss such as `SquaredError`; RMSE and MAE are reported, as the
/// metrics "rmse", "mae", "validation_rmse" and "validation_mae" of each
/// `EpochRecord`).
///
/// A step, for each batch (or each `batches_per_step` batches):
///
///     g  = (1 / samples) * sum of the batch's loss gradients   (averaged)
///     g += l2 * w                                              if l2 > 0
///     g *= min(1, clip_norm / |g|)                             if clip_norm > 0
///     lr = schedule(t)                                         if a schedule
///     optimiser.step(net, g)
///     stop with TrainingDiverged unless every parameter is finite
///
/// and each batch's loss is checked to be finite before its step (the
/// inputs of both data sets are checked once, before the first). After each
/// epoch: the training loss against `divergence_factor`, the validation
/// set's loss and accuracy (fixnet::evaluate), the best parameters kept, the
/// callbacks, early stopping.
///
/// The trainer owns its buffers: a `Workspace<Net, B>`, the gradients, the
/// copy of the best parameters and the optimiser (with its state), all on
/// the heap, allocated once at construction. The batch loop allocates
/// nothing (the tests count); the progress display, when on, formats its
/// text every 32 batches and draws it at most every 100 ms on a terminal,
/// every 10 s otherwise. Per-epoch work (shuffling, validation, records)
/// may allocate. One trainer serves any number of `fit` calls, one at a
/// time; the optimiser's state carries over between them
/// (`optimizer().reset()` forgets it). With `TrainerOptions::threads` > 1
/// the batches of a step run on several threads, each through
/// `accumulate_batch` with its own workspace and gradient set.
template <class Net, std::size_t B, Optimizer<Net> Opt, Loss L = CrossEntropy>
class Trainer {
  // Fix: pick a batch size of at least 1, e.g. Trainer<Net, 32, Adam<Net>>.
  static_assert(B > 0, "fixnet: Trainer<Net, B, ...> needs a batch size B > 0");

 public:
  using network_type = Net;
  using optimizer_type = Opt;
  using loss_type = L;
  using scalar_type = typename Net::scalar_type;
  using parameters_type = typename Net::parameters_type;
  using workspace_type = Workspace<Net, B>;
  using dataset_type = data::Dataset<scalar_type, Net::inputs>;
  static constexpr std::size_t batch_size = B;

  /// A trainer whose optimiser is built from `optimizer_options`
  /// (`{.lr = 1e-3f}` for Adam). Throws std::invalid_argument for options
  /// out of range (a negative L2 or clipping norm, say), as the optimiser
  /// does for its own.
  explicit Trainer(TrainerOptions options = {},
                   const typename Opt::options_type& optimizer_options = {}, L loss = {})
      : Trainer(std::move(options), std::make_unique<Opt>(optimizer_options), loss) {}

  /// A trainer with an optimiser built by the caller.
  Trainer(TrainerOptions options, std::unique_ptr<Opt> optimizer, L loss = {})
      : options_(std::move(options)),
        loss_(loss),
        optimizer_(std::move(optimizer)),
        workspace_(std::make_unique<workspace_type>()),
        tail_workspace_(std::make_unique<Workspace<Net, 1>>()),
        gradients_(std::make_unique<parameters_type>()),
        best_(std::make_unique<parameters_type>()) {
    if (!optimizer_)
      throw std::invalid_argument("fixnet::Trainer: expected an optimiser, got a null pointer");
    check_options();
  }

  /// Trains `net` on `train` (see the class). Returns the history of every
  /// epoch. Throws `TrainingDiverged` if a value stops being finite or the
  /// loss explodes; std::invalid_argument, before any step, for data that
  /// cannot be trained on (fewer samples than a batch or than a step of
  /// `batches_per_step` batches or `threads` batches needs, more classes
  /// than outputs, an input that is NaN or infinite: named by set, sample
  /// and column); and whatever a callback throws.
  template <Scalar T, std::size_t Width, class Label>
  TrainingHistory fit(Net& net, const data::Dataset<T, Width, Label>& train) {
    return fit_checked(net, train, static_cast<const data::Dataset<T, Width, Label>*>(nullptr));
  }

  /// Same, evaluated on `validation` after every epoch: early stopping and
  /// the best parameters use its loss. An empty validation set is none.
  template <Scalar T, std::size_t Width, class Label>
  TrainingHistory fit(Net& net, const data::Dataset<T, Width, Label>& train,
                      const data::Dataset<T, Width, Label>& validation) {
    return fit_checked(net, train, &validation);
  }

  /// Continues the run saved in the checkpoint at `path` (written through
  /// `TrainerOptions::checkpoint_path` by a trainer of this type) up to
  /// `options().epochs` epochs in all: sets `net`'s parameters, the
  /// optimiser's state, the best parameters, the shuffling and dropout
  /// state, then trains as the interrupted run would have, bit for bit.
  /// Returns the whole run's history, the checkpoint's epochs first. Throws
  /// `ModelFileError` (before changing `net` or the optimiser) for a file
  /// that is not such a checkpoint: another network or optimiser, another
  /// batch size, batches_per_step, threads, seed or shuffle, another
  /// training set size, with validation where the run had none (or the
  /// reverse). The other options (learning rate, schedule, L2, clipping,
  /// patience) come from this trainer: keep them for an exact resume.
  template <Scalar T, std::size_t Width, class Label>
  TrainingHistory resume(Net& net, const std::filesystem::path& path,
                         const data::Dataset<T, Width, Label>& train) {
    // Fix: give the optimiser name() and for_each_state(f), as fixnet's have.
    static_assert(OptimizerWithState<Opt>,
                  "fixnet: Trainer::resume needs an optimiser with name() and for_each_state(f)");
    return fit_checked(net, train, static_cast<const data::Dataset<T, Width, Label>*>(nullptr),
                       &path);
  }
  template <Scalar T, std::size_t Width, class Label>
  TrainingHistory resume(Net& net, const std::filesystem::path& path,
                         const data::Dataset<T, Width, Label>& train,
                         const data::Dataset<T, Width, Label>& validation) {
    static_assert(OptimizerWithState<Opt>,
                  "fixnet: Trainer::resume needs an optimiser with name() and for_each_state(f)");
    return fit_checked(net, train, &validation, &path);
  }

  /// Loss and accuracy (or RMSE and MAE) of `net` over `data`
  /// (fixnet::evaluate), through the trainer's workspace.
  template <class Label>
  Evaluation evaluate(const Net& net,
                      const data::Dataset<scalar_type, Net::inputs, Label>& data) const {
    return fixnet::evaluate(net, data, loss_, *workspace_);
  }

  /// The loss of one batch and its correct predictions (or errors).
  struct BatchResult {
    /// Summed over the batch.
    scalar_type loss = 0;
    /// Classification: samples whose largest output is their label.
    std::size_t correct = 0;
    /// Regression: the outputs' errors against their targets.
    RegressionErrors errors{};
  };

  /// The batch step: forward and backward over B samples, ADDING the summed
  /// gradient to `grads`; returns the summed loss and the correct
  /// predictions or the regression errors (read from the outputs the
  /// backward pass left in `ws`).
  /// Allocates nothing, throws nothing; touches only `ws` and `grads`, so
  /// threads with their own would run it on their share of a batch.
  template <class Inputs, class Labels, class W = workspace_type>
  static BatchResult accumulate_batch(const Net& net, const Inputs& inputs, const Labels& labels,
                                      L loss, W& ws, parameters_type& grads) noexcept {
    BatchResult result{net.backward(inputs, labels, loss, grads, ws)};
    std::array<scalar_type, Net::outputs> y;
    for (std::size_t b = 0; b < W::batch_size; ++b) {
      ws.get_output(b, y);
      if constexpr (FixedRow<decltype(labels[b])>)
        result.errors.add(y, labels[b]);
      else
        result.correct += argmax(y) == static_cast<std::size_t>(labels[b]);
    }
    return result;
  }

  Opt& optimizer() noexcept { return *optimizer_; }
  const Opt& optimizer() const noexcept { return *optimizer_; }
  /// The options, to change between runs (checked again by `fit`).
  TrainerOptions& options() noexcept { return options_; }
  const TrainerOptions& options() const noexcept { return options_; }
  /// The workspace, for the caller's own passes between runs.
  workspace_type& workspace() noexcept { return *workspace_; }

 private:
  using Clock = std::chrono::steady_clock;

  static double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }

  void check_options() const {
    const TrainerOptions& o = options_;
    detail::check_trainer_option(std::isfinite(o.l2) && o.l2 >= 0, "l2 >= 0", o.l2);
    detail::check_trainer_option(std::isfinite(o.clip_norm) && o.clip_norm >= 0,
                                 "clip_norm >= 0 (0: off)", o.clip_norm);
    detail::check_trainer_option(std::isfinite(o.min_delta) && o.min_delta >= 0, "min_delta >= 0",
                                 o.min_delta);
    detail::check_trainer_option(o.threads >= 1 && o.threads <= 1024, "threads between 1 and 1024",
                                 static_cast<double>(o.threads));
    detail::check_trainer_option(
        std::isfinite(o.divergence_factor) && (o.divergence_factor == 0 || o.divergence_factor > 1),
        "divergence_factor > 1 (0: off)", o.divergence_factor);
    if (o.threads > 1 && o.batches_per_step == 1)
      throw std::invalid_argument(
          "fixnet::Trainer: threads = " + std::to_string(o.threads) +
          " needs steps of several batches (each thread computes whole batches of a step): "
          "expected batches_per_step = 0 (full batch) or >= 2 (batches_per_step = threads: B "
          "samples per thread, a step on threads x B), got batches_per_step = 1");
    if (!o.checkpoint_path.empty() && !OptimizerWithState<Opt>)
      throw std::invalid_argument(
          "fixnet::Trainer: checkpoints need an optimiser with name() and for_each_state(f) "
          "(fixnet::OptimizerWithState)");
    if (o.progress != ProgressStyle::off && o.progress_stream == nullptr)
      throw std::invalid_argument(
          "fixnet::Trainer: expected a progress_stream, got a null pointer (set progress = "
          "ProgressStyle::off for no progress)");
  }

  template <Scalar T, std::size_t Width, class Label>
  TrainingHistory fit_checked(Net& net, const data::Dataset<T, Width, Label>& train,
                              const data::Dataset<T, Width, Label>* validation,
                              const std::filesystem::path* resume_from = nullptr) {
    static_assert(detail::check_trainer_width<Net::inputs, Width>());
    static_assert(detail::check_trainer_scalar<scalar_type, T>());
    static_assert(detail::check_target_width<Net::outputs, Label>());
    if (resume_from == nullptr && !options_.allow_zero_parameters)
      require_initialized(net, "fixnet::Trainer::fit",
                          "TrainerOptions::allow_zero_parameters = true");
    // Guarded so that, once a check has failed, its message is the only error.
    if constexpr (Net::inputs == Width && std::same_as<scalar_type, T> &&
                  detail::target_width_fits<Net::outputs, Label>)
      return run(net, train, validation != nullptr && !validation->empty() ? validation : nullptr,
                 resume_from);
    else
      return {};
  }

  template <class Data>
  void check_data(const Data& train, const Data* validation) const {
    const bool full_batch = options_.batches_per_step == 0;
    if (train.empty() || (!full_batch && train.size() < B))
      throw std::invalid_argument(
          "fixnet::Trainer::fit: expected at least " + std::to_string(full_batch ? 1 : B) +
          (full_batch ? " training sample" : " training samples (one batch)") + ", got " +
          std::to_string(train.size()));
    // Every step needs its samples: more threads (or batches per step) than
    // the data can feed would leave threads idle and take one oversized step
    // an epoch without a word.
    const std::size_t n = train.size(), T = options_.threads, S = options_.batches_per_step;
    const auto numbers = [&] {
      return "threads = " + std::to_string(T) + ", batches_per_step = " + std::to_string(S) +
             ", batch size B = " + std::to_string(B) + ", " + std::to_string(n) + " training samples";
    };
    if (!full_batch && S > n / B)
      throw std::invalid_argument(
          "fixnet::Trainer::fit: a step takes batches_per_step x B = " + std::to_string(S) + " x " +
          std::to_string(B) + " samples, more than the training set holds (" + numbers() +
          "): expected batches_per_step x B <= samples (fewer threads and batches per step, or "
          "a smaller batch)");
    if (T > 1 && T > n / B)
      throw std::invalid_argument(
          "fixnet::Trainer::fit: " + std::to_string(T) + " threads need " + std::to_string(T) +
          " whole batches of " + std::to_string(B) + " samples a step (" + std::to_string(T * B) +
          " samples), more than the training set holds (" + numbers() +
          "): expected threads x B <= samples (fewer threads, or a smaller batch)");
    for (const Data* d : {&train, validation})
      if (d != nullptr) {
        const char* which = d == &train ? "training set" : "validation set";
        if (std::string error =
                detail::classes_beyond_outputs<Net>(*d, "fixnet::Trainer::fit", which);
            !error.empty())
          throw std::invalid_argument(error);
        // Checked once, before any step can touch the parameters.
        if (const std::optional<detail::NonFiniteInput> bad = detail::first_non_finite_input(*d))
          throw std::invalid_argument(std::string("fixnet::Trainer::fit: the ") + which + "'s " +
                                      detail::describe(*bad) +
                                      ": expected finite inputs (look for NaN and infinity in "
                                      "the data)");
      }
    if (options_.patience > 0 && validation == nullptr)
      throw std::invalid_argument(
          "fixnet::Trainer::fit: early stopping (patience " + std::to_string(options_.patience) +
          ") needs a validation set: expected fit(net, train, validation) with "
          "validation samples, got none");
  }

  /// Where a run is, for messages and records.
  struct Position {
    std::size_t epoch = 0;    // 1-based
    std::size_t batch = 0;    // 1-based in the epoch
    std::size_t batches = 0;  // in the epoch
  };

  /// Everything one `run` tracks; lives for the run only. What carries over
  /// between epochs (and into checkpoints) is in the base.
  struct RunState : detail::ResumableState {
    EpochRecord record;
    Position at;
    double gradient_norm_sum = 0;
    bool epoch_stepped = false;
    std::size_t checkpointed = 0;  // the epoch of the last checkpoint
  };

  /// Stops the run: gives `net` back the best parameters if a best epoch
  /// was kept, resets the optimiser's state (so that the next `fit` starts
  /// clean), and throws.
  [[noreturn]] void diverged(RunState& s, Net& net, TrainingDiverged::Kind kind,
                             const std::string& what, std::optional<ParameterLocation> location,
                             const std::string& cause, bool data_at_fault = false) {
    std::string message =
        "fixnet::Trainer: training stopped at epoch " + std::to_string(s.at.epoch);
    if (s.at.batch > 0)
      message += ", batch " + std::to_string(s.at.batch) + "/" + std::to_string(s.at.batches);
    message += " (steps taken: " + std::to_string(s.history.steps) + "): " + what;
    if (!cause.empty()) message += "; " + cause;
    if (data_at_fault)
      message +=
          ". Check the data (load it with fixnet::data, or look for NaN and infinity in it).";
    else
      message += ". The learning rate was " +
                 detail::format_value(static_cast<double>(optimizer_->learning_rate())) +
                 (options_.clip_norm > 0
                      ? "; try a smaller one."
                      : "; try a smaller one, or gradient clipping (TrainerOptions::clip_norm).");
    if (options_.restore_best && s.best_loss && s.history.best_epoch) {
      net.parameters() = *best_;
      s.history.restored_best = true;
      message += " Restored the parameters of epoch " + std::to_string(*s.history.best_epoch) +
                 " (validation loss " + detail::format_value(*s.best_loss) + ").";
    }
    optimizer_->reset();
    gradients_->zero();
    for (const auto& helper : helpers_) helper->gradients.zero();
    s.history.stop_reason = StopReason::diverged;
    s.history.stop_message = message;
    throw TrainingDiverged(message, kind, s.at.epoch, s.at.batch, location, std::move(s.history));
  }

  /// "parameter layer 0 W[3][7] (parameter 1234) is nan" or "every
  /// parameter is finite" (`one` "parameter", `all` "every parameter").
  static std::string describe_parameters(const parameters_type& p, const char* one, const char* all,
                                         std::optional<ParameterLocation>& where) {
    where = find_non_finite(p);
    if (!where) return std::string(all) + " is finite";
    return std::string(one) + " " + to_string(*where) + " is " +
           detail::format_value(detail::parameter_value(p, *where));
  }

  /// The first non-finite input value among the given training samples, if
  /// any: the data, not the training, is then at fault.
  template <class Data>
  static std::string describe_inputs(const Data& train,
                                     std::span<const std::size_t> samples) {
    for (const std::size_t i : samples) {
      const auto& row = train.row(i);
      for (std::size_t c = 0; c < row.size(); ++c)
        if (!std::isfinite(row[c]))
          return "training sample " + std::to_string(i) + " holds " + detail::format_value(row[c]) +
                 " at column " + std::to_string(c) + ": the data is not finite";
    }
    return {};
  }

  /// A batch's summed loss must be finite.
  template <class Data>
  void check_loss(RunState& s, Net& net, const Data& train, std::span<const std::size_t> samples,
                  scalar_type loss) {
    if (std::isfinite(loss)) [[likely]]
      return;
    std::optional<ParameterLocation> where;
    const std::string inputs = describe_inputs(train, samples);
    const std::string cause = inputs.empty() ? describe_parameters(net.parameters(), "parameter",
                                                                   "every parameter", where)
                                             : inputs;
    diverged(s, net, TrainingDiverged::Kind::loss,
             "the loss of the batch is " + detail::format_value(static_cast<double>(loss)), where,
             cause, !inputs.empty());
  }

  /// Stops the run (`Kind::loss_exploded`) if the epoch's training loss
  /// exceeds `divergence_factor` times the lowest so far: the earlier
  /// epochs' (from the history, so that a resumed run decides as the
  /// uninterrupted one), or before any epoch the first batch's.
  void check_explosion(RunState& s, Net& net, double train_loss,
                       const std::optional<double>& first_loss) {
    const double factor = options_.divergence_factor;
    if (factor == 0 || std::isnan(train_loss)) return;
    std::optional<double> lowest;
    std::size_t lowest_epoch = 0;
    for (const EpochRecord& r : s.history.epochs)
      if (!std::isnan(r.train_loss) && (!lowest || r.train_loss < *lowest)) {
        lowest = r.train_loss;
        lowest_epoch = r.epoch;
      }
    if (!lowest) lowest = first_loss;
    // A loss of exactly 0 has no scale to grow from.
    if (!lowest || !(*lowest > 0) || !(train_loss > factor * *lowest)) return;
    const std::string reference =
        lowest_epoch > 0 ? "epoch " + std::to_string(lowest_epoch) + "'s"
                         : "the first batch's, before any step";
    diverged(s, net, TrainingDiverged::Kind::loss_exploded,
             "the training loss of the epoch is " + detail::format_value(train_loss) +
                 ", more than divergence_factor (" + detail::format_value(factor) +
                 ") times the lowest so far (" + detail::format_value(*lowest) + ", " + reference +
                 ")",
             std::nullopt, "every parameter is finite but the loss exploded");
  }

  /// Sets the learning rate from the schedule for t.
  void apply_schedule(std::size_t t) {
    const double lr = options_.schedule(t);
    const auto rate = static_cast<scalar_type>(lr);
    if (!(std::isfinite(rate) && rate >= 0))
      throw std::invalid_argument("fixnet::Trainer: the schedule gave the learning rate " +
                                  detail::format_value(lr) + " for t = " + std::to_string(t) +
                                  ": expected a finite rate >= 0");
    optimizer_->set_learning_rate(rate);
  }

  /// One optimiser step on the gradients accumulated over `samples`, the
  /// training samples' indices (see the class). Returns the gradient norm
  /// before clipping (NaN without clipping).
  template <class Data>
  double step(RunState& s, Net& net, const Data& train,
              std::span<const std::size_t> samples) {
    parameters_type& g = *gradients_;
    for (const auto& helper : helpers_) {
      g.add_scaled(scalar_type(1), helper->gradients);
      helper->gradients.zero();
    }
    if (options_.schedule && options_.schedule_unit == ScheduleUnit::step)
      apply_schedule(s.history.steps);
    if (!s.epoch_stepped) s.record.learning_rate = static_cast<double>(optimizer_->learning_rate());
    g.scale(scalar_type(1) / static_cast<scalar_type>(samples.size()));
    if (options_.l2 > 0)
      L2<scalar_type>{static_cast<scalar_type>(options_.l2), options_.l2_biases}.add_gradient(net,
                                                                                              g);
    double norm = EpochRecord::missing;
    if (options_.clip_norm > 0) {
      norm =
          static_cast<double>(clip_gradient_norm(g, static_cast<scalar_type>(options_.clip_norm)));
      if (!std::isfinite(norm)) {
        std::optional<ParameterLocation> where;
        std::string which = describe_parameters(g, "the gradient of", "every gradient", where);
        const std::string inputs = describe_inputs(train, samples);
        if (!inputs.empty()) which += "; " + inputs;
        diverged(s, net, TrainingDiverged::Kind::gradient,
                 "the gradient's norm is " + detail::format_value(norm), where, which,
                 !inputs.empty());
      }
      s.record.clipped_steps += norm > options_.clip_norm;
      s.gradient_norm_sum += norm;
    }
    optimizer_->step(net.parameters(), g);
    ++s.history.steps;
    ++s.record.steps;
    s.epoch_stepped = true;
    if (!all_finite(net)) [[unlikely]] {
      std::optional<ParameterLocation> where;
      std::string what =
          describe_parameters(net.parameters(), "parameter", "every parameter", where);
      std::optional<ParameterLocation> gradient_at;
      const std::string gradient =
          describe_parameters(g, "the gradient of", "every gradient", gradient_at);
      const std::string inputs = describe_inputs(train, samples);
      diverged(s, net, TrainingDiverged::Kind::parameter, what + " after this step", where,
               !inputs.empty() ? inputs
               : gradient_at   ? "the gradient was not finite already: " + gradient
                               : "the gradient was finite: the step was too large",
               !inputs.empty());
    }
    g.zero();
    return norm;
  }

  /// Creates (or re-creates, for another count) the worker threads and
  /// their buffers for `options_.threads`, and seeds their dropout masks.
  void prepare_threads() {
    const std::size_t threads = options_.threads;
    if (threads == 1) {
      team_.reset();
      helpers_.clear();
    } else if (!team_ || team_->size() != threads) {
      team_.reset();
      helpers_.clear();
      for (std::size_t t = 1; t < threads; ++t) helpers_.push_back(std::make_unique<Helper>());
      team_ = std::make_unique<detail::ThreadTeam>(threads);
    }
    for (std::size_t t = 1; t < threads; ++t) {
      Helper& h = *helpers_[t - 1];
      h.workspace.dropout_seed = options_.seed + 0x9e3779b97f4a7c15ULL * t;
      h.workspace.dropout_step = 0;
      h.gradients.zero();
    }
  }

  /// Batches k, ..., k + round - 1 of `range`, batch k + t on thread t, each
  /// into its thread's gradient set (thread 0's is `gradients_`); their
  /// results into results[0, round). Allocates nothing.
  template <class Range>
  void accumulate_round(const Net& net, const Range& range, std::size_t k, std::size_t round,
                        std::vector<BatchResult>& results) noexcept {
    if (round == 1) {
      const auto batch = range[k];
      results[0] =
          accumulate_batch(net, batch.inputs, batch.labels, loss_, *workspace_, *gradients_);
      return;
    }
    auto job = [&](std::size_t t) noexcept {
      if (t >= round) return;
      const auto batch = range[k + t];
      workspace_type& ws = t == 0 ? *workspace_ : helpers_[t - 1]->workspace;
      parameters_type& g = t == 0 ? *gradients_ : helpers_[t - 1]->gradients;
      results[t] = accumulate_batch(net, batch.inputs, batch.labels, loss_, ws, g);
    };
    team_->run(
        [](void* context, std::size_t t) noexcept { (*static_cast<decltype(job)*>(context))(t); },
        &job);
  }

  /// Calls the batch callbacks; true to stop.
  bool after_batch(const RunState& s, std::size_t samples, double loss, bool stepped,
                   double norm) const {
    if (options_.on_batch.empty()) return false;
    const BatchRecord record{s.at.epoch,
                             s.at.batch - 1,
                             s.at.batches,
                             samples,
                             loss / static_cast<double>(samples),
                             stepped,
                             s.history.steps,
                             static_cast<double>(optimizer_->learning_rate()),
                             norm};
    bool stop = false;
    for (const BatchCallback& callback : options_.on_batch)
      stop |= callback(record) == TrainingControl::stop;
    return stop;
  }

  /// "loss 0.2314 acc 93.12%" (classification) or "loss 0.0123 rmse
  /// 0.1569" (regression: `rmse` is not NaN) into `buffer`.
  static std::string_view status_text(std::array<char, 96>& buffer, const char* prefix, double loss,
                                      double accuracy, double rmse) {
    const int n =
        std::isnan(rmse)
            ? std::snprintf(buffer.data(), buffer.size(), "%sloss %.4f acc %.2f%%", prefix, loss,
                            100.0 * accuracy)
            : std::snprintf(buffer.data(), buffer.size(), "%sloss %.4g rmse %.4g", prefix, loss,
                            rmse);
    return {buffer.data(), n < 0 ? 0 : std::min(static_cast<std::size_t>(n), buffer.size() - 1)};
  }

  /// Early stopping after `epoch`: true (and the history says why) when the
  /// validation loss has not improved for `patience` epochs before the last.
  bool stop_early(RunState& s, std::size_t epoch) const {
    const TrainerOptions& o = options_;
    if (!(o.patience > 0 && s.epochs_since_best >= o.patience && epoch < o.epochs)) return false;
    s.history.stop_reason = StopReason::early_stopping;
    s.history.stop_message = "early stopping after epoch " + std::to_string(epoch) +
                             ": the validation loss did not improve on " +
                             detail::format_value(*s.best_loss) + " (epoch " +
                             std::to_string(*s.history.best_epoch) + ") for " +
                             std::to_string(o.patience) + (o.patience == 1 ? " epoch" : " epochs");
    return true;
  }

  CheckpointSettings checkpoint_settings() const {
    return {B, options_.batches_per_step, options_.threads, options_.seed, options_.shuffle};
  }

  /// The dropout steps of every workspace: the caller's, the full-batch
  /// tail's, each helper thread's.
  std::vector<std::uint64_t*> dropout_steps() {
    std::vector<std::uint64_t*> steps{&workspace_->dropout_step, &tail_workspace_->dropout_step};
    for (const auto& helper : helpers_) steps.push_back(&helper->workspace.dropout_step);
    return steps;
  }

  /// Writes a checkpoint of the run after epoch s.epochs_done, if asked for.
  void write_checkpoint(RunState& s, const Net& net) {
    if constexpr (OptimizerWithState<Opt>) {
      if (options_.checkpoint_path.empty()) return;
      detail::write_checkpoint(options_.checkpoint_path, net, *optimizer_, checkpoint_settings(), s,
                               dropout_steps(), s.best_loss ? best_.get() : nullptr);
      s.checkpointed = s.epochs_done;
    }
  }

  /// Continues from the checkpoint at `path`; changes nothing if refused.
  template <class Data>
  void restore_checkpoint(const std::filesystem::path& path, RunState& s, Net& net,
                          const Data& train, bool validation) {
    if constexpr (OptimizerWithState<Opt>) {
      detail::restore_checkpoint(path, net, *optimizer_, checkpoint_settings(), train.size(),
                                 validation, s, dropout_steps(), *best_);
      s.checkpointed = s.epochs_done;
    }
  }

  template <class Data>
  TrainingHistory run(Net& net, const Data& train, const Data* validation,
                      const std::filesystem::path* resume_from) {
    check_options();
    check_data(train, validation);
    const auto run_start = Clock::now();
    RunState s;
    const TrainerOptions& o = options_;
    const bool full_batch = o.batches_per_step == 0;
    const std::size_t n = train.size();
    const std::size_t batches = data::batches_per_epoch(n, B);
    const std::size_t tail = full_batch ? n - batches * B : 0;
    const std::size_t per_epoch = batches * B + tail;
    Rng& rng = s.rng;
    rng.seed(o.seed);
    // Dropout masks follow the seed too (fixnet/layers/dropout.hpp).
    workspace_->dropout_seed = o.seed;
    workspace_->dropout_step = 0;
    tail_workspace_->dropout_seed = o.seed ^ 0x5eedULL;
    tail_workspace_->dropout_step = 0;
    prepare_threads();
    std::vector<BatchResult> round_results(o.threads);
    std::vector<std::size_t>& order = s.order;
    order = data::identity_order(n);
    if (resume_from) restore_checkpoint(*resume_from, s, net, train, validation != nullptr);
    const double earlier_seconds = s.history.seconds;
    std::array<char, 96> status{};
    // The mean loss of the run's first batch, before any step: the reference
    // of `divergence_factor` in the first epoch.
    std::optional<double> first_loss;

    std::optional<Progress> run_progress;
    if (o.progress == ProgressStyle::run)
      run_progress.emplace(*o.progress_stream,
                           per_epoch * (o.epochs - std::min(o.epochs, s.epochs_done)),
                           ProgressOptions{.label = "training"});
    gradients_->zero();

    // A resumed run whose patience ran out at the checkpoint's last epoch
    // stops there, as the uninterrupted run did.
    bool stop = s.epochs_done > 0 && stop_early(s, s.epochs_done);
    for (std::size_t epoch = s.epochs_done + 1; epoch <= o.epochs && !stop; ++epoch) {
      const auto epoch_start = Clock::now();
      s.record = EpochRecord{};
      s.record.epoch = epoch;
      s.at = Position{epoch, 0, batches + tail};
      s.gradient_norm_sum = 0;
      s.epoch_stepped = false;
      if (o.shuffle) data::shuffle(order, rng);
      if (o.schedule && o.schedule_unit == ScheduleUnit::epoch) apply_schedule(epoch - 1);

      std::optional<Progress> epoch_progress;
      if (o.progress == ProgressStyle::epoch)
        epoch_progress.emplace(*o.progress_stream, per_epoch,
                               ProgressOptions{.label = "epoch " + std::to_string(epoch) + "/" +
                                                        std::to_string(o.epochs)});
      Progress* progress = epoch_progress ? &*epoch_progress
                           : run_progress ? &*run_progress
                                          : nullptr;
      char prefix[48] = "";
      if (run_progress) std::snprintf(prefix, sizeof prefix, "epoch %zu/%zu | ", epoch, o.epochs);

      double loss_sum = 0;
      // The samples since the last step are order[step_begin, seen).
      std::size_t correct = 0, seen = 0, step_begin = 0, pending_batches = 0;
      RegressionErrors errors;
      const auto count = [&](const BatchResult& r, std::size_t samples) {
        if (!first_loss && s.history.steps == 0)
          first_loss = static_cast<double>(r.loss) / static_cast<double>(samples);
        loss_sum += static_cast<double>(r.loss);
        correct += r.correct;
        errors.add(r.errors);
        seen += samples;
      };
      const auto pending = [&] {
        return std::span<const std::size_t>(order).subspan(step_begin, seen - step_begin);
      };
      const auto show = [&](std::size_t samples, bool refresh) {
        if (progress == nullptr) return;
        if (refresh)
          progress->set_status(
              status_text(status, prefix, loss_sum / static_cast<double>(seen),
                          static_cast<double>(correct) / static_cast<double>(seen), errors.rmse()));
        progress->advance(samples);
      };

      // The batches, in this epoch's order, in rounds of up to `threads`
      // batches of the same step (one batch per round on one thread).
      const auto range = train.template batches<B>(order);
      for (std::size_t k = 0; k < batches && !stop;) {
        const std::size_t step_left =
            full_batch ? batches - k : o.batches_per_step - pending_batches;
        const std::size_t round = std::min({o.threads, batches - k, step_left});
        accumulate_round(net, range, k, round, round_results);
        for (std::size_t j = 0; j < round && !stop; ++j, ++k) {
          s.at.batch = k + 1;
          const BatchResult& r = round_results[j];
          check_loss(s, net, train, std::span<const std::size_t>(order).subspan(k * B, B), r.loss);
          count(r, B);
          ++pending_batches;
          const bool stepping =
              !full_batch && (pending_batches == o.batches_per_step || k + 1 == batches);
          double norm = EpochRecord::missing;
          if (stepping) {
            norm = step(s, net, train, pending());
            step_begin = seen;
            pending_batches = 0;
          }
          stop = after_batch(s, B, static_cast<double>(r.loss), stepping, norm);
          show(B, k % 32 == 0 || k + 1 == batches);
        }
      }
      if (full_batch && !stop) {
        // The samples after the last whole batch, one by one, so that the
        // step is over every sample.
        for (std::size_t i = batches * B; i < n && !stop; ++i) {
          s.at.batch = batches + (i - batches * B) + 1;
          // Through a one-sample workspace of the trainer's own, so that
          // Dropout masks advance as in the batches.
          const auto sample = std::span<const std::size_t>(order).subspan(i, 1);
          const auto one = train.template batches<1>(sample)[0];
          const BatchResult r = accumulate_batch(net, one.inputs, one.labels, loss_,
                                                 *tail_workspace_, *gradients_);
          check_loss(s, net, train, sample, r.loss);
          count(r, 1);
          stop = after_batch(s, 1, static_cast<double>(r.loss), false, EpochRecord::missing);
          show(1, i + 1 == n);
        }
        if (!stop) {
          s.at.batch = s.at.batches;
          step(s, net, train, pending());
          step_begin = seen;
        }
      }
      // A stop in the middle of an accumulation drops the unapplied gradient.
      gradients_->zero();
      for (const auto& helper : helpers_) helper->gradients.zero();
      s.at.batch = 0;

      EpochRecord& e = s.record;
      e.train_seconds = seconds_since(epoch_start);
      e.samples = seen;
      e.train_loss = seen ? loss_sum / static_cast<double>(seen) : EpochRecord::missing;
      if constexpr (Data::classification)
        e.train_accuracy =
            seen ? static_cast<double>(correct) / static_cast<double>(seen) : EpochRecord::missing;
      else if (seen > 0) {
        e.add_metric("rmse", errors.rmse());
        e.add_metric("mae", errors.mae());
      }
      e.samples_per_second = e.train_seconds > 0 ? static_cast<double>(seen) / e.train_seconds : 0;
      if (!s.epoch_stepped) e.learning_rate = static_cast<double>(optimizer_->learning_rate());
      if (o.clip_norm > 0 && e.steps > 0)
        e.gradient_norm = s.gradient_norm_sum / static_cast<double>(e.steps);
      if (epoch_progress) {
        if (seen > 0)
          epoch_progress->set_status(
              status_text(status, "", e.train_loss, e.train_accuracy, errors.rmse()));
        epoch_progress->finish();
      }
      if (!stop) check_explosion(s, net, e.train_loss, first_loss);

      if (validation != nullptr) {
        const Evaluation v = fixnet::evaluate(net, *validation, loss_, *workspace_);
        e.validation_loss = v.loss;
        e.validation_accuracy = v.accuracy();
        if (v.regression()) {
          e.add_metric("validation_rmse", v.rmse);
          e.add_metric("validation_mae", v.mae);
        }
        if (!std::isfinite(v.loss)) {
          std::optional<ParameterLocation> where;
          const std::string cause =
              describe_parameters(net.parameters(), "parameter", "every parameter", where);
          diverged(s, net, TrainingDiverged::Kind::validation_loss,
                   "the validation loss is " + detail::format_value(v.loss), where,
                   cause + " (is the validation data finite?)");
        }
        if (!s.best_loss || v.loss < *s.best_loss - o.min_delta) {
          s.best_loss = v.loss;
          s.history.best_epoch = epoch;
          *best_ = net.parameters();
          if (!o.best_model_path.empty()) save(net, o.best_model_path);
          e.improved = true;
          s.epochs_since_best = 0;
        } else {
          ++s.epochs_since_best;
        }
      }
      e.seconds = seconds_since(epoch_start);
      if (run_progress) {
        std::string text(status_text(status, prefix, e.train_loss, e.train_accuracy,
                                     e.metric("rmse").value_or(EpochRecord::missing)));
        if (e.has_validation()) {
          text += " | val ";
          text += status_text(status, "", e.validation_loss, e.validation_accuracy,
                              e.metric("validation_rmse").value_or(EpochRecord::missing));
        }
        run_progress->set_status(text);
      }

      const bool stopped_in_epoch = stop;
      bool callback_stop = stop;
      for (const EpochCallback& callback : o.on_epoch)
        callback_stop |= callback(e) == TrainingControl::stop;
      s.history.epochs.push_back(std::move(e));
      s.history.seconds = earlier_seconds + seconds_since(run_start);

      if (callback_stop) {
        stop = true;
        s.history.stop_reason = StopReason::callback;
        s.history.stop_message = "stopped by a callback " +
                                 std::string(stopped_in_epoch ? "during" : "after") + " epoch " +
                                 std::to_string(epoch);
      } else {
        stop = stop_early(s, epoch);
      }
      s.epochs_done = epoch;
      if (o.checkpoint_every > 0 && epoch % o.checkpoint_every == 0 && !stop)
        write_checkpoint(s, net);
    }
    if (s.checkpointed != s.epochs_done) write_checkpoint(s, net);
    if (run_progress) run_progress->finish();
    if (s.history.stop_reason == StopReason::completed)
      s.history.stop_message = "completed " + std::to_string(s.history.epochs.size()) +
                               (s.history.epochs.size() == 1 ? " epoch" : " epochs");

    if (o.restore_best && s.history.best_epoch &&
        *s.history.best_epoch != s.history.epochs.size()) {
      net.parameters() = *best_;
      s.history.restored_best = true;
      s.history.stop_message += "; restored the parameters of epoch " +
                                std::to_string(*s.history.best_epoch) + " (validation loss " +
                                detail::format_value(*s.best_loss) + ")";
    }
    s.history.seconds = earlier_seconds + seconds_since(run_start);
    return std::move(s.history);
  }

  TrainerOptions options_;
  L loss_;
  std::unique_ptr<Opt> optimizer_;
  std::unique_ptr<workspace_type> workspace_;
  std::unique_ptr<Workspace<Net, 1>> tail_workspace_;  // full-batch tail, one sample at a time
  std::unique_ptr<parameters_type> gradients_;
  std::unique_ptr<parameters_type> best_;
  /// Threads 1 .. threads - 1 (TrainerOptions::threads): their buffers and
  /// the team; empty on one thread.
  struct Helper {
    workspace_type workspace;
    parameters_type gradients;
  };
  std::vector<std::unique_ptr<Helper>> helpers_;
  std::unique_ptr<detail::ThreadTeam> team_;
};

}  // namespace fixnet

#endif  // FIXNET_TRAINER_HPP
