// fixnet — what `Trainer::fit` checks before any step: options in range,
// a network and data of matching widths and scalar types, data it can train
// on. Each refusal names the option or the sample and what was expected.
#ifndef FIXNET_TRAINER_CHECKS_HPP
#define FIXNET_TRAINER_CHECKS_HPP

#include <cmath>
#include <concepts>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

#include "fixnet/train/evaluate.hpp"
#include "fixnet/train/trainer_options.hpp"

namespace fixnet::detail {

inline void check_trainer_option(bool ok, const char* expected, double got) {
  if (!ok)
    throw std::invalid_argument(std::string("fixnet::Trainer: expected ") + expected + ", got " +
                                format_value(got));
}

/// Throws std::invalid_argument for options out of range.
/// `optimizer_with_state`: whether the optimiser can be checkpointed
/// (fixnet::OptimizerWithState).
inline void check_trainer_options(const TrainerOptions& o, bool optimizer_with_state) {
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
  if (!o.checkpoint_path.empty() && !optimizer_with_state)
    throw std::invalid_argument(
        "fixnet::Trainer: checkpoints need an optimiser with name() and for_each_state(f) "
        "(fixnet::OptimizerWithState)");
  if (o.progress != ProgressStyle::off && o.progress_stream == nullptr)
    throw std::invalid_argument(
        "fixnet::Trainer: expected a progress_stream, got a null pointer (set progress = "
        "ProgressStyle::off for no progress)");
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

/// Throws std::invalid_argument for data a `Trainer<Net, B, ...>` with
/// `options` cannot train on (see `Trainer::fit`).
template <class Net, std::size_t B, class Data>
void check_training_data(const TrainerOptions& options, const Data& train,
                         const Data* validation) {
  const bool full_batch = options.batches_per_step == 0;
  if (train.empty() || (!full_batch && train.size() < B))
    throw std::invalid_argument(
        "fixnet::Trainer::fit: expected at least " + std::to_string(full_batch ? 1 : B) +
        (full_batch ? " training sample" : " training samples (one batch)") + ", got " +
        std::to_string(train.size()));
  // Every step needs its samples: more threads (or batches per step) than
  // the data can feed would leave threads idle and take one oversized step
  // an epoch without a word.
  const std::size_t n = train.size(), T = options.threads, S = options.batches_per_step;
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
              classes_beyond_outputs<Net>(*d, "fixnet::Trainer::fit", which);
          !error.empty())
        throw std::invalid_argument(error);
      // Checked once, before any step can touch the parameters.
      if (const std::optional<detail::NonFiniteInput> bad = first_non_finite_input(*d))
        throw std::invalid_argument(std::string("fixnet::Trainer::fit: the ") + which + "'s " +
                                    describe(*bad) +
                                    ": expected finite inputs (look for NaN and infinity in "
                                    "the data)");
    }
  if (options.patience > 0 && validation == nullptr)
    throw std::invalid_argument(
        "fixnet::Trainer::fit: early stopping (patience " + std::to_string(options.patience) +
        ") needs a validation set: expected fit(net, train, validation) with "
        "validation samples, got none");
}

}  // namespace fixnet::detail

#endif  // FIXNET_TRAINER_CHECKS_HPP
