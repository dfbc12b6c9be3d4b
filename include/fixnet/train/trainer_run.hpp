// fixnet — the Trainer's run, epoch by epoch (members of fixnet::Trainer,
// declared in fixnet/train/trainer.hpp): its start, one epoch (batches, the
// full-batch tail, the record, validation, callbacks, early stopping,
// checkpoints) and its end. The batches and steps are in
// fixnet/train/trainer_step.hpp.
#ifndef FIXNET_TRAINER_RUN_HPP
#define FIXNET_TRAINER_RUN_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixnet/train/trainer.hpp"

namespace fixnet {

/// Everything one `run` tracks; lives for the run only. What carries over
/// between epochs (and into checkpoints) is in the base.
template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
struct Trainer<Net, B, Opt, L>::RunState : detail::ResumableState {
  EpochRecord record;
  Position at;
  double gradient_norm_sum = 0;
  bool epoch_stepped = false;
  std::size_t checkpointed = 0;  // the epoch of the last checkpoint
  // Fixed for the run: whole batches per epoch, the samples after them that
  // full-batch descent takes one by one (0 otherwise), samples per epoch.
  std::size_t batches = 0, tail = 0, per_epoch = 0;
  Clock::time_point start{};
  double earlier_seconds = 0;  // the history's, when resumed
  // The mean loss of the run's first batch, before any step: the reference
  // of `divergence_factor` in the first epoch.
  std::optional<double> first_loss;
  std::vector<BatchResult> round_results;  // one per thread
  std::optional<Progress> run_progress;    // ProgressStyle::run
  std::array<char, 96> status{};
};

/// One epoch's tallies and progress display.
template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
struct Trainer<Net, B, Opt, L>::EpochState {
  Clock::time_point start{};
  std::optional<Progress> own_progress;  // ProgressStyle::epoch
  Progress* progress = nullptr;          // own_progress, the run's or none
  char prefix[48] = "";
  double loss_sum = 0;
  // The samples since the last step are order[step_begin, seen).
  std::size_t correct = 0, seen = 0, step_begin = 0, pending_batches = 0;
  RegressionErrors errors;
};

// --- the run, epoch by epoch ---

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
TrainingHistory Trainer<Net, B, Opt, L>::run(Net& net, const Data& train, const Data* validation,
                                        const std::filesystem::path* resume_from) {
  check_options();
  check_data(train, validation);
  RunState s;
  start_run(s, net, train, validation != nullptr, resume_from);
  // A resumed run whose patience ran out at the checkpoint's last epoch
  // stops there, as the uninterrupted run did.
  bool stop = s.epochs_done > 0 && stop_early(s, s.epochs_done);
  for (std::size_t epoch = s.epochs_done + 1; epoch <= options_.epochs && !stop; ++epoch)
    stop = run_epoch(s, net, train, validation, epoch);
  return finish_run(s, net);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
void Trainer<Net, B, Opt, L>::start_run(RunState& s, Net& net, const Data& train, bool validation,
                                        const std::filesystem::path* resume_from) {
  const TrainerOptions& o = options_;
  s.start = Clock::now();
  const std::size_t n = train.size();
  s.batches = data::batches_per_epoch(n, B);
  s.tail = o.batches_per_step == 0 ? n - s.batches * B : 0;
  s.per_epoch = s.batches * B + s.tail;
  s.rng.seed(o.seed);
  // Dropout masks follow the seed too (fixnet/layers/dropout.hpp).
  workspace_->dropout_seed = o.seed;
  workspace_->dropout_step = 0;
  tail_workspace_->dropout_seed = o.seed ^ 0x5eedULL;
  tail_workspace_->dropout_step = 0;
  prepare_threads();
  s.round_results.resize(o.threads);
  s.order = data::identity_order(n);
  if (resume_from) restore_checkpoint(*resume_from, s, net, train, validation);
  s.earlier_seconds = s.history.seconds;
  if (o.progress == ProgressStyle::run)
    s.run_progress.emplace(*o.progress_stream,
                           s.per_epoch * (o.epochs - std::min(o.epochs, s.epochs_done)),
                           ProgressOptions{.label = "training"});
  gradients_->zero();
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
bool Trainer<Net, B, Opt, L>::run_epoch(RunState& s, Net& net, const Data& train,
                                        const Data* validation, std::size_t epoch) {
  EpochState t;
  begin_epoch(s, t, epoch);
  bool stop = train_batches(s, t, net, train);
  if (options_.batches_per_step == 0 && !stop) stop = train_tail(s, t, net, train);
  // A stop in the middle of an accumulation drops the unapplied gradient.
  gradients_->zero();
  for (const auto& helper : helpers_) helper->gradients.zero();
  s.at.batch = 0;
  close_epoch<Data>(s, t, net, stop);
  if (validation != nullptr) validate(s, net, *validation, epoch);
  s.record.seconds = seconds_since(t.start);
  if (s.run_progress) show_epoch(s, t);
  return end_epoch(s, net, epoch, stop);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::begin_epoch(RunState& s, EpochState& t, std::size_t epoch) {
  const TrainerOptions& o = options_;
  t.start = Clock::now();
  s.record = EpochRecord{};
  s.record.epoch = epoch;
  s.at = Position{epoch, 0, s.batches + s.tail};
  s.gradient_norm_sum = 0;
  s.epoch_stepped = false;
  if (o.shuffle) data::shuffle(s.order, s.rng);
  if (o.schedule && o.schedule_unit == ScheduleUnit::epoch) apply_schedule(epoch - 1);
  if (o.progress == ProgressStyle::epoch)
    t.own_progress.emplace(*o.progress_stream, s.per_epoch,
                           ProgressOptions{.label = "epoch " + std::to_string(epoch) + "/" +
                                                    std::to_string(o.epochs)});
  t.progress = t.own_progress ? &*t.own_progress : s.run_progress ? &*s.run_progress : nullptr;
  if (s.run_progress) std::snprintf(t.prefix, sizeof t.prefix, "epoch %zu/%zu | ", epoch, o.epochs);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
bool Trainer<Net, B, Opt, L>::train_batches(RunState& s, EpochState& t, Net& net, const Data& train) {
  const TrainerOptions& o = options_;
  const bool full_batch = o.batches_per_step == 0;
  const std::size_t batches = s.batches;
  const auto range = train.template batches<B>(s.order);
  bool stop = false;
  for (std::size_t k = 0; k < batches && !stop;) {
    const std::size_t step_left = full_batch ? batches - k : o.batches_per_step - t.pending_batches;
    const std::size_t round = std::min({o.threads, batches - k, step_left});
    accumulate_round(net, range, k, round, s.round_results);
    for (std::size_t j = 0; j < round && !stop; ++j, ++k)
      stop = batch_step(s, t, net, train, k, s.round_results[j]);
  }
  return stop;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
bool Trainer<Net, B, Opt, L>::batch_step(RunState& s, EpochState& t, Net& net, const Data& train,
                                         std::size_t k, const BatchResult& r) {
  const TrainerOptions& o = options_;
  const bool full_batch = o.batches_per_step == 0;
  s.at.batch = k + 1;
  check_loss(s, net, train, std::span<const std::size_t>(s.order).subspan(k * B, B), r.loss);
  count(s, t, r, B);
  ++t.pending_batches;
  const bool stepping =
      !full_batch && (t.pending_batches == o.batches_per_step || k + 1 == s.batches);
  double norm = EpochRecord::missing;
  if (stepping) {
    norm = step(s, net, train, pending(s, t));
    t.step_begin = t.seen;
    t.pending_batches = 0;
  }
  const bool stop = after_batch(s, B, static_cast<double>(r.loss), stepping, norm);
  show(s, t, B, k % 32 == 0 || k + 1 == s.batches);
  return stop;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
bool Trainer<Net, B, Opt, L>::train_tail(RunState& s, EpochState& t, Net& net, const Data& train) {
  const std::size_t n = train.size(), batches = s.batches;
  bool stop = false;
  for (std::size_t i = batches * B; i < n && !stop; ++i) {
    s.at.batch = batches + (i - batches * B) + 1;
    // Through a one-sample workspace of the trainer's own, so that
    // Dropout masks advance as in the batches.
    const auto sample = std::span<const std::size_t>(s.order).subspan(i, 1);
    const auto one = train.template batches<1>(sample)[0];
    const BatchResult r =
        accumulate_batch(net, one.inputs, one.labels, loss_, *tail_workspace_, *gradients_);
    check_loss(s, net, train, sample, r.loss);
    count(s, t, r, 1);
    stop = after_batch(s, 1, static_cast<double>(r.loss), false, EpochRecord::missing);
    show(s, t, 1, i + 1 == n);
  }
  if (!stop) {
    s.at.batch = s.at.batches;
    step(s, net, train, pending(s, t));
    t.step_begin = t.seen;
  }
  return stop;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::count(RunState& s, EpochState& t, const BatchResult& r,
                                    std::size_t samples) {
  if (!s.first_loss && s.history.steps == 0)
    s.first_loss = static_cast<double>(r.loss) / static_cast<double>(samples);
  t.loss_sum += static_cast<double>(r.loss);
  t.correct += r.correct;
  t.errors.add(r.errors);
  t.seen += samples;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
std::span<const std::size_t> Trainer<Net, B, Opt, L>::pending(const RunState& s,
                                                                  const EpochState& t) {
  return std::span<const std::size_t>(s.order).subspan(t.step_begin, t.seen - t.step_begin);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::show(RunState& s, EpochState& t, std::size_t samples, bool refresh) {
  if (t.progress == nullptr) return;
  if (refresh)
    t.progress->set_status(status_text(
        s.status, t.prefix, t.loss_sum / static_cast<double>(t.seen),
        static_cast<double>(t.correct) / static_cast<double>(t.seen), t.errors.rmse()));
  t.progress->advance(samples);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
void Trainer<Net, B, Opt, L>::close_epoch(RunState& s, EpochState& t, Net& net, bool stopped) {
  const TrainerOptions& o = options_;
  const std::size_t seen = t.seen;
  EpochRecord& e = s.record;
  e.train_seconds = seconds_since(t.start);
  e.samples = seen;
  e.train_loss = seen ? t.loss_sum / static_cast<double>(seen) : EpochRecord::missing;
  if constexpr (Data::classification)
    e.train_accuracy =
        seen ? static_cast<double>(t.correct) / static_cast<double>(seen) : EpochRecord::missing;
  else if (seen > 0) {
    e.add_metric("rmse", t.errors.rmse());
    e.add_metric("mae", t.errors.mae());
  }
  e.samples_per_second = e.train_seconds > 0 ? static_cast<double>(seen) / e.train_seconds : 0;
  if (!s.epoch_stepped) e.learning_rate = static_cast<double>(optimizer_->learning_rate());
  if (o.clip_norm > 0 && e.steps > 0)
    e.gradient_norm = s.gradient_norm_sum / static_cast<double>(e.steps);
  if (t.own_progress) {
    if (seen > 0)
      t.own_progress->set_status(
          status_text(s.status, "", e.train_loss, e.train_accuracy, t.errors.rmse()));
    t.own_progress->finish();
  }
  if (!stopped) check_explosion(s, net, e.train_loss, s.first_loss);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
void Trainer<Net, B, Opt, L>::validate(RunState& s, Net& net, const Data& validation,
                                       std::size_t epoch) {
  const TrainerOptions& o = options_;
  EpochRecord& e = s.record;
  const Evaluation v = fixnet::evaluate(net, validation, loss_, *workspace_);
  e.validation_loss = v.loss;
  e.validation_accuracy = v.accuracy();
  if (v.regression()) {
    e.add_metric("validation_rmse", v.rmse);
    e.add_metric("validation_mae", v.mae);
  }
  if (!std::isfinite(v.loss)) {
    std::optional<ParameterLocation> where;
    const std::string cause =
        detail::describe_parameters(net.parameters(), "parameter", "every parameter", where);
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

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::show_epoch(RunState& s, const EpochState& t) {
  const EpochRecord& e = s.record;
  std::string text(status_text(s.status, t.prefix, e.train_loss, e.train_accuracy,
                               e.metric("rmse").value_or(EpochRecord::missing)));
  if (e.has_validation()) {
    text += " | val ";
    text += status_text(s.status, "", e.validation_loss, e.validation_accuracy,
                        e.metric("validation_rmse").value_or(EpochRecord::missing));
  }
  s.run_progress->set_status(text);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
bool Trainer<Net, B, Opt, L>::end_epoch(RunState& s, const Net& net, std::size_t epoch,
                                        bool stopped) {
  const TrainerOptions& o = options_;
  bool callback_stop = stopped;
  for (const EpochCallback& callback : o.on_epoch)
    callback_stop |= callback(s.record) == TrainingControl::stop;
  s.history.epochs.push_back(std::move(s.record));
  s.history.seconds = s.earlier_seconds + seconds_since(s.start);

  bool stop;
  if (callback_stop) {
    stop = true;
    s.history.stop_reason = StopReason::callback;
    s.history.stop_message = "stopped by a callback " +
                             std::string(stopped ? "during" : "after") + " epoch " +
                             std::to_string(epoch);
  } else {
    stop = stop_early(s, epoch);
  }
  s.epochs_done = epoch;
  if (o.checkpoint_every > 0 && epoch % o.checkpoint_every == 0 && !stop)
    write_checkpoint(s, net);
  return stop;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
bool Trainer<Net, B, Opt, L>::stop_early(RunState& s, std::size_t epoch) const {
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

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
TrainingHistory Trainer<Net, B, Opt, L>::finish_run(RunState& s, Net& net) {
  const TrainerOptions& o = options_;
  if (s.checkpointed != s.epochs_done) write_checkpoint(s, net);
  if (s.run_progress) s.run_progress->finish();
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
  s.history.seconds = s.earlier_seconds + seconds_since(s.start);
  return std::move(s.history);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
std::string_view Trainer<Net, B, Opt, L>::status_text(std::array<char, 96>& buffer, const char* prefix,
                                                      double loss, double accuracy, double rmse) {
  const int n =
      std::isnan(rmse)
          ? std::snprintf(buffer.data(), buffer.size(), "%sloss %.4f acc %.2f%%", prefix, loss,
                          100.0 * accuracy)
          : std::snprintf(buffer.data(), buffer.size(), "%sloss %.4g rmse %.4g", prefix, loss,
                          rmse);
  return {buffer.data(), n < 0 ? 0 : std::min(static_cast<std::size_t>(n), buffer.size() - 1)};
}

// --- checkpoints ---

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
CheckpointSettings Trainer<Net, B, Opt, L>::checkpoint_settings() const {
  return {B, options_.batches_per_step, options_.threads, options_.seed, options_.shuffle};
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
std::vector<std::uint64_t*> Trainer<Net, B, Opt, L>::dropout_steps() {
  std::vector<std::uint64_t*> steps{&workspace_->dropout_step, &tail_workspace_->dropout_step};
  for (const auto& helper : helpers_) steps.push_back(&helper->workspace.dropout_step);
  return steps;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::write_checkpoint(RunState& s, const Net& net) {
  if constexpr (OptimizerWithState<optimizer_type>) {
    if (options_.checkpoint_path.empty()) return;
    detail::write_checkpoint(options_.checkpoint_path, net, *optimizer_, checkpoint_settings(), s,
                             dropout_steps(), s.best_loss ? best_.get() : nullptr);
    s.checkpointed = s.epochs_done;
  }
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
void Trainer<Net, B, Opt, L>::restore_checkpoint(const std::filesystem::path& path, RunState& s,
                                                 Net& net, const Data& train, bool validation) {
  if constexpr (OptimizerWithState<optimizer_type>) {
    detail::restore_checkpoint(path, net, *optimizer_, checkpoint_settings(), train.size(),
                               validation, s, dropout_steps(), *best_);
    s.checkpointed = s.epochs_done;
  }
}

}  // namespace fixnet

#endif  // FIXNET_TRAINER_RUN_HPP
