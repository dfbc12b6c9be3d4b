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
#include <optional>
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
    "int8 weights, symmetric, a scale per output; uint8 activations, a scale and zero point per "
    "layer; "
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

/// The name prefixes ("0.", "fc1.") of the layers with weights among a
/// float network's tensors, in order: those of quantized layers 0, 1, ...
inline std::vector<std::string> weight_bases(const std::vector<TensorSlot>& slots) {
  std::vector<std::string> bases;
  constexpr std::string_view weight = "weight";
  for (const TensorSlot& slot : slots)
    if (slot.name.ends_with(weight))
      bases.push_back(slot.name.substr(0, slot.name.size() - weight.size()));
  return bases;
}
template <class Net>
std::vector<std::string> quantized_layer_bases(const ModelFileOptions& options) {
  return weight_bases(NetworkFileInfo<Net>::slots(options));
}

/// One quantized layer as its file stores it (the top of this header), its
/// shape known at run time: what files and baked headers
/// (fixnet/io/bake.hpp) are made of.
struct QuantizedLayerTensors {
  std::size_t inputs = 0, outputs = 0;
  std::vector<std::int8_t> weights;  // [outputs][inputs]
  std::vector<float> weight_scales;
  std::vector<std::int32_t> biases;
  Quantization input;
  std::optional<Quantization> output;  // hidden layers
  std::optional<float> table_limit;    // hidden layers with a table

  /// Layer L's tensors.
  template <class L>
  static QuantizedLayerTensors of(const L& layer) {
    QuantizedLayerTensors t{L::inputs, L::outputs,    {},           {},
                            {},        layer.input(), std::nullopt, std::nullopt};
    for (std::size_t o = 0; o < L::outputs; ++o) {
      for (std::size_t i = 0; i < L::inputs; ++i) t.weights.push_back(layer.weight(o, i));
      t.weight_scales.push_back(layer.weight_scale(o));
      t.biases.push_back(layer.bias(o));
    }
    if constexpr (L::hidden) t.output = layer.output();
    if constexpr (L::uses_table) t.table_limit = layer.table_limit();
    return t;
  }

  /// Reads the tensors under `base` of a layer of this shape; `hidden` and
  /// `table` say which of the optional ones it has. Throws ModelFileError.
  static QuantizedLayerTensors read(const safetensors::Reader& file, const std::string& base,
                                    std::size_t inputs, std::size_t outputs, bool hidden,
                                    bool table) {
    QuantizedLayerTensors t{inputs,
                            outputs,
                            std::vector<std::int8_t>(outputs * inputs),
                            std::vector<float>(outputs),
                            std::vector<std::int32_t>(outputs),
                            {},
                            {},
                            {}};
    const std::size_t matrix[] = {outputs, inputs}, row[] = {outputs};
    file.read(base + "weight", matrix, std::span<std::int8_t>(t.weights));
    file.read(base + "weight_scale", row, std::span<float>(t.weight_scales));
    file.read(base + "bias", row, std::span<std::int32_t>(t.biases));
    t.input = {file.read_scalar<float>(base + "input_scale"),
               file.read_scalar<std::int32_t>(base + "input_zero_point")};
    if (hidden)
      t.output = Quantization{file.read_scalar<float>(base + "output_scale"),
                              file.read_scalar<std::int32_t>(base + "output_zero_point")};
    if (table) t.table_limit = file.read_scalar<float>(base + "table_limit");
    return t;
  }

  /// The names of the tensors under `base` of a layer (`hidden`, with a `table`).
  static std::vector<std::string> names(const std::string& base, bool hidden, bool table) {
    std::vector<std::string> n{base + "weight", base + "weight_scale", base + "bias",
                               base + "input_scale", base + "input_zero_point"};
    if (hidden) {
      n.push_back(base + "output_scale");
      n.push_back(base + "output_zero_point");
    }
    if (table) n.push_back(base + "table_limit");
    return n;
  }

  void add(safetensors::Writer& file, const std::string& base) const {
    file.add(base + "weight", std::span<const std::int8_t>(weights), {outputs, inputs});
    file.add(base + "weight_scale", std::span<const float>(weight_scales), {outputs});
    file.add(base + "bias", std::span<const std::int32_t>(biases), {outputs});
    file.add_scalar(base + "input_scale", input.scale);
    file.add_scalar(base + "input_zero_point", input.zero_point);
    if (output) {
      file.add_scalar(base + "output_scale", output->scale);
      file.add_scalar(base + "output_zero_point", output->zero_point);
    }
    if (table_limit) file.add_scalar(base + "table_limit", *table_limit);
  }

  /// Sets layer L (of this shape) from these tensors; throws
  /// std::invalid_argument on an invalid value (QuantizedDense::set).
  template <class L>
  void set(L& layer) const {
    constexpr std::size_t In = L::inputs, Out = L::outputs;
    layer.set(std::span<const std::int8_t, Out * In>(weights.data(), Out * In),
              std::span<const float, Out>(weight_scales.data(), Out),
              std::span<const std::int32_t, Out>(biases.data(), Out), input,
              output.value_or(Quantization{}), table_limit.value_or(0.0f));
  }
};

template <class Net>
void from_safetensors(Quantized<Net>& q, std::span<const std::byte> bytes,
                      const ModelFileOptions& options, std::string source) {
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
    using L = typename Q::template layer_type<decltype(k)::value>;
    for (auto& name : QuantizedLayerTensors::names(bases[k], L::hidden, L::uses_table))
      expected.insert(std::move(name));
  });
  check_no_extra(file, expected, options);
  auto fresh = std::make_unique<Q>();
  for_each_index<Q::layer_count>([&](auto k) {
    using L = typename Q::template layer_type<decltype(k)::value>;
    const auto tensors = QuantizedLayerTensors::read(file, bases[k], L::inputs, L::outputs,
                                                     L::hidden, L::uses_table);
    try {
      tensors.set(fresh->template layer<decltype(k)::value>());
    } catch (const std::invalid_argument& e) {
      file.fail("has an invalid quantized layer '" + bases[k] + "': " + e.what());
    }
  });
  // Every check passed: only now is anything of the caller's changed.
  q = *fresh;
}

}  // namespace detail

/// Adds `q`'s tensors (named per `options`, as its float network's) and
/// metadata to `file`.
template <class Net>
void add_network(safetensors::Writer& file, const Quantized<Net>& q,
                 const ModelFileOptions& options = {}) {
  using Q = Quantized<Net>;
  const std::vector<std::string> bases = detail::quantized_layer_bases<Net>(options);
  detail::for_each_index<Q::layer_count>([&](auto k) {
    detail::QuantizedLayerTensors::of(q.template layer<decltype(k)::value>()).add(file, bases[k]);
  });
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
std::vector<std::byte> to_safetensors(const Quantized<Net>& q,
                                      const ModelFileOptions& options = {}) {
  safetensors::Writer file;
  add_network(file, q, options);
  return file.bytes();
}

/// Sets `q` from the bytes of a quantized model file (see the top of this
/// header). Throws ModelFileError; `q` is then unchanged.
template <class Net>
void from_safetensors(Quantized<Net>& q, std::span<const std::byte> bytes,
                      const ModelFileOptions& options = {}) {
  detail::from_safetensors(q, bytes, options, "<memory>");
}

/// Writes `q` to `path` atomically, as `save` does a float network.
template <class Net>
void save(const Quantized<Net>& q, const std::filesystem::path& path,
          const ModelFileOptions& options = {}) {
  safetensors::write_file_atomically(path, to_safetensors(q, options));
}

/// Sets `q` from the quantized model file at `path`. Throws ModelFileError
/// naming the file; `q` is then unchanged.
template <class Net>
void load(Quantized<Net>& q, const std::filesystem::path& path,
          const ModelFileOptions& options = {}) {
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  detail::from_safetensors(q, bytes, options, path.string());
}

/// Whether the model file `file` holds a quantized network.
inline bool holds_quantized_network(const safetensors::Reader& file) {
  return file.metadata(detail::quantization_key).has_value();
}

}  // namespace fixnet

#endif  // FIXNET_IO_QUANTIZED_MODEL_FILE_HPP
