// fixnet — the divergence diagnosis of a training run: `TrainingDiverged`,
// thrown when a loss, a gradient or a parameter stops being finite or the
// training loss explodes (`TrainerOptions::divergence_factor`), and the
// descriptions that say where it happened and what was at fault.
#ifndef FIXNET_DIVERGENCE_HPP
#define FIXNET_DIVERGENCE_HPP

#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "fixnet/train/finite.hpp"
#include "fixnet/train/history.hpp"
#include "fixnet/train/trainer_options.hpp"

namespace fixnet {

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
    if (layer++ == at.layer)
      block.for_each_parameter([&](const ParameterIndex& i, auto v) {
        if (i.is_bias == at.is_bias && i.row == at.row && i.column == at.column) value = double(v);
      });
  });
  return value;
}

/// "parameter layer 0 W[3][7] (parameter 1234) is nan" or "every
/// parameter is finite" (`one` "parameter", `all` "every parameter").
template <class P>
std::string describe_parameters(const P& p, const char* one, const char* all,
                                std::optional<ParameterLocation>& where) {
  where = find_non_finite(p);
  if (!where) return std::string(all) + " is finite";
  return std::string(one) + " " + to_string(*where) + " is " +
         format_value(parameter_value(p, *where));
}

/// The first non-finite input value among the given training samples, if
/// any: the data, not the training, is then at fault.
template <class Data>
std::string describe_inputs(const Data& train, std::span<const std::size_t> samples) {
  for (const std::size_t i : samples) {
    const auto& row = train.row(i);
    for (std::size_t c = 0; c < row.size(); ++c)
      if (!std::isfinite(row[c]))
        return "training sample " + std::to_string(i) + " holds " + format_value(row[c]) +
               " at column " + std::to_string(c) + ": the data is not finite";
  }
  return {};
}

/// What `TrainerOptions::divergence_factor` finds wrong with an epoch's
/// training loss: empty unless it exceeds `factor` times the lowest so far,
/// the earlier epochs' (from `history`, so that a resumed run decides as the
/// uninterrupted one), or before any epoch the first batch's (`first_loss`).
inline std::optional<std::string> loss_explosion(const TrainingHistory& history,
                                                 double train_loss,
                                                 const std::optional<double>& first_loss,
                                                 double factor) {
  if (factor == 0 || std::isnan(train_loss)) return std::nullopt;
  std::optional<double> lowest;
  std::size_t lowest_epoch = 0;
  for (const EpochRecord& r : history.epochs)
    if (!std::isnan(r.train_loss) && (!lowest || r.train_loss < *lowest)) {
      lowest = r.train_loss;
      lowest_epoch = r.epoch;
    }
  if (!lowest) lowest = first_loss;
  // A loss of exactly 0 has no scale to grow from.
  if (!lowest || !(*lowest > 0) || !(train_loss > factor * *lowest)) return std::nullopt;
  const std::string reference =
      lowest_epoch > 0 ? "epoch " + std::to_string(lowest_epoch) + "'s"
                       : "the first batch's, before any step";
  return "the training loss of the epoch is " + format_value(train_loss) +
         ", more than divergence_factor (" + format_value(factor) +
         ") times the lowest so far (" + format_value(*lowest) + ", " + reference + ")";
}

}  // namespace detail

}  // namespace fixnet

#endif  // FIXNET_DIVERGENCE_HPP
