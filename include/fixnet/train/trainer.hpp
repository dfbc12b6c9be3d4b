// fixnet — a trainer: epochs of shuffled mini-batches (or full-batch
// descent), any optimiser, a learning-rate schedule, L2, gradient clipping,
// validation, early stopping that keeps the best parameters, callbacks,
// progress, checkpoints that resume exactly (`TrainerOptions::
// checkpoint_path`, `Trainer::resume`: fixnet/train/checkpoint.hpp,
// docs/checkpoints.md), and a stop with a clear message when the numbers
// stop being finite.
//
// The class is here; its options are in fixnet/train/trainer_options.hpp,
// the checks `fit` makes first in fixnet/train/trainer_checks.hpp, the
// divergence diagnosis in fixnet/train/divergence.hpp, and its members' bodies
// in fixnet/train/trainer_run.hpp (epochs) and fixnet/train/trainer_step.hpp
// (batches and steps), which this header includes.
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

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixnet/core/config.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/losses/cross_entropy.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/network.hpp"
#include "fixnet/optimizers/stateful_optimizer.hpp"
#include "fixnet/train/callbacks.hpp"
#include "fixnet/train/checkpoint.hpp"
#include "fixnet/train/checks.hpp"
#include "fixnet/train/clipping.hpp"
#include "fixnet/train/divergence.hpp"
#include "fixnet/train/evaluate.hpp"
#include "fixnet/train/finite.hpp"
#include "fixnet/train/history.hpp"
#include "fixnet/train/init.hpp"
#include "fixnet/train/metrics.hpp"
#include "fixnet/train/progress.hpp"
#include "fixnet/train/regularization.hpp"
#include "fixnet/train/thread_team.hpp"
#include "fixnet/train/trainer_checks.hpp"
#include "fixnet/train/trainer_options.hpp"

namespace fixnet {

/// Trains networks of type `Net` with batches of `B` samples, optimiser
/// `Opt` (Sgd, RmsProp, Adam, AdamW, or any `fixnet::Optimizer` of Net;
/// `Adam<>` is `Adam<Net>`: `Trainer<Net, 32, Adam<>>`) and loss `L`,
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
template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L = CrossEntropy>
class Trainer {
  // Fix: pick a batch size of at least 1, e.g. Trainer<Net, 32, Adam<>>.
  static_assert(B > 0, "fixnet: Trainer<Net, B, ...> needs a batch size B > 0");

 public:
  using network_type = Net;
  using optimizer_type = detail::bind_network_t<Opt, Net>;
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
                   const typename optimizer_type::options_type& optimizer_options = {}, L loss = {})
      : Trainer(std::move(options), std::make_unique<optimizer_type>(optimizer_options), loss) {}

  /// A trainer with an optimiser built by the caller.
  Trainer(TrainerOptions options, std::unique_ptr<optimizer_type> optimizer, L loss = {})
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
    check_resumable();
    return fit_checked(net, train, static_cast<const data::Dataset<T, Width, Label>*>(nullptr),
                       &path);
  }
  template <Scalar T, std::size_t Width, class Label>
  TrainingHistory resume(Net& net, const std::filesystem::path& path,
                         const data::Dataset<T, Width, Label>& train,
                         const data::Dataset<T, Width, Label>& validation) {
    check_resumable();
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

  optimizer_type& optimizer() noexcept { return *optimizer_; }
  const optimizer_type& optimizer() const noexcept { return *optimizer_; }
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

  static constexpr void check_resumable() noexcept {
    // Fix: give the optimiser name() and for_each_state(f), as fixnet's have.
    static_assert(OptimizerWithState<optimizer_type>,
                  "fixnet: Trainer::resume needs an optimiser with name() and for_each_state(f)");
  }
  void check_options() const {
    detail::check_trainer_options(options_, OptimizerWithState<optimizer_type>);
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
    detail::check_training_data<Net, B>(options_, train, validation);
  }

  /// Where a run is, for messages and records.
  struct Position {
    std::size_t epoch = 0;    // 1-based
    std::size_t batch = 0;    // 1-based in the epoch
    std::size_t batches = 0;  // in the epoch
  };

  /// Everything one `run` tracks, and one epoch's tallies (defined in
  /// fixnet/train/trainer_run.hpp, with the run).
  struct RunState;
  struct EpochState;

  // --- the run, epoch by epoch (fixnet/train/trainer_run.hpp) ---

  /// Trains (see the class): `start_run`, `run_epoch` until the last epoch
  /// or a stop, `finish_run`.
  template <class Data>
  TrainingHistory run(Net& net, const Data& train, const Data* validation,
                      const std::filesystem::path* resume_from);
  /// Seeds the shuffling and the dropout masks, prepares the threads, the
  /// order and the progress; continues from the checkpoint `resume_from`.
  template <class Data>
  void start_run(RunState& s, Net& net, const Data& train, bool validation,
                 const std::filesystem::path* resume_from);
  /// One epoch: its batches, its record, validation, callbacks, early
  /// stopping, checkpoint. True to stop.
  template <class Data>
  bool run_epoch(RunState& s, Net& net, const Data& train, const Data* validation,
                 std::size_t epoch);
  /// The epoch's order, learning rate and progress display.
  void begin_epoch(RunState& s, EpochState& t, std::size_t epoch);
  /// The epoch's whole batches, in rounds of up to `threads` batches of the
  /// same step (one batch per round on one thread). True to stop.
  template <class Data>
  bool train_batches(RunState& s, EpochState& t, Net& net, const Data& train);
  /// After batch k (0-based) of the epoch, whose result is `r`: its loss
  /// checked and counted, a step if it completes one, the batch callbacks,
  /// the progress. True to stop.
  template <class Data>
  bool batch_step(RunState& s, EpochState& t, Net& net, const Data& train, std::size_t k,
                  const BatchResult& r);
  /// Full-batch descent: the samples after the last whole batch, one by
  /// one, so that the step is over every sample; then the step. True to stop.
  template <class Data>
  bool train_tail(RunState& s, EpochState& t, Net& net, const Data& train);
  /// Adds a batch's result over `samples` samples to the epoch's tallies.
  void count(RunState& s, EpochState& t, const BatchResult& r, std::size_t samples);
  /// The samples accumulated since the last step.
  static std::span<const std::size_t> pending(const RunState& s, const EpochState& t);
  /// Advances the progress display by `samples`, and refreshes its text.
  void show(RunState& s, EpochState& t, std::size_t samples, bool refresh);
  /// The epoch's training figures into its record, the end of its progress
  /// bar, and the stop if its loss exploded (unless it stopped already).
  template <class Data>
  void close_epoch(RunState& s, EpochState& t, Net& net, bool stopped);
  /// Validation after `epoch`: its figures into the record, the best
  /// parameters kept (and saved), early stopping's count.
  template <class Data>
  void validate(RunState& s, Net& net, const Data& validation, std::size_t epoch);
  /// The run's progress bar's text after an epoch.
  void show_epoch(RunState& s, const EpochState& t);
  /// The epoch callbacks, the record into the history, the stop (callback
  /// or early stopping), the checkpoint. True to stop.
  bool end_epoch(RunState& s, const Net& net, std::size_t epoch, bool stopped);
  /// Early stopping after `epoch`: true (and the history says why) when the
  /// validation loss has not improved for `patience` epochs before the last.
  bool stop_early(RunState& s, std::size_t epoch) const;
  /// The last checkpoint, the stop message, the best parameters given back.
  TrainingHistory finish_run(RunState& s, Net& net);
  /// "loss 0.2314 acc 93.12%" (classification) or "loss 0.0123 rmse
  /// 0.1569" (regression: `rmse` is not NaN) into `buffer`.
  static std::string_view status_text(std::array<char, 96>& buffer, const char* prefix,
                                      double loss, double accuracy, double rmse);

  // --- checkpoints (fixnet/train/trainer_run.hpp) ---

  CheckpointSettings checkpoint_settings() const;
  /// The dropout steps of every workspace: the caller's, the full-batch
  /// tail's, each helper thread's.
  std::vector<std::uint64_t*> dropout_steps();
  /// Writes a checkpoint of the run after epoch s.epochs_done, if asked for.
  void write_checkpoint(RunState& s, const Net& net);
  /// Continues from the checkpoint at `path`; changes nothing if refused.
  template <class Data>
  void restore_checkpoint(const std::filesystem::path& path, RunState& s, Net& net,
                          const Data& train, bool validation);

  // --- batches and steps (fixnet/train/trainer_step.hpp) ---

  /// Creates (or re-creates, for another count) the worker threads and
  /// their buffers for `options_.threads`, and seeds their dropout masks.
  void prepare_threads();
  /// Batches k, ..., k + round - 1 of `range`, batch k + t on thread t, each
  /// into its thread's gradient set (thread 0's is `gradients_`); their
  /// results into results[0, round). Allocates nothing.
  template <class Range>
  void accumulate_round(const Net& net, const Range& range, std::size_t k, std::size_t round,
                        std::vector<BatchResult>& results) noexcept;
  /// One optimiser step on the gradients accumulated over `samples`, the
  /// training samples' indices (see the class). Returns the gradient norm
  /// before clipping (NaN without clipping).
  template <class Data>
  double step(RunState& s, Net& net, const Data& train, std::span<const std::size_t> samples);
  /// Sets the learning rate from the schedule for t.
  void apply_schedule(std::size_t t);
  /// Calls the batch callbacks; true to stop.
  bool after_batch(const RunState& s, std::size_t samples, double loss, bool stepped,
                   double norm) const;

  // --- divergence (fixnet/train/trainer_step.hpp; fixnet/train/divergence.hpp) ---

  /// Stops the run: gives `net` back the best parameters if a best epoch
  /// was kept, resets the optimiser's state (so that the next `fit` starts
  /// clean), and throws.
  [[noreturn]] void diverged(RunState& s, Net& net, TrainingDiverged::Kind kind,
                             const std::string& what, std::optional<ParameterLocation> location,
                             const std::string& cause, bool data_at_fault = false);
  /// A batch's summed loss must be finite.
  template <class Data>
  void check_loss(RunState& s, Net& net, const Data& train, std::span<const std::size_t> samples,
                  scalar_type loss);
  /// Stops the run (`Kind::loss_exploded`) if the epoch's training loss
  /// exceeds `divergence_factor` times the lowest so far
  /// (detail::loss_explosion).
  void check_explosion(RunState& s, Net& net, double train_loss,
                       const std::optional<double>& first_loss);

  TrainerOptions options_;
  L loss_;
  std::unique_ptr<optimizer_type> optimizer_;
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

// The members' bodies, after the class they complete.
#include "fixnet/train/trainer_run.hpp"
#include "fixnet/train/trainer_step.hpp"

#endif  // FIXNET_TRAINER_HPP
