// fixnet — the Trainer's batches and steps (members of fixnet::Trainer,
// declared in fixnet/train/trainer.hpp): the worker threads and a round of
// batches on them, the optimiser step, the learning-rate schedule, the batch
// callbacks, and the stop when a value diverges (fixnet/train/divergence.hpp).
#ifndef FIXNET_TRAINER_STEP_HPP
#define FIXNET_TRAINER_STEP_HPP

#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fixnet/train/trainer.hpp"

namespace fixnet {

// --- batches and steps ---

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::prepare_threads() {
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

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Range>
void Trainer<Net, B, Opt, L>::accumulate_round(const Net& net, const Range& range, std::size_t k,
                                               std::size_t round,
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

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
double Trainer<Net, B, Opt, L>::step(RunState& s, Net& net, const Data& train,
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
      std::string which = detail::describe_parameters(g, "the gradient of", "every gradient", where);
      const std::string inputs = detail::describe_inputs(train, samples);
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
        detail::describe_parameters(net.parameters(), "parameter", "every parameter", where);
    std::optional<ParameterLocation> gradient_at;
    const std::string gradient =
        detail::describe_parameters(g, "the gradient of", "every gradient", gradient_at);
    const std::string inputs = detail::describe_inputs(train, samples);
    diverged(s, net, TrainingDiverged::Kind::parameter, what + " after this step", where,
             !inputs.empty() ? inputs
             : gradient_at   ? "the gradient was not finite already: " + gradient
                             : "the gradient was finite: the step was too large",
             !inputs.empty());
  }
  g.zero();
  return norm;
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::apply_schedule(std::size_t t) {
  const double lr = options_.schedule(t);
  const auto rate = static_cast<scalar_type>(lr);
  if (!(std::isfinite(rate) && rate >= 0))
    throw std::invalid_argument("fixnet::Trainer: the schedule gave the learning rate " +
                                detail::format_value(lr) + " for t = " + std::to_string(t) +
                                ": expected a finite rate >= 0");
  optimizer_->set_learning_rate(rate);
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
bool Trainer<Net, B, Opt, L>::after_batch(const RunState& s, std::size_t samples, double loss,
                                          bool stepped, double norm) const {
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

// --- divergence ---

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::diverged(RunState& s, Net& net, TrainingDiverged::Kind kind,
                                       const std::string& what,
                                       std::optional<ParameterLocation> location,
                                       const std::string& cause, bool data_at_fault) {
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

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
template <class Data>
void Trainer<Net, B, Opt, L>::check_loss(RunState& s, Net& net, const Data& train,
                                         std::span<const std::size_t> samples, scalar_type loss) {
  if (std::isfinite(loss)) [[likely]]
    return;
  std::optional<ParameterLocation> where;
  const std::string inputs = detail::describe_inputs(train, samples);
  const std::string cause = inputs.empty() ? detail::describe_parameters(net.parameters(), "parameter",
                                                                 "every parameter", where)
                                           : inputs;
  diverged(s, net, TrainingDiverged::Kind::loss,
           "the loss of the batch is " + detail::format_value(static_cast<double>(loss)), where,
           cause, !inputs.empty());
}

template <class Net, std::size_t B, TrainerOptimizer<Net> Opt, Loss L>
void Trainer<Net, B, Opt, L>::check_explosion(RunState& s, Net& net, double train_loss,
                                              const std::optional<double>& first_loss) {
  if (const std::optional<std::string> what = detail::loss_explosion(
          s.history, train_loss, first_loss, options_.divergence_factor))
    diverged(s, net, TrainingDiverged::Kind::loss_exploded, *what, std::nullopt,
             "every parameter is finite but the loss exploded");
}

}  // namespace fixnet

#endif  // FIXNET_TRAINER_STEP_HPP
