// fixnet — quantized inference: int8 weights, uint8 activations.
//
//   #include <fixnet/quantized.hpp>
//   auto q = fixnet::quantize(net, calibration_rows);  // a trained float network
//   std::array<float, 10> y = q.forward(x);           // as net.forward(x)
//
// `fixnet::Quantized<Net>` runs the same shapes as `Net` with int8 weights
// (a scale per output neuron, symmetric) and uint8 activations (a scale and
// zero point per layer, calibrated on `calibration_rows`); the sums are exact
// int32 and the last layer's activation is applied in float. Inference only.
#ifndef FIXNET_QUANTIZED_HPP
#define FIXNET_QUANTIZED_HPP

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "fixnet/core/batch.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/shape_checks.hpp"
#include "fixnet/quantized/calibration.hpp"
#include "fixnet/quantized/dense.hpp"
#include "fixnet/core/quantization.hpp"

#endif  // FIXNET_QUANTIZED_HPP

// Outside the include guard: under hwy/foreach_target.h these are
// re-included once per target, and their kernels with them.
#include "fixnet/activations/identity.hpp"
#include "fixnet/network.hpp"
#include "fixnet/passes/quantized-inl.hpp"

#ifndef FIXNET_QUANTIZED_HPP_BODY
#define FIXNET_QUANTIZED_HPP_BODY

namespace fixnet {
namespace detail {

/// The quantized form of layer L of a network: Dense becomes
/// QuantizedDense; layers that are the identity in inference (Dropout) are
/// left out before this is asked.
template <class L, bool Hidden>
struct QuantizedLayerOf {
  // Fix: quantize networks of Dense layers (Dropout is left out, as in
  // inference); other layers have no quantized form.
  static_assert(dependent_false<L>,
                "fixnet: quantize supports Dense layers (and layers that are the identity in "
                "inference, such as Dropout)");
  using type = QuantizedDense<1, 1, Identity, false>;
};
template <std::size_t In, std::size_t Out, class Act, class Bias, bool Hidden>
struct QuantizedLayerOf<Dense<In, Out, Act, Bias>, Hidden> {
  using type = QuantizedDense<In, Out, Act, Hidden>;
};

/// Which layers of Net a quantized network keeps (all but those that are
/// the identity in inference), and their quantized types.
template <class Net>
struct QuantizedLayout {
  static constexpr std::size_t count = [] {
    std::size_t n = 0;
    for_each_index<Net::layer_count>([&](auto i) {
      n += Net::template layer_type<decltype(i)::value>::identity_in_inference ? 0 : 1;
    });
    return n;
  }();
  /// indices[k]: the layer of Net that quantized layer k comes from.
  static constexpr std::array<std::size_t, count> indices = [] {
    std::array<std::size_t, count> kept{};
    std::size_t n = 0;
    for_each_index<Net::layer_count>([&](auto i) {
      if (!Net::template layer_type<decltype(i)::value>::identity_in_inference)
        kept[n++] = decltype(i)::value;
    });
    return kept;
  }();
  template <std::size_t... K>
  static auto make(std::index_sequence<K...>)
      -> boost::hana::tuple<typename QuantizedLayerOf<typename Net::template layer_type<indices[K]>,
                                                      (K + 1 < count)>::type...>;
  using tuple = decltype(make(std::make_index_sequence<count>{}));
};

/// The static target's pass (fixnet/passes/quantized-inl.hpp).
template <class Dependent>
struct StaticQuantizedKernels;

template <class Net>
struct is_float_network : std::false_type {};
template <class... Layers>
struct is_float_network<BasicNetwork<float, Layers...>> : std::true_type {};

}  // namespace detail

/// A float network `Net` quantized for inference (see the top of this
/// header); made by `fixnet::quantize`, saved and loaded by
/// fixnet/io/model_file.hpp. A plain value (its weights are inside: 42 KB
/// for 784-50-10); `forward` allocates nothing and throws nothing.
template <class Net>
class Quantized {
  // Fix: quantize a float network (fixnet::Network / fixnet::Mlp).
  static_assert(detail::is_float_network<Net>::value,
                "fixnet: Quantized<Net> needs a float fixnet::Network");
  using Layout = detail::QuantizedLayout<Net>;

 public:
  using network_type = Net;
  /// Quantized layer K (a `QuantizedDense`).
  template <std::size_t K>
  using layer_type =
      std::remove_cvref_t<decltype(boost::hana::at_c<K>(std::declval<typename Layout::tuple&>()))>;
  static constexpr std::size_t layer_count = Layout::count;
  static constexpr std::size_t inputs = Net::inputs;
  static constexpr std::size_t outputs = Net::outputs;
  using output_activation = typename Net::output_activation;
  /// The widest row of codes a layer reads, in bytes.
  static constexpr std::size_t max_row_bytes = [] {
    std::size_t widest = 0;
    detail::for_each_index<layer_count>(
        [&](auto k) { widest = std::max(widest, layer_type<decltype(k)::value>::row_bytes); });
    return widest;
  }();
  /// Layer K's index among Net's layers.
  template <std::size_t K>
  static constexpr std::size_t network_layer = Layout::indices[K];

  /// All weights zero: filled by `fixnet::quantize` or `fixnet::load`.
  Quantized() noexcept = default;

  template <std::size_t K>
  const layer_type<K>& layer() const noexcept {
    return boost::hana::at_c<K>(layers_);
  }
  template <std::size_t K>
  layer_type<K>& layer() noexcept {
    return boost::hana::at_c<K>(layers_);
  }
  /// How float inputs become codes (what the uint8 `forward` expects).
  const Quantization& input_quantization() const noexcept { return layer<0>().input(); }

  /// One sample: a row of `inputs` floats (std::array or fixed-extent span),
  /// or of `inputs` uint8 input codes (`input_quantization()`: raw pixels
  /// with `QuantizeOptions::input = fixnet::pixels_over_255`). Float inputs
  /// beyond the calibrated range are clamped to its ends; a NaN input gives
  /// unspecified (finite) outputs, not NaN: check inputs first where they
  /// may hold NaN (fixnet::evaluate does).
  template <FixedRow Row>
  std::array<float, outputs> forward(const Row& x) const noexcept {
    using Traits = detail::FixedExtent<std::remove_cvref_t<Row>>;
    using E = typename Traits::element_type;
    static_assert(detail::check_input_extent<inputs, Traits::extent>());
    // Fix: pass std::array<float, inputs>, or std::array<std::uint8_t, inputs> of codes.
    static_assert(
        std::same_as<E, float> || std::same_as<E, std::uint8_t>,
        "fixnet: a quantized network takes a row of float, or of std::uint8_t input codes");
    std::array<float, outputs> y;
    // Guarded so that, once a check has failed, its message is the only error.
    if constexpr ((std::same_as<E, float> || std::same_as<E, std::uint8_t>)&&Traits::extent ==
                  inputs)
      detail::StaticQuantizedKernels<Quantized>::forward(*this, x.data(), y.data());
    return y;
  }

  /// Anything else as one sample: one error saying what is accepted.
  template <class Row>
  requires(!FixedRow<Row>) std::array<float, outputs> forward(const Row& /*x*/)
  const noexcept {
    static_assert(detail::check_input_row_type<float, Row>());
    return {};
  }

  /// A batch: ys[b] = forward(xs[b]) for each of the B rows (xs and ys
  /// `std::array`s or fixed-extent spans of rows; xs's rows of float or of
  /// uint8 input codes), a few samples at a time: each weight the pass loads
  /// serves them all.
  template <FixedBatch Xs, FixedBatch Ys>
  void forward(const Xs& xs, Ys&& ys) const noexcept {
    using In = detail::FixedExtent<batch_row_t<Xs>>;
    using Out = detail::FixedExtent<batch_row_t<Ys>>;
    static_assert(detail::check_batch_size<batch_size_v<Xs>, batch_size_v<Ys>>());
    static_assert(detail::check_batch_width<inputs, In::extent>());
    static_assert(detail::check_output_extent<outputs, Out::extent>());
    // Fix: pass rows of std::uint8_t codes or of float, and rows of float for the outputs.
    static_assert(
        (std::same_as<typename In::element_type, float> ||
         std::same_as<typename In::element_type,
                      std::uint8_t>)&&std::same_as<typename Out::element_type, float>,
        "fixnet: a quantized network's batch takes rows of float or of std::uint8_t codes, and "
        "gives rows of float");
    using Kernels = detail::StaticQuantizedKernels<Quantized>;
    using E = typename In::element_type;
    constexpr std::size_t B = batch_size_v<Xs>, G = Kernels::group, kGrouped = B / G * G;
    for (std::size_t b = 0; b < kGrouped; b += G) {
      const E* in[G];
      float* out[G];
      for (std::size_t s = 0; s < G; ++s) {
        in[s] = xs[b + s].data();
        out[s] = ys[b + s].data();
      }
      Kernels::forward_group(*this, in, out);
    }
    if constexpr (kGrouped < B)
      for (std::size_t b = kGrouped; b < B; ++b)
        Kernels::forward(*this, xs[b].data(), ys[b].data());
  }

  /// The scalar reference of `forward`: the same codes and sums, computed
  /// one at a time (for tests, and to check a build's kernels).
  template <FixedRow Row>
  std::array<float, outputs> reference_forward(const Row& x) const noexcept {
    std::array<std::uint8_t, max_row_bytes> a{}, b{};
    if constexpr (std::same_as<typename detail::FixedExtent<std::remove_cvref_t<Row>>::element_type,
                               float>) {
      for (std::size_t i = 0; i < inputs; ++i) a[i] = input_quantization().code(x[i]);
    } else {
      for (std::size_t i = 0; i < inputs; ++i) a[i] = x[i];
    }
    std::array<float, outputs> z{}, y{};
    detail::for_each_index<layer_count>([&](auto k) {
      constexpr std::size_t K = decltype(k)::value;
      if constexpr (K + 1 < layer_count)
        layer<K>().reference_forward(K % 2 == 0 ? a.data() : b.data(),
                                     K % 2 == 0 ? b.data() : a.data());
      else
        layer<K>().reference_forward(K % 2 == 0 ? a.data() : b.data(), z.data());
    });
    output_activation::reference_forward(std::span<const float, outputs>(z),
                                         std::span<float, outputs>(y));
    return y;
  }

  /// Equal layers: the same weights, scales and codes.
  friend bool operator==(const Quantized& a, const Quantized& b) noexcept {
    bool equal = true;
    detail::for_each_index<layer_count>([&](auto k) {
      equal =
          equal && a.template layer<decltype(k)::value>() == b.template layer<decltype(k)::value>();
    });
    return equal;
  }

 private:
  typename Layout::tuple layers_;
};

namespace detail {

/// What calibration records for quantized layer k: the values it reads
/// and, if it has a table, its pre-activations.
struct LayerRanges {
  RangeObserver inputs;
  RangeObserver pre_activations;
};

/// Calibration's batches.
inline constexpr std::size_t calibration_batch = 32;

/// The pre-activations of quantized layer K of Net on a batch of its inputs,
/// for a layer with a table: the layer alone, with Identity activation, run
/// by its batch forward pass (made once per calibration pass, then reused).
/// Nothing for other layers.
template <class Net, std::size_t K,
          bool kTable = Quantized<Net>::template layer_type<K>::uses_table>
struct PreActivations {
  explicit PreActivations(const Net&) noexcept {}
  template <class Visit>
  void observe(std::span<const float>, std::size_t, RangeObserver&, Visit&) noexcept {}
};
template <class Net, std::size_t K>
struct PreActivations<Net, K, true> {
  static constexpr std::size_t index = Quantized<Net>::template network_layer<K>;
  using Layer = typename Net::template layer_type<index>;
  using Single = Network<Dense<Layer::inputs, Layer::outputs, Identity,
                               std::conditional_t<Layer::has_bias, WithBias, NoBias>>>;
  Single single;
  Workspace<Single, calibration_batch> ws;
  std::array<std::array<float, Layer::inputs>, calibration_batch> in;
  std::array<std::array<float, Layer::outputs>, calibration_batch> z;

  explicit PreActivations(const Net& net) noexcept {
    single.template layer_parameters<0>().assign(net.template layer_parameters<index>());
  }
  /// The pre-activations of the n rows of inputs in `values`, to `visit`.
  template <class Visit>
  void observe(std::span<const float> values, std::size_t n, RangeObserver& o, Visit& visit) {
    for (std::size_t b = 0; b < calibration_batch; ++b)
      for (std::size_t i = 0; i < Layer::inputs; ++i)
        in[b][i] = b < n ? values[b * Layer::inputs + i] : 0.0f;
    single.forward(in, z, ws);
    for (std::size_t b = 0; b < n; ++b) visit(o, std::span<const float>(z[b]));
  }
};

/// Runs the calibration rows through net in batches and hands each
/// quantized layer's inputs (and pre-activations, for table layers) to
/// `visit(observer, values)`.
template <class Net, class Visit>
void calibrate(const Net& net, std::span<const std::array<float, Net::inputs>> rows,
               std::vector<LayerRanges>& ranges, Visit&& visit) {
  using Q = Quantized<Net>;
  constexpr std::size_t kBatch = calibration_batch;
  auto ws = std::make_unique<Workspace<Net, kBatch>>();
  auto xs = std::make_unique<std::array<std::array<float, Net::inputs>, kBatch>>();
  auto ys = std::make_unique<std::array<std::array<float, Net::outputs>, kBatch>>();
  auto pre_activations = [&]<std::size_t... K>(std::index_sequence<K...>) {
    return std::make_tuple(std::make_unique<PreActivations<Net, K>>(net)...);
  }
  (std::make_index_sequence<Q::layer_count>{});
  std::vector<float> values;
  for (std::size_t start = 0; start < rows.size(); start += kBatch) {
    const std::size_t n = std::min(kBatch, rows.size() - start);
    for (std::size_t b = 0; b < kBatch; ++b)
      (*xs)[b] = b < n ? rows[start + b] : std::array<float, Net::inputs>{};
    net.forward(*xs, *ys, *ws);
    for_each_index<Q::layer_count>([&](auto k) {
      constexpr std::size_t K = decltype(k)::value;
      using L = typename Q::template layer_type<K>;
      // Layer K reads the inputs or the output of the layer before it.
      values.resize(n * L::inputs);
      for (std::size_t b = 0; b < n; ++b)
        for (std::size_t i = 0; i < L::inputs; ++i) {
          if constexpr (K == 0) {
            values[b * L::inputs + i] = (*xs)[b][i];
          } else {
            const auto& out = ws->template output<Q::template network_layer<K - 1>>();
            if constexpr (std::remove_cvref_t<decltype(*ws)>::lanes)
              values[b * L::inputs + i] = out.feature(i)[b];
            else
              values[b * L::inputs + i] = out.row(b)[i];
          }
        }
      visit(ranges[K].inputs, std::span<const float>(values));
      std::get<K>(pre_activations)->observe(values, n, ranges[K].pre_activations, visit);
    });
  }
}

}  // namespace detail

/// Quantizes a trained float network for inference: weights to int8 (a
/// scale per output neuron), and each layer's inputs to uint8 codes over the
/// range they take on `calibration` (a few hundred to a few thousand rows
/// like the ones it will see; more rows, wider min/max ranges). Throws
/// std::invalid_argument on no rows, a non-finite value, or bad options.
template <class Net>
Quantized<Net> quantize(const Net& net, std::span<const std::array<float, Net::inputs>> calibration,
                        const QuantizeOptions& options = {}) {
  using Q = Quantized<Net>;
  detail::check_quantize_options(options);
  if (calibration.empty()) throw std::invalid_argument("fixnet::quantize: no calibration rows");
  std::vector<detail::LayerRanges> ranges(Q::layer_count);
  detail::calibrate(net, calibration, ranges,
                    [](detail::RangeObserver& o, std::span<const float> v) { o.observe(v); });
  if (options.ranges == RangeMethod::percentile)
    detail::calibrate(net, calibration, ranges,
                      [](detail::RangeObserver& o, std::span<const float> v) {
                        o.add_to_histogram(v);
                      });
  const auto quantization_of = [&](const detail::RangeObserver& o) {
    const auto [lo, hi] = o.range(options.ranges, options.percentile);
    return detail::quantization_of_range(lo, hi);
  };

  Q q;
  detail::for_each_index<Q::layer_count>([&](auto k) {
    constexpr std::size_t K = decltype(k)::value;
    using L = typename Q::template layer_type<K>;
    const Quantization input =
        K == 0 && options.input ? *options.input : quantization_of(ranges[K].inputs);
    Quantization output;
    if constexpr (K + 1 < Q::layer_count) output = quantization_of(ranges[K + 1].inputs);
    float limit = 0;
    if constexpr (L::uses_table) {
      const auto [lo, hi] = ranges[K].pre_activations.range(options.ranges, options.percentile);
      limit = static_cast<float>(std::max(std::abs(lo), std::abs(hi)));
      if (!(limit > 0.0f)) limit = 1.0f;
    }
    try {
      q.template layer<K>() = L::from_float(
          net.template layer_parameters<Q::template network_layer<K>>(), input, output, limit);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("fixnet::quantize: layer " +
                                  std::to_string(Q::template network_layer<K>) + ": " + e.what());
    }
  });
  return q;
}

/// The same, calibrated on a data set's rows (`fixnet::data::Dataset` or
/// anything whose `rows()` is a span of input rows).
template <class Net, class Data>
requires requires(const Data& d) { std::span<const std::array<float, Net::inputs>>(d.rows()); }
Quantized<Net> quantize(const Net& net, const Data& calibration,
                        const QuantizeOptions& options = {}) {
  return quantize(net, std::span<const std::array<float, Net::inputs>>(calibration.rows()),
                  options);
}

}  // namespace fixnet

#endif  // FIXNET_QUANTIZED_HPP_BODY
