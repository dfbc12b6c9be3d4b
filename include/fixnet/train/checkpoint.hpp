// fixnet — checkpoints: a training run saved between two epochs, so that
// another process resumes it exactly (the same parameters and history, bit
// for bit, as a run that was never interrupted).
//
//   fixnet::TrainerOptions options{.epochs = 20, .seed = 1, .patience = 3};
//   options.checkpoint_path = "run.ckpt.safetensors";  // each epoch, and at the end
//   options.best_model_path = "best.safetensors";      // a plain model file
//   fixnet::Trainer<Net, 32, fixnet::Adam<Net>> trainer(options, {.lr = 1e-3f});
//   history = trainer.fit(net, train, validation);
//   // ... killed; later, in a new process, with the same options:
//   history = trainer.resume(net, "run.ckpt.safetensors", train, validation);
//
// The Trainer (fixnet/train/trainer.hpp) writes and reads them; this header holds
// the file format (its parts' encodings: fixnet/train/checkpoint_encoding.hpp). A checkpoint is one safetensors file
// (fixnet/io/safetensors.hpp), written atomically, holding
//
//   0.weight, 0.bias, ...          the network, as a model file holds it
//                                  (fixnet/io/model_file.hpp): a checkpoint
//                                  loads as a model with
//                                  fixnet::load(net, path, {.ignore_extra = true})
//   optimizer.<set>.0.weight, ...  each parameter set of the optimiser's state
//                                  (optimizer.exp_avg.0.weight for Adam)
//   optimizer.<counter>            each counter (optimizer.step), I64 []
//   best.0.weight, ...             the best parameters so far (with validation)
//   trainer.epoch                  epochs completed, I64 []
//   trainer.batch                  batches into the next epoch: 0
//   trainer.steps                  optimiser steps taken, I64 []
//   trainer.schedule_step          t of a per-step schedule's next call, I64 []
//   trainer.epochs_since_best      early stopping's count, I64 []
//   trainer.best_loss              the best validation loss, F64 [] (with
//                                  validation)
//   trainer.order                  the sample order the next shuffle starts
//                                  from, I64 [n]
//   trainer.dropout_steps          dropout_step of each workspace (the
//                                  caller's, the full-batch tail's, each
//                                  helper thread's), I64 [threads + 1]
//
// and the metadata of a model file plus
//
//   fixnet.checkpoint                    "1", the format's version
//   fixnet.checkpoint.optimizer          the optimiser's name() ("Adam")
//   fixnet.checkpoint.batch_size, .batches_per_step, .threads, .seed, .shuffle
//                                        the settings a resumed run must share
//   fixnet.checkpoint.rng                the shuffling engine (std::mt19937_64's
//                                        standard text form)
//   fixnet.checkpoint.history            the history so far, as JSON
//
// Reading checks everything (the network's type, the optimiser's name, the
// settings, every shape, finiteness, that the order is a permutation of the
// training set) before anything of the caller's changes, and refuses with a
// `fixnet::ModelFileError` naming what differs.
#ifndef FIXNET_CHECKPOINT_HPP
#define FIXNET_CHECKPOINT_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixnet/core/config.hpp"
#include "fixnet/io/describe.hpp"
#include "fixnet/train/checkpoint_encoding.hpp"
#include "fixnet/train/history.hpp"
#include "fixnet/train/init.hpp"
#include "fixnet/io/model_file.hpp"
#include "fixnet/io/safetensors.hpp"
#include "fixnet/network.hpp"
#include "fixnet/optimizers/optimizer.hpp"

namespace fixnet {

namespace detail {

/// What a training run carries from one epoch to the next, besides the
/// network, the optimiser, the best parameters and the dropout steps.
struct ResumableState {
  TrainingHistory history;
  std::optional<double> best_loss;
  std::size_t epochs_since_best = 0;
  /// Epochs completed.
  std::size_t epochs_done = 0;
  /// The shuffling engine, and the order the next epoch's shuffle permutes.
  Rng rng;
  std::vector<std::size_t> order;
};

/// A checkpoint read and checked, not yet applied.
template <class Net>
struct LoadedCheckpoint {
  using parameters_type = typename Net::parameters_type;
  std::vector<typename Net::scalar_type> network;
  /// The optimiser's parameter sets and counters, in for_each_state order.
  std::vector<std::unique_ptr<parameters_type>> optimizer_sets;
  std::vector<std::size_t> optimizer_counters;
  /// Null without validation.
  std::unique_ptr<parameters_type> best;
  std::vector<std::uint64_t> dropout_steps;
  ResumableState state;
};

/// Refuses a file that is not a checkpoint of network type Net.
template <class Net>
void check_checkpoint_network(const safetensors::Reader& file) {
  const auto version = file.metadata(checkpoint_key);
  if (!version)
    file.fail("is not a checkpoint (no " + std::string(checkpoint_key) +
              " metadata): a model file loads with fixnet::load");
  if (*version != checkpoint_version)
    file.fail("is a checkpoint of format version " + std::string(*version) +
              "; this fixnet reads version " + std::string(checkpoint_version));
  const std::string mine = describe_network<Net>();
  const auto theirs = file.metadata("fixnet.network");
  if (theirs && *theirs != mine)
    file.fail("holds a checkpoint of " + std::string(*theirs) + ", but the trainer trains " + mine);
}

// --- writing and reading ---

/// The bytes of a checkpoint of `net`, `optimizer` and `state`.
template <class Net, OptimizerWithState Opt>
std::vector<std::byte> checkpoint_bytes(const Net& net, const Opt& optimizer,
                                        const CheckpointSettings& settings,
                                        const ResumableState& state,
                                        std::span<const std::uint64_t> dropout_steps,
                                        const typename Net::parameters_type* best) {
  using P = typename Net::parameters_type;
  safetensors::Writer file;
  add_network(file, net);
  file.set_metadata(std::string(checkpoint_key), std::string(checkpoint_version));
  write_settings(file, settings, optimizer.name());
  optimizer.for_each_state([&](std::string_view name, const auto& part) {
    using Part = std::remove_cvref_t<decltype(part)>;
    if constexpr (std::is_same_v<Part, P>) {
      add_parameter_set(file, net, "optimizer." + std::string(name) + ".", part);
    } else {
      static_assert(std::is_same_v<Part, std::size_t>,
                    "fixnet: for_each_state visits parameter sets and std::size_t counters");
      add_count(file, "optimizer." + std::string(name), part);
    }
  });
  if (best != nullptr) {
    add_parameter_set(file, net, "best.", *best);
    file.add_scalar("trainer.best_loss", *state.best_loss);
  }
  add_count(file, "trainer.epoch", state.epochs_done);
  add_count(file, "trainer.batch", 0);
  add_count(file, "trainer.steps", state.history.steps);
  add_count(file, "trainer.schedule_step", state.history.steps);
  add_count(file, "trainer.epochs_since_best", state.epochs_since_best);
  const std::vector<std::uint64_t> order(state.order.begin(), state.order.end());
  add_counts(file, "trainer.order", order);
  add_counts(file, "trainer.dropout_steps", dropout_steps);
  std::ostringstream rng;
  rng << state.rng;
  file.set_metadata(checkpoint_meta("rng"), rng.str());
  file.set_metadata(checkpoint_meta("history"), history_json(state.history));
  return file.bytes();
}

/// Reads and checks a checkpoint for `net`'s type, `optimizer`'s type and
/// state names, `settings`, a training set of `train_size` samples and a
/// run with (or without) validation. Changes nothing.
template <class Net, OptimizerWithState Opt>
LoadedCheckpoint<Net> read_checkpoint(const safetensors::Reader& file, const Net& net,
                                      const Opt& optimizer, const CheckpointSettings& settings,
                                      std::size_t train_size, bool validation) {
  using P = typename Net::parameters_type;
  check_checkpoint_network<Net>(file);
  check_settings(file, settings, optimizer.name());
  LoadedCheckpoint<Net> c;
  c.network = read_network(file, net);
  optimizer.for_each_state([&](std::string_view name, const auto& part) {
    using Part = std::remove_cvref_t<decltype(part)>;
    if constexpr (std::is_same_v<Part, P>) {
      auto set = std::make_unique<P>();
      read_parameter_set(file, net, "optimizer." + std::string(name) + ".", *set);
      c.optimizer_sets.push_back(std::move(set));
    } else {
      c.optimizer_counters.push_back(read_count(file, "optimizer." + std::string(name)));
    }
  });

  ResumableState& s = c.state;
  s.epochs_done = read_count(file, "trainer.epoch");
  if (read_count(file, "trainer.batch") != 0)
    file.fail("was written in the middle of an epoch; this fixnet resumes between epochs only");
  s.epochs_since_best = read_count(file, "trainer.epochs_since_best");
  const std::size_t steps = read_count(file, "trainer.steps");

  if (!file.contains("trainer.order"))
    file.fail("has no tensor 'trainer.order': a damaged checkpoint");
  const std::size_t n = file.info("trainer.order").element_count();
  if (n != train_size)
    file.fail("was written for a training set of " + std::to_string(n) +
              " samples, but this one has " + std::to_string(train_size) +
              ": resume on the same training set");
  const std::vector<std::uint64_t> order =
      read_counts(file, "trainer.order", n, "one index per training sample");
  std::vector<bool> seen(n, false);
  for (const std::uint64_t i : order) {
    if (i >= n || seen[i])
      file.fail("has a tensor 'trainer.order' that is not a permutation of 0 .. " +
                std::to_string(n - 1));
    seen[i] = true;
  }
  s.order.assign(order.begin(), order.end());
  c.dropout_steps = read_counts(file, "trainer.dropout_steps", settings.threads + 1,
                                "one per thread, and the full-batch tail's");

  const bool has_best = file.contains("trainer.best_loss");
  if (has_best != validation)
    file.fail(has_best ? "was written by a run with a validation set: resume with one"
                       : "was written by a run without a validation set: resume without one");
  if (has_best) {
    c.best = std::make_unique<P>();
    read_parameter_set(file, net, "best.", *c.best);
    s.best_loss = file.read_scalar<double>("trainer.best_loss");
    if (!std::isfinite(*s.best_loss)) file.fail("has a non-finite trainer.best_loss");
  }

  const auto rng = file.metadata(checkpoint_meta("rng"));
  if (!rng) file.fail("has no " + checkpoint_meta("rng") + " metadata: a damaged checkpoint");
  std::istringstream in{std::string(*rng)};
  in >> s.rng;
  if (in.fail() || !(in >> std::ws).eof())
    file.fail("has a malformed " + checkpoint_meta("rng") + " (expected std::mt19937_64's state)");

  const auto history = file.metadata(checkpoint_meta("history"));
  if (!history)
    file.fail("has no " + checkpoint_meta("history") + " metadata: a damaged checkpoint");
  s.history = history_from_json(file, *history);
  if (s.history.epochs.size() != s.epochs_done || s.history.steps != steps)
    file.fail("has a history of " + std::to_string(s.history.epochs.size()) + " epochs and " +
              std::to_string(s.history.steps) + " steps, but its position is epoch " +
              std::to_string(s.epochs_done) + ", " + std::to_string(steps) + " steps");
  if (has_best && !s.history.best_epoch)
    file.fail("has best parameters but no best epoch in its history");
  return c;
}

/// Gives `optimizer` the state read by `read_checkpoint` (no check left to
/// fail: the names and counts were read through the same `for_each_state`).
template <class Net, OptimizerWithState Opt>
void restore_optimizer(Opt& optimizer, const LoadedCheckpoint<Net>& c) noexcept {
  std::size_t set = 0, counter = 0;
  optimizer.for_each_state([&](std::string_view, auto& part) {
    using Part = std::remove_cvref_t<decltype(part)>;
    if constexpr (std::is_same_v<Part, typename Net::parameters_type>)
      part = *c.optimizer_sets[set++];
    else
      part = c.optimizer_counters[counter++];
  });
}

/// Writes the checkpoint of a trainer's run to `path`, atomically.
/// `dropout_steps` points at each workspace's step; `best` is null without
/// validation.
template <class Net, OptimizerWithState Opt>
void write_checkpoint(const std::filesystem::path& path, const Net& net, const Opt& optimizer,
                      const CheckpointSettings& settings, const ResumableState& state,
                      std::span<std::uint64_t* const> dropout_steps,
                      const typename Net::parameters_type* best) {
  std::vector<std::uint64_t> steps;
  for (const std::uint64_t* step : dropout_steps) steps.push_back(*step);
  safetensors::write_file_atomically(
      path, checkpoint_bytes(net, optimizer, settings, state, steps, best));
}

/// Reads the checkpoint at `path` for a trainer's run and, once every check
/// has passed, sets the network, the optimiser, the best parameters, the
/// dropout steps and the run's state from it. Throws ModelFileError, having
/// changed nothing, when a check fails.
template <class Net, OptimizerWithState Opt>
void restore_checkpoint(const std::filesystem::path& path, Net& net, Opt& optimizer,
                        const CheckpointSettings& settings, std::size_t train_size, bool validation,
                        ResumableState& state, std::span<std::uint64_t* const> dropout_steps,
                        typename Net::parameters_type& best) {
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  const safetensors::Reader file(bytes, path.string());
  LoadedCheckpoint<Net> c = read_checkpoint(file, net, optimizer, settings, train_size, validation);
  if (c.dropout_steps.size() != dropout_steps.size())  // checked against settings.threads
    file.fail("has " + std::to_string(c.dropout_steps.size()) + " dropout steps, expected " +
              std::to_string(dropout_steps.size()));
  // Every check passed: only now is anything of the caller's changed.
  constexpr std::size_t n = Net::parameter_count;
  net.set_parameters(std::span<const typename Net::scalar_type, n>(c.network.data(), n));
  restore_optimizer(optimizer, c);
  if (c.best) best = *c.best;
  for (std::size_t i = 0; i < dropout_steps.size(); ++i) *dropout_steps[i] = c.dropout_steps[i];
  state = std::move(c.state);
}

}  // namespace detail
}  // namespace fixnet

#endif  // FIXNET_CHECKPOINT_HPP
