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
// the file format. A checkpoint is one safetensors file
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
#include "fixnet/train/history.hpp"
#include "fixnet/train/init.hpp"
#include "fixnet/io/model_file.hpp"
#include "fixnet/io/safetensors.hpp"
#include "fixnet/network.hpp"
#include "fixnet/optimizers/optimizer.hpp"

namespace fixnet {

/// The settings a resumed run must share with the run that wrote the
/// checkpoint: they decide the order of the samples, the batches of each
/// step, how their gradients are summed and the dropout masks. Resuming with
/// any of them different is refused.
struct CheckpointSettings {
  std::size_t batch_size = 0;
  std::size_t batches_per_step = 1;
  std::size_t threads = 1;
  std::uint64_t seed = 0;
  bool shuffle = true;
};

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

inline constexpr std::string_view checkpoint_key = "fixnet.checkpoint";
inline constexpr std::string_view checkpoint_version = "1";

inline std::string checkpoint_meta(std::string_view name) {
  return std::string(checkpoint_key) + "." + std::string(name);
}

// --- the history as JSON: NaN as null, infinities as "inf" and "-inf" ---

inline nlohmann::json json_number(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

inline double number_from_json(const nlohmann::json& j) {
  if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return j.get<double>();  // throws type_error for anything else
}

inline std::string history_json(const TrainingHistory& h) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochRecord& e : h.epochs) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const auto& [name, value] : e.metrics) metrics.push_back({name, json_number(value)});
    epochs.push_back({{"epoch", e.epoch},
                      {"learning_rate", json_number(e.learning_rate)},
                      {"train_loss", json_number(e.train_loss)},
                      {"train_accuracy", json_number(e.train_accuracy)},
                      {"validation_loss", json_number(e.validation_loss)},
                      {"validation_accuracy", json_number(e.validation_accuracy)},
                      {"samples", e.samples},
                      {"steps", e.steps},
                      {"clipped_steps", e.clipped_steps},
                      {"gradient_norm", json_number(e.gradient_norm)},
                      {"train_seconds", json_number(e.train_seconds)},
                      {"seconds", json_number(e.seconds)},
                      {"samples_per_second", json_number(e.samples_per_second)},
                      {"improved", e.improved},
                      {"metrics", std::move(metrics)}});
  }
  nlohmann::json j = {
      {"epochs", std::move(epochs)}, {"steps", h.steps}, {"seconds", json_number(h.seconds)}};
  j["best_epoch"] = h.best_epoch ? nlohmann::json(*h.best_epoch) : nlohmann::json(nullptr);
  return j.dump();
}

inline TrainingHistory history_from_json(const safetensors::Reader& file, std::string_view text) {
  TrainingHistory h;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    for (const nlohmann::json& x : j.at("epochs")) {
      EpochRecord e;
      e.epoch = x.at("epoch").get<std::size_t>();
      e.learning_rate = number_from_json(x.at("learning_rate"));
      e.train_loss = number_from_json(x.at("train_loss"));
      e.train_accuracy = number_from_json(x.at("train_accuracy"));
      e.validation_loss = number_from_json(x.at("validation_loss"));
      e.validation_accuracy = number_from_json(x.at("validation_accuracy"));
      e.samples = x.at("samples").get<std::size_t>();
      e.steps = x.at("steps").get<std::size_t>();
      e.clipped_steps = x.at("clipped_steps").get<std::size_t>();
      e.gradient_norm = number_from_json(x.at("gradient_norm"));
      e.train_seconds = number_from_json(x.at("train_seconds"));
      e.seconds = number_from_json(x.at("seconds"));
      e.samples_per_second = number_from_json(x.at("samples_per_second"));
      e.improved = x.at("improved").get<bool>();
      for (const nlohmann::json& m : x.at("metrics"))
        e.metrics.emplace_back(m.at(0).get<std::string>(), number_from_json(m.at(1)));
      h.epochs.push_back(std::move(e));
    }
    h.steps = j.at("steps").get<std::size_t>();
    h.seconds = number_from_json(j.at("seconds"));
    if (!j.at("best_epoch").is_null()) h.best_epoch = j.at("best_epoch").get<std::size_t>();
  } catch (const nlohmann::json::exception& e) {
    file.fail("has a malformed history (metadata " + checkpoint_meta("history") + "): " + e.what());
  }
  return h;
}

// --- tensors ---

/// Adds parameter set `set` of network type Net, its tensors named as a
/// model file names them after `prefix`.
template <Scalar T, class... Layers>
void add_parameter_set(safetensors::Writer& file, const BasicNetwork<T, Layers...>& net,
                       const std::string& prefix,
                       const typename BasicNetwork<T, Layers...>::parameters_type& set) {
  constexpr std::size_t n = BasicNetwork<T, Layers...>::parameter_count;
  std::vector<T> values(n);
  set.get(std::span<T, n>(values.data(), n));
  for (const TensorSlot& slot : tensor_slots(net, ModelFileOptions{.prefix = prefix}))
    file.add(slot.name, std::span<const T>(values.data() + slot.offset, slot.count), slot.shape);
}

/// Reads a parameter set written by `add_parameter_set` into `out`,
/// checking shapes and finiteness.
template <Scalar T, class... Layers>
void read_parameter_set(const safetensors::Reader& file, const BasicNetwork<T, Layers...>& net,
                        const std::string& prefix,
                        typename BasicNetwork<T, Layers...>::parameters_type& out) {
  constexpr std::size_t n = BasicNetwork<T, Layers...>::parameter_count;
  std::vector<T> values(n);
  for (const TensorSlot& slot : tensor_slots(net, ModelFileOptions{.prefix = prefix})) {
    const std::span<T> part(values.data() + slot.offset, slot.count);
    file.read(slot.name, slot.shape, part);
    for (std::size_t k = 0; k < part.size(); ++k)
      if (!std::isfinite(part[k]))
        file.fail("has a non-finite value (" + std::to_string(part[k]) + ") in tensor '" +
                  slot.name + "' at index " + std::to_string(k));
  }
  out.set(std::span<const T, n>(values.data(), n));
}

inline void add_count(safetensors::Writer& file, std::string name, std::uint64_t value) {
  file.add_scalar(std::move(name), static_cast<std::int64_t>(value));
}

inline std::size_t read_count(const safetensors::Reader& file, std::string_view name) {
  const auto value = file.read_scalar<std::int64_t>(name);
  if (value < 0)
    file.fail("has a negative count in tensor '" + std::string(name) + "' (" +
              std::to_string(value) + ")");
  return static_cast<std::size_t>(value);
}

inline void add_counts(safetensors::Writer& file, std::string name,
                       std::span<const std::uint64_t> values) {
  std::vector<std::int64_t> v(values.begin(), values.end());
  file.add(std::move(name), std::span<const std::int64_t>(v), {v.size()});
}

/// Tensor `name` of `count` non-negative integers.
inline std::vector<std::uint64_t> read_counts(const safetensors::Reader& file,
                                              std::string_view name, std::size_t count,
                                              const std::string& expected) {
  const safetensors::TensorInfo& info = file.info(name);
  if (info.shape.size() != 1 || info.shape[0] != count)
    file.fail("has tensor '" + std::string(name) + "' of shape " +
              safetensors::shape_string(info.shape) + ", expected [" + std::to_string(count) +
              "] (" + expected + ")");
  std::vector<std::int64_t> v(count);
  const std::size_t shape[] = {count};
  file.read(name, shape, std::span<std::int64_t>(v));
  std::vector<std::uint64_t> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (v[i] < 0) file.fail("has a negative value in tensor '" + std::string(name) + "'");
    out[i] = static_cast<std::uint64_t>(v[i]);
  }
  return out;
}

// --- settings ---

inline std::string setting_text(bool b) { return b ? "true" : "false"; }
inline std::string setting_text(std::uint64_t v) { return std::to_string(v); }
inline std::string setting_text(std::string_view s) { return std::string(s); }

inline void write_settings(safetensors::Writer& file, const CheckpointSettings& s,
                           std::string_view optimizer) {
  file.set_metadata(checkpoint_meta("optimizer"), setting_text(optimizer));
  file.set_metadata(checkpoint_meta("batch_size"), setting_text(std::uint64_t{s.batch_size}));
  file.set_metadata(checkpoint_meta("batches_per_step"),
                    setting_text(std::uint64_t{s.batches_per_step}));
  file.set_metadata(checkpoint_meta("threads"), setting_text(std::uint64_t{s.threads}));
  file.set_metadata(checkpoint_meta("seed"), setting_text(s.seed));
  file.set_metadata(checkpoint_meta("shuffle"), setting_text(s.shuffle));
}

/// Refuses a checkpoint whose setting `key` differs from `mine`.
inline void check_setting(const safetensors::Reader& file, std::string_view key,
                          std::string_view what, const std::string& mine) {
  const std::string full = checkpoint_meta(key);
  const auto theirs = file.metadata(full);
  if (!theirs) file.fail("has no " + full + " metadata: a damaged checkpoint");
  if (*theirs != mine)
    file.fail("was written by a run with " + std::string(what) + " " + std::string(*theirs) +
              ", but this trainer's is " + mine +
              ": resume with the settings the checkpoint was written with");
}

inline void check_settings(const safetensors::Reader& file, const CheckpointSettings& s,
                           std::string_view optimizer) {
  check_setting(file, "optimizer", "optimiser", setting_text(optimizer));
  check_setting(file, "batch_size", "batch size", setting_text(std::uint64_t{s.batch_size}));
  check_setting(file, "batches_per_step", "batches_per_step",
                setting_text(std::uint64_t{s.batches_per_step}));
  check_setting(file, "threads", "threads", setting_text(std::uint64_t{s.threads}));
  check_setting(file, "seed", "seed", setting_text(s.seed));
  check_setting(file, "shuffle", "shuffle", setting_text(s.shuffle));
}

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
