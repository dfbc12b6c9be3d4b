// fixnet — model files of quantized networks (fixnet::Quantized<Net>,
// fixnet/quantized.hpp): the same safetensors files and calls as float
// networks (fixnet/io/model_file.hpp), with integer tensors.
//
//   fixnet::save(q, "mnist-int8.safetensors");
//   fixnet::Quantized<Net> r;
//   fixnet::load(r, "mnist-int8.safetensors");   // r == q
//
// Each Dense layer, under its float name B ("0.", "2.", or per
// ModelFileOptions), holds
//   B.weight            I8  [Out, In]   W, |W| <= 127
//   B.weight_scale      F32 [Out]       w ~ weight_scale[o] * W[o][i]
//   B.bias              I32 [Out]       b ~ weight_scale[o] * input_scale * bias[o]
//   B.input_scale       F32 []          x ~ input_scale * (code - input_zero_point)
//   B.input_zero_point  I32 []
//   B.output_scale      F32 []          (hidden layers) the codes of its outputs
//   B.output_zero_point I32 []
//   B.table_limit       F32 []          (hidden layers with a table) its range
// and the metadata record the float network (as float files do) and the
// scheme under "fixnet.quantization". Loading checks the scheme, the
// network, every name, dtype and shape and each layer's values (scales
// finite and positive, zero points in 0..255, weights within +-127), throws
// fixnet::ModelFileError and leaves the network unchanged when one fails.
#ifndef FIXNET_IO_QUANTIZED_MODEL_FILE_HPP
#define FIXNET_IO_QUANTIZED_MODEL_FILE_HPP

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fixnet/io/model_file.hpp"
#include "fixnet/io/safetensors.hpp"
#include "fixnet/quantized.hpp"

namespace fixnet {

/// What the metadata entry "fixnet.quantization" of a quantized model file
/// holds: the scheme its tensors follow.
inline constexpr std::string_view quantization_scheme =
    "int8 weights, symmetric, a scale per output; uint8 activations, a scale and zero point per layer; "
    "int32 biases";

namespace detail {

/// What model files need of a network type, without an instance.
template <class Net>
struct NetworkFileInfo;
template <Scalar T, class... Layers>
struct NetworkFileInfo<BasicNetwork<T, Layers...>> {
  static std::vector<TensorSlot> slots(const ModelFileOptions& options) {
    static constexpr LayerShape layers[] = {layer_shape<Layers>()...};
    return tensor_slots(layers, options);
  }
  static std::vector<std::string> descriptions() { return {describe_layer<Layers>()...}; }
};

/// The name prefixes ("0.", "fc1.") of Net's layers with weights, in order:
/// those of quantized layers 0, 1, ...
template <class Net>
std::vector<std::string> quantized_layer_bases(const ModelFileOptions& options) {
  std::vector<std::string> bases;
  constexpr std::string_view weight = "weight";
  for (const TensorSlot& slot : NetworkFileInfo<Net>::slots(options))
    if (slot.name.ends_with(weight)) bases.push_back(slot.name.substr(0, slot.name.size() - weight.size()));
  return bases;
}

/// The tensor names layer L of a quantized network stores under `base`.
template <class L>
std::vector<std::string> quantized_tensor_names(const std::string& base) {
  std::vector<std::string> names{base + "weight", base + "weight_scale", base + "bias", base + "input_scale",
                                 base + "input_zero_point"};
  if constexpr (L::hidden) {
    names.push_back(base + "output_scale");
    names.push_back(base + "output_zero_point");
  }
  if constexpr (L::uses_table) names.push_back(base + "table_limit");
  return names;
}

template <class L>
void add_quantized_layer(safetensors::Writer& file, const L& layer, const std::string& base) {
  constexpr std::size_t In = L::inputs, Out = L::outputs;
  std::vector<std::int8_t> w(Out * In);
  std::vector<float> scales(Out);
  std::vector<std::int32_t> biases(Out);
  for (std::size_t o = 0; o < Out; ++o) {
    for (std::size_t i = 0; i < In; ++i) w[o * In + i] = layer.weight(o, i);
    scales[o] = layer.weight_scale(o);
    biases[o] = layer.bias(o);
  }
  file.add(base + "weight", std::span<const std::int8_t>(w), {Out, In});
  file.add(base + "weight_scale", std::span<const float>(scales), {Out});
  file.add(base + "bias", std::span<const std::int32_t>(biases), {Out});
  file.add_scalar(base + "input_scale", layer.input().scale);
  file.add_scalar(base + "input_zero_point", layer.input().zero_point);
  if constexpr (L::hidden) {
    file.add_scalar(base + "output_scale", layer.output().scale);
    file.add_scalar(base + "output_zero_point", layer.output().zero_point);
  }
  if constexpr (L::uses_table) file.add_scalar(base + "table_limit", layer.table_limit());
}

template <class L>
void read_quantized_layer(const safetensors::Reader& file, L& layer, const std::string& base) {
  constexpr std::size_t In = L::inputs, Out = L::outputs;
  std::vector<std::int8_t> w(Out * In);
  std::vector<float> scales(Out);
  std::vector<std::int32_t> biases(Out);
  const std::size_t matrix[] = {Out, In}, row[] = {Out};
  file.read(base + "weight", matrix, std::span<std::int8_t>(w));
  file.read(base + "weight_scale", row, std::span<float>(scales));
  file.read(base + "bias", row, std::span<std::int32_t>(biases));
  const Quantization input{file.read_scalar<float>(base + "input_scale"),
                           file.read_scalar<std::int32_t>(base + "input_zero_point")};
  Quantization output;
  if constexpr (L::hidden)
    output = {file.read_scalar<float>(base + "output_scale"), file.read_scalar<std::int32_t>(base + "output_zero_point")};
  float limit = 0;
  if constexpr (L::uses_table) limit = file.read_scalar<float>(base + "table_limit");
  try {
    layer.set(std::span<const std::int8_t, Out * In>(w.data(), Out * In), std::span<const float, Out>(scales.data(), Out),
              std::span<const std::int32_t, Out>(biases.data(), Out), input, output, limit);
  } catch (const std::invalid_argument& e) {
    file.fail("has an invalid quantized layer '" + base + "': " + e.what());
  }
}

template <class Net>
void from_safetensors(Quantized<Net>& q, std::span<const std::byte> bytes, const ModelFileOptions& options,
                      std::string source) {
  using Q = Quantized<Net>;
  const safetensors::Reader file(bytes, std::move(source));
  const auto scheme = file.metadata(quantization_key);
  if (!scheme)
    file.fail("holds no quantized network (no metadata '" + std::string(quantization_key) +
              "'): load it into a float network and quantize that (fixnet::quantize)");
  if (*scheme != quantization_scheme)
    file.fail("holds a network quantized by another scheme ('" + std::string(*scheme) + "')");
  check_layers(file, NetworkFileInfo<Net>::descriptions());
  const std::vector<std::string> bases = quantized_layer_bases<Net>(options);
  std::set<std::string> expected;
  for_each_index<Q::layer_count>([&](auto k) {
    for (auto& name : quantized_tensor_names<typename Q::template layer_type<decltype(k)::value>>(bases[k]))
      expected.insert(std::move(name));
  });
  check_no_extra(file, expected, options);
  auto fresh = std::make_unique<Q>();
  for_each_index<Q::layer_count>([&](auto k) {
    read_quantized_layer(file, fresh->template layer<decltype(k)::value>(), bases[k]);
  });
  // Every check passed: only now is anything of the caller's changed.
  q = *fresh;
}

}  // namespace detail

/// Adds `q`'s tensors (named per `options`, as its float network's) and
/// metadata to `file`.
template <class Net>
void add_network(safetensors::Writer& file, const Quantized<Net>& q, const ModelFileOptions& options = {}) {
  using Q = Quantized<Net>;
  const std::vector<std::string> bases = detail::quantized_layer_bases<Net>(options);
  detail::for_each_index<Q::layer_count>(
      [&](auto k) { detail::add_quantized_layer(file, q.template layer<decltype(k)::value>(), bases[k]); });
  file.set_metadata("format", "pt");
  file.set_metadata("fixnet.version", std::string(version));
  file.set_metadata(std::string(detail::network_key), describe_network<Net>());
  file.set_metadata(std::string(detail::layers_key),
                    detail::join(detail::NetworkFileInfo<Net>::descriptions(), "; "));
  file.set_metadata(std::string(detail::type_key), network_type_name<Net>());
  file.set_metadata(std::string(detail::scalar_key), "float");
  file.set_metadata(std::string(detail::quantization_key), std::string(quantization_scheme));
  for (const auto& [key, value] : options.metadata) file.set_metadata(key, value);
}

/// `q` as the bytes of a safetensors file.
template <class Net>
std::vector<std::byte> to_safetensors(const Quantized<Net>& q, const ModelFileOptions& options = {}) {
  safetensors::Writer file;
  add_network(file, q, options);
  return file.bytes();
}

/// Sets `q` from the bytes of a quantized model file (see the top of this
/// header). Throws ModelFileError; `q` is then unchanged.
template <class Net>
void from_safetensors(Quantized<Net>& q, std::span<const std::byte> bytes, const ModelFileOptions& options = {}) {
  detail::from_safetensors(q, bytes, options, "<memory>");
}

/// Writes `q` to `path` atomically, as `save` does a float network.
template <class Net>
void save(const Quantized<Net>& q, const std::filesystem::path& path, const ModelFileOptions& options = {}) {
  safetensors::write_file_atomically(path, to_safetensors(q, options));
}

/// Sets `q` from the quantized model file at `path`. Throws ModelFileError
/// naming the file; `q` is then unchanged.
template <class Net>
void load(Quantized<Net>& q, const std::filesystem::path& path, const ModelFileOptions& options = {}) {
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  detail::from_safetensors(q, bytes, options, path.string());
}

/// Whether the model file `file` holds a quantized network.
inline bool holds_quantized_network(const safetensors::Reader& file) {
  return file.metadata(detail::quantization_key).has_value();
}

}  // namespace fixnet

#endif  // FIXNET_IO_QUANTIZED_MODEL_FILE_HPP
