// fixnet — model files: a network's parameters (and, optionally, the
// standardisation of its inputs) as a safetensors file whose tensor names are
// those of the equivalent PyTorch `nn.Sequential`, so that PyTorch writes
// files fixnet loads and loads files fixnet writes.
//
//   fixnet::save(net, "mnist.safetensors");      // atomic: old file or new, never half
//   Net other;
//   fixnet::load(other, "mnist.safetensors");    // checked against Net's type
//
// Tensor names: each `Dense` is an `nn.Linear` followed by its activation
// module, each `Dropout` a module, numbered from 0 as `nn.Sequential` numbers
// them; the last layer's activation and `Identity` add no module (a softmax
// output is usually folded into the loss). So 2-4-3 sigmoid/softmax is
// `0.weight` [4, 2], `0.bias` [4], `2.weight` [3, 4], `2.bias` [3], the
// state_dict of
//   nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 3))
// `ModelFileOptions` changes the names (a prefix, or one name per layer).
//
// Loading checks every tensor's name, dtype and shape against the type, and
// the activations against the metadata fixnet writes (a file from PyTorch has
// none, so only shapes are checked). A refused load throws
// `fixnet::ModelFileError` and leaves the network as it was.
#ifndef FIXNET_IO_MODEL_FILE_HPP
#define FIXNET_IO_MODEL_FILE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fixnet/activations/identity.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/io/describe.hpp"
#include "fixnet/io/safetensors.hpp"
#include "fixnet/network.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/data/standardization.hpp"
#include "fixnet/core/version.hpp"

namespace fixnet {

/// How a model file names its tensors, and what loading tolerates.
struct ModelFileOptions {
  /// Put before every tensor name: "model." for a PyTorch module that holds
  /// its `nn.Sequential` as `self.model`.
  std::string prefix{};
  /// One name per layer with parameters (each `Dense`), replacing the
  /// `nn.Sequential` index: {"fc1", "fc2"} gives "fc1.weight", "fc1.bias",
  /// "fc2.weight", ... Empty: `nn.Sequential` numbering.
  std::vector<std::string> names{};
  /// Loading: tensors the network has no place for are ignored instead of
  /// refused.
  bool ignore_extra = false;
  /// Saving: metadata entries added to fixnet's own (strings, as the format
  /// requires).
  std::map<std::string, std::string> metadata{};
};

/// Tensor names of a network's standardisation, when saved with it.
inline constexpr std::string_view standardization_mean_name = "standardization.mean";
inline constexpr std::string_view standardization_stddev_name = "standardization.stddev";

namespace detail {

/// One tensor of a network: its name, shape, and place in the canonical
/// parameter order.
struct TensorSlot {
  std::string name;
  std::vector<std::size_t> shape;
  std::size_t offset;
  std::size_t count;
};

/// The tensors of a network of `layers` under `options`, in canonical order
/// (see the top of this header for the naming rule). Throws
/// std::invalid_argument if `options.names` does not hold one name per layer
/// with weights.
inline std::vector<TensorSlot> tensor_slots(std::span<const LayerShape> layers, const ModelFileOptions& options) {
  std::size_t with_weights = 0;
  for (const LayerShape& l : layers) with_weights += l.has_weights ? 1 : 0;
  if (!options.names.empty() && options.names.size() != with_weights)
    throw std::invalid_argument("fixnet: ModelFileOptions::names holds " + std::to_string(options.names.size()) +
                                " names; the network has " + std::to_string(with_weights) +
                                " layers with parameters");
  std::vector<TensorSlot> slots;
  std::size_t module = 0, named = 0, offset = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerShape& l = layers[i];
    if (!l.has_weights) {
      ++module;  // nn.Dropout
      continue;
    }
    const std::string base =
        options.prefix + (options.names.empty() ? std::to_string(module) : options.names[named]) + ".";
    slots.push_back({base + "weight", {l.outputs, l.inputs}, offset, l.outputs * l.inputs});
    offset += l.outputs * l.inputs;
    if (l.has_bias) {
      slots.push_back({base + "bias", {l.outputs}, offset, l.outputs});
      offset += l.outputs;
    }
    ++named;
    // nn.Linear, then its activation's module unless last or the identity.
    module += (i + 1 == layers.size() || l.identity) ? 1 : 2;
  }
  return slots;
}

template <Scalar T, class... Layers>
std::vector<TensorSlot> tensor_slots(const BasicNetwork<T, Layers...>&, const ModelFileOptions& options) {
  static constexpr LayerShape layers[] = {layer_shape<Layers>()...};
  return tensor_slots(layers, options);
}

/// "Dense<2, 4, Sigmoid>; Dense<4, 3, Softmax>": what the metadata records
/// and loading compares, layer by layer.
template <Scalar T, class... Layers>
std::vector<std::string> layer_descriptions(const BasicNetwork<T, Layers...>&) {
  return {describe_layer<Layers>()...};
}

inline std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string s;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) s += separator;
    s += parts[i];
  }
  return s;
}

inline std::vector<std::string> split(std::string_view s, std::string_view separator) {
  std::vector<std::string> parts;
  while (true) {
    const std::size_t at = s.find(separator);
    parts.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + separator.size());
  }
}

inline constexpr std::string_view layers_key = "fixnet.layers";
inline constexpr std::string_view type_key = "fixnet.type";
inline constexpr std::string_view network_key = "fixnet.network";
inline constexpr std::string_view scalar_key = "fixnet.scalar";
/// Present in files of quantized networks (fixnet/io/quantized_model_file.hpp).
inline constexpr std::string_view quantization_key = "fixnet.quantization";

/// Refuses a file whose recorded layers differ from the network's.
inline void check_layers(const safetensors::Reader& file, const std::vector<std::string>& mine) {
  const auto recorded = file.metadata(layers_key);
  if (!recorded) return;  // not written by fixnet: shapes only
  const std::vector<std::string> theirs = split(*recorded, "; ");
  for (std::size_t i = 0; i < std::min(mine.size(), theirs.size()); ++i)
    if (mine[i] != theirs[i])
      file.fail("holds a different network: layer " + std::to_string(i) + " is " + theirs[i] +
                " in the file, " + mine[i] + " in the network");
  if (mine.size() != theirs.size())
    file.fail("holds a network of " + std::to_string(theirs.size()) + " layers (" + join(theirs, "; ") +
              "), the network has " + std::to_string(mine.size()));
}

}  // namespace detail

/// Adds `net`'s tensors (named per `options`) and metadata describing its
/// type to `file`: the building block of model files and checkpoints.
template <Scalar T, class... Layers>
void add_network(safetensors::Writer& file, const BasicNetwork<T, Layers...>& net,
                 const ModelFileOptions& options = {}) {
  using Net = BasicNetwork<T, Layers...>;
  std::vector<T> values(Net::parameter_count);
  net.get_parameters(std::span<T, Net::parameter_count>(values.data(), values.size()));
  file.reserve(values.size() * sizeof(T));
  for (const detail::TensorSlot& slot : detail::tensor_slots(net, options))
    file.add(slot.name, std::span<const T>(values.data() + slot.offset, slot.count), slot.shape);
  file.set_metadata("format", "pt");
  file.set_metadata("fixnet.version", std::string(version));
  file.set_metadata(std::string(detail::network_key), describe_network<Net>());
  file.set_metadata(std::string(detail::layers_key), detail::join(detail::layer_descriptions(net), "; "));
  file.set_metadata(std::string(detail::type_key), network_type_name<Net>());
  file.set_metadata(std::string(detail::scalar_key), std::is_same_v<T, float> ? "float" : "double");
  for (const auto& [key, value] : options.metadata) file.set_metadata(key, value);
}

/// Reads the parameters of a network of `net`'s type from `file`, in
/// canonical order, checking names, shapes, dtypes, layers and finiteness.
/// `net` is not changed (its type alone is used). Tensors the network has
/// no use for are not looked at.
template <Scalar T, class... Layers>
std::vector<T> read_network(const safetensors::Reader& file, const BasicNetwork<T, Layers...>& net,
                            const ModelFileOptions& options = {}) {
  using Net = BasicNetwork<T, Layers...>;
  std::vector<T> values(Net::parameter_count);
  const std::vector<detail::TensorSlot> slots = detail::tensor_slots(net, options);
  std::vector<std::string> missing;
  for (const detail::TensorSlot& slot : slots)
    if (!file.contains(slot.name)) missing.push_back(slot.name);
  if (!missing.empty()) {
    std::vector<std::string> present;
    for (const auto& [name, info] : file.tensors()) present.push_back(name);
    file.fail("has no tensor " + detail::join(missing, ", ") + " (it holds " +
              (present.empty() ? std::string("no tensors") : detail::join(present, ", ")) + "); expected " +
              describe_network<Net>() + " with tensors named as nn.Sequential names them" +
              (options.prefix.empty() && options.names.empty()
                   ? std::string(" (other names: ModelFileOptions::prefix or ::names)")
                   : std::string()));
  }
  for (const detail::TensorSlot& slot : slots) {
    const std::span<T> out(values.data() + slot.offset, slot.count);
    file.read(slot.name, slot.shape, out);
    for (std::size_t k = 0; k < out.size(); ++k)
      if (!std::isfinite(out[k]))
        file.fail("has a non-finite value (" + std::to_string(out[k]) + ") in tensor '" + slot.name +
                  "' at index " + std::to_string(k));
  }
  detail::check_layers(file, detail::layer_descriptions(net));
  return values;
}

namespace detail {

template <Scalar T, std::size_t Width>
void add_standardization(safetensors::Writer& file, const Standardization<T, Width>& s) {
  file.add(std::string(standardization_mean_name), std::span<const T>(s.mean), {Width});
  file.add(std::string(standardization_stddev_name), std::span<const T>(s.stddev), {Width});
}

template <Scalar T, std::size_t Width>
Standardization<T, Width> read_standardization(const safetensors::Reader& file) {
  if (!file.contains(standardization_mean_name))
    file.fail("holds no standardization (tensors " + std::string(standardization_mean_name) + " and " +
              std::string(standardization_stddev_name) + "); load it without one");
  Standardization<T, Width> s;
  const std::size_t shape[] = {Width};
  file.read(standardization_mean_name, shape, std::span<T>(s.mean));
  file.read(standardization_stddev_name, shape, std::span<T>(s.stddev));
  for (std::size_t i = 0; i < Width; ++i) {
    if (!std::isfinite(s.mean[i]))
      file.fail("has a non-finite standardization mean at feature " + std::to_string(i));
    if (!(std::isfinite(s.stddev[i]) && s.stddev[i] > 0))
      file.fail("has a standardization stddev of " + std::to_string(s.stddev[i]) + " at feature " +
                std::to_string(i) + "; expected a positive finite value");
  }
  return s;
}

/// Refuses tensors outside `expected` (unless options.ignore_extra).
inline void check_no_extra(const safetensors::Reader& file, const std::set<std::string>& expected,
                           const ModelFileOptions& options) {
  if (options.ignore_extra) return;
  std::vector<std::string> extra;
  for (const auto& [name, info] : file.tensors())
    if (!expected.contains(name)) extra.push_back(name);
  if (extra.empty()) return;
  const bool standardization = std::find(extra.begin(), extra.end(), standardization_mean_name) != extra.end();
  file.fail("has tensors the network has no place for: " + detail::join(extra, ", ") +
            (standardization ? " (the file holds a standardization: load it with load(net, standardization, "
                               "...))"
                             : " (ModelFileOptions::ignore_extra ignores them)"));
}

template <Scalar T, class... Layers>
void from_safetensors(BasicNetwork<T, Layers...>& net,
                      std::type_identity_t<Standardization<T, BasicNetwork<T, Layers...>::inputs>>* s,
                      std::span<const std::byte> bytes, const ModelFileOptions& options, std::string source) {
  using Net = BasicNetwork<T, Layers...>;
  const safetensors::Reader file(bytes, std::move(source));
  if (file.metadata(quantization_key))
    file.fail(
        "holds a quantized network: load it into a fixnet::Quantized<Net> "
        "(fixnet/io/quantized_model_file.hpp)");
  std::set<std::string> expected;
  for (const TensorSlot& slot : tensor_slots(net, options)) expected.insert(slot.name);
  if (s) {
    expected.insert(std::string(standardization_mean_name));
    expected.insert(std::string(standardization_stddev_name));
  }
  check_no_extra(file, expected, options);
  const std::vector<T> values = read_network(file, net, options);
  Standardization<T, Net::inputs> standardization{};
  if (s) standardization = read_standardization<T, Net::inputs>(file);
  // Every check passed: only now is anything of the caller's changed.
  net.set_parameters(std::span<const T, Net::parameter_count>(values.data(), values.size()));
  if (s) *s = standardization;
}

}  // namespace detail

/// `net` as the bytes of a safetensors file.
template <Scalar T, class... Layers>
std::vector<std::byte> to_safetensors(const BasicNetwork<T, Layers...>& net, const ModelFileOptions& options = {}) {
  safetensors::Writer file;
  add_network(file, net, options);
  return file.bytes();
}

/// `net` and the standardisation of its inputs, in one file.
template <Scalar T, class... Layers>
std::vector<std::byte> to_safetensors(const BasicNetwork<T, Layers...>& net,
                                      const Standardization<T, BasicNetwork<T, Layers...>::inputs>& standardization,
                                      const ModelFileOptions& options = {}) {
  safetensors::Writer file;
  add_network(file, net, options);
  detail::add_standardization(file, standardization);
  return file.bytes();
}

/// Sets `net`'s parameters from the bytes of a safetensors file (see the
/// top of this header for the checks). Throws ModelFileError; `net` is then
/// unchanged.
template <Scalar T, class... Layers>
void from_safetensors(BasicNetwork<T, Layers...>& net, std::span<const std::byte> bytes,
                      const ModelFileOptions& options = {}) {
  detail::from_safetensors(net, nullptr, bytes, options, "<memory>");
}

/// The same, with the standardisation saved beside the network.
template <Scalar T, class... Layers>
void from_safetensors(BasicNetwork<T, Layers...>& net,
                      Standardization<T, BasicNetwork<T, Layers...>::inputs>& standardization,
                      std::span<const std::byte> bytes, const ModelFileOptions& options = {}) {
  detail::from_safetensors(net, &standardization, bytes, options, "<memory>");
}

/// Writes `net` to `path` atomically (a temporary file beside it, synced,
/// then renamed over it): a crash leaves the previous file whole. Throws
/// ModelFileError naming the path and the system's reason.
template <Scalar T, class... Layers>
void save(const BasicNetwork<T, Layers...>& net, const std::filesystem::path& path,
          const ModelFileOptions& options = {}) {
  safetensors::write_file_atomically(path, to_safetensors(net, options));
}

/// `net` and the standardisation of its inputs, in one file.
template <Scalar T, class... Layers>
void save(const BasicNetwork<T, Layers...>& net,
          const Standardization<T, BasicNetwork<T, Layers...>::inputs>& standardization,
          const std::filesystem::path& path, const ModelFileOptions& options = {}) {
  safetensors::write_file_atomically(path, to_safetensors(net, standardization, options));
}

/// Sets `net`'s parameters from the model file at `path`. Throws
/// ModelFileError naming the file; `net` is then unchanged.
template <Scalar T, class... Layers>
void load(BasicNetwork<T, Layers...>& net, const std::filesystem::path& path, const ModelFileOptions& options = {}) {
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  detail::from_safetensors(net, nullptr, bytes, options, path.string());
}

/// The same, with the standardisation saved beside the network.
template <Scalar T, class... Layers>
void load(BasicNetwork<T, Layers...>& net, Standardization<T, BasicNetwork<T, Layers...>::inputs>& standardization,
          const std::filesystem::path& path, const ModelFileOptions& options = {}) {
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  detail::from_safetensors(net, &standardization, bytes, options, path.string());
}

}  // namespace fixnet

#endif  // FIXNET_IO_MODEL_FILE_HPP
