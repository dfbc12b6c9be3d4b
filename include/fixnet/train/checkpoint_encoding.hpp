// fixnet — how a checkpoint (fixnet/train/checkpoint.hpp) encodes its parts
// in a safetensors file: the settings a resumed run must share as metadata,
// the history as JSON, parameter sets and counts as tensors.
#ifndef FIXNET_CHECKPOINT_ENCODING_HPP
#define FIXNET_CHECKPOINT_ENCODING_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixnet/core/config.hpp"
#include "fixnet/io/model_file.hpp"
#include "fixnet/io/safetensors.hpp"
#include "fixnet/network.hpp"
#include "fixnet/train/history.hpp"

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
  set.get_parameters(std::span<T, n>(values.data(), n));
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
  out.set_parameters(std::span<const T, n>(values.data(), n));
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

}  // namespace detail
}  // namespace fixnet

#endif  // FIXNET_CHECKPOINT_ENCODING_HPP
