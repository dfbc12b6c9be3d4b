// fixnet — what a training run leaves behind: one record per epoch (losses,
// accuracies, learning rate, speed), why the run stopped, which epoch was
// best; and the records as CSV, for plotting.
//
//   fixnet::TrainingHistory history = trainer.fit(net, train, validation);
//   for (const fixnet::EpochRecord& e : history.epochs)
//     std::cout << e.epoch << ' ' << e.train_loss << ' ' << e.validation_accuracy << '\n';
//   fixnet::write_csv("curves.csv", history);
//   // epoch,loss,accuracy,validation_loss,validation_accuracy,learning_rate,...
//
// The trainer that fills it is in fixnet/train/trainer.hpp.
#ifndef FIXNET_HISTORY_HPP
#define FIXNET_HISTORY_HPP

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixnet/io/atomic_file.hpp"

namespace fixnet {

/// What one epoch of training measured. Values that were not measured (no
/// validation set, no clipping) are NaN, and empty in the CSV.
struct EpochRecord {
  static constexpr double missing = std::numeric_limits<double>::quiet_NaN();

  /// 1 for the first epoch.
  std::size_t epoch = 0;
  /// The optimiser's learning rate at the epoch's first step (after the
  /// schedule, if any, set it).
  double learning_rate = missing;
  /// Mean loss per training sample over the epoch's batches, each batch's
  /// loss taken as it was trained on (before its step): a running mean while
  /// the parameters change, as Keras reports it. Without any L2 penalty, so
  /// that it compares with `validation_loss`. With full-batch descent it is
  /// exactly the loss of the parameters the epoch started from.
  double train_loss = missing;
  /// Fraction of the epoch's training samples whose largest output was their
  /// class, counted in the same running way as `train_loss`.
  double train_accuracy = missing;
  /// Mean loss per sample over the validation set after the epoch
  /// (fixnet::evaluate: every sample once).
  double validation_loss = missing;
  /// Fraction of the validation set classified correctly after the epoch.
  double validation_accuracy = missing;
  /// Training samples in the epoch (each batch counts its B samples).
  std::size_t samples = 0;
  /// Optimiser steps taken in the epoch.
  std::size_t steps = 0;
  /// Steps whose gradient norm was clipped (0 without clipping).
  std::size_t clipped_steps = 0;
  /// Mean of the gradient's global L2 norm before clipping over the epoch's
  /// steps; measured only with clipping on (it costs a pass).
  double gradient_norm = missing;
  /// Seconds in the epoch's batches (forward, backward, steps).
  double train_seconds = 0;
  /// Seconds for the whole epoch, validation included.
  double seconds = 0;
  /// `samples / train_seconds`.
  double samples_per_second = 0;
  /// Whether this epoch's validation loss was the best so far (by more than
  /// the trainer's `min_delta`): its parameters are the ones kept.
  bool improved = false;
  /// Further named metrics, added by callbacks (`add_metric`), written as
  /// more CSV columns: a test set's accuracy after each epoch, say.
  std::vector<std::pair<std::string, double>> metrics{};

  /// Whether the epoch was validated.
  bool has_validation() const noexcept { return !std::isnan(validation_loss); }

  /// Adds (or replaces) the metric `name`.
  void add_metric(std::string_view name, double value) {
    for (auto& [key, v] : metrics)
      if (key == name) {
        v = value;
        return;
      }
    metrics.emplace_back(std::string(name), value);
  }

  /// The metric `name`, if a callback added it.
  std::optional<double> metric(std::string_view name) const noexcept {
    for (const auto& [key, v] : metrics)
      if (key == name) return v;
    return std::nullopt;
  }
};

/// Why training stopped.
enum class StopReason {
  /// All the epochs asked for ran.
  completed,
  /// The validation loss did not improve for `patience` epochs.
  early_stopping,
  /// A callback returned `TrainingControl::stop`.
  callback,
  /// The numbers stopped being finite, or the training loss exploded
  /// (`fixnet::TrainingDiverged`, whose `history()` says so).
  diverged,
};

/// "completed", "early stopping", "callback", "diverged".
inline const char* to_string(StopReason reason) noexcept {
  switch (reason) {
    case StopReason::completed:
      return "completed";
    case StopReason::early_stopping:
      return "early stopping";
    case StopReason::callback:
      return "callback";
    case StopReason::diverged:
      return "diverged";
  }
  return "?";
}

/// A training run: its epochs in order and how it ended.
struct TrainingHistory {
  std::vector<EpochRecord> epochs{};
  StopReason stop_reason = StopReason::completed;
  /// One sentence on how the run ended ("early stopping after epoch 9: the
  /// validation loss did not improve for 3 epochs; best 0.0712 at epoch 6").
  std::string stop_message{};
  /// The epoch (1-based) of the lowest validation loss; nothing without a
  /// validation set.
  std::optional<std::size_t> best_epoch{};
  /// Whether the network was given back the parameters of `best_epoch`
  /// (they differ from the last epoch's).
  bool restored_best = false;
  /// Optimiser steps in all.
  std::size_t steps = 0;
  /// Wall time of the whole run.
  double seconds = 0;

  bool empty() const noexcept { return epochs.empty(); }
  /// The last epoch's record (the history must not be empty).
  const EpochRecord& last() const noexcept { return epochs.back(); }
  /// The best epoch's record, or nullptr without a validation set.
  const EpochRecord* best() const noexcept {
    return best_epoch && *best_epoch >= 1 && *best_epoch <= epochs.size() ? &epochs[*best_epoch - 1]
                                                                          : nullptr;
  }
};

namespace detail {

/// Shortest text that reads back as the same double ("" for NaN: a missing
/// value in a CSV).
inline std::string csv_number(double v) {
  if (std::isnan(v)) return {};
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace detail

/// Writes the history as CSV: a header line, then one line per epoch with
/// the columns
///
///   epoch,loss,accuracy,validation_loss,validation_accuracy,learning_rate,
///   samples,steps,clipped_steps,gradient_norm,train_seconds,seconds,
///   samples_per_second
///
/// (`loss` and `accuracy` are the training set's), then one column per
/// metric that callbacks added, in order of first appearance. Missing values
/// (NaN, or a metric absent from an epoch) are empty fields, which gnuplot,
/// pandas and spreadsheets read as missing. Numbers are written with as many
/// digits as it takes to read back the same double.
inline void write_csv(std::ostream& out, const TrainingHistory& history) {
  std::vector<std::string> extra;
  for (const EpochRecord& e : history.epochs)
    for (const auto& [name, value] : e.metrics) {
      bool known = false;
      for (const std::string& x : extra) known = known || x == name;
      if (!known) extra.push_back(name);
    }
  out << "epoch,loss,accuracy,validation_loss,validation_accuracy,learning_rate,samples,steps,"
         "clipped_steps,gradient_norm,train_seconds,seconds,samples_per_second";
  for (const std::string& name : extra) out << ',' << name;
  out << '\n';
  using detail::csv_number;
  for (const EpochRecord& e : history.epochs) {
    out << e.epoch << ',' << csv_number(e.train_loss) << ',' << csv_number(e.train_accuracy) << ','
        << csv_number(e.validation_loss) << ',' << csv_number(e.validation_accuracy) << ','
        << csv_number(e.learning_rate) << ',' << e.samples << ',' << e.steps << ','
        << e.clipped_steps << ',' << csv_number(e.gradient_norm) << ','
        << csv_number(e.train_seconds) << ',' << csv_number(e.seconds) << ','
        << csv_number(e.samples_per_second);
    for (const std::string& name : extra) {
      const std::optional<double> v = e.metric(name);
      out << ',' << (v ? csv_number(*v) : std::string());
    }
    out << '\n';
  }
}

/// Writes the CSV to a file, atomically (fixnet::write_file_atomically: a
/// reader, a kill or a full disk sees the previous file or the whole new
/// one). Throws fixnet::FileWriteError (a std::runtime_error) naming the
/// file and the system's reason if it cannot be written.
inline void write_csv(const std::filesystem::path& path, const TrainingHistory& history) {
  std::ostringstream out;
  write_csv(out, history);
  const std::string text = std::move(out).str();
  write_file_atomically(path, std::as_bytes(std::span<const char>(text)));
}

}  // namespace fixnet

#endif  // FIXNET_HISTORY_HPP
