// fixnet — one Dense layer of a quantized network: int8 weights with a
// scale per output (symmetric), int32 biases, uint8 codes in and out, and
// the scalar reference of its integer arithmetic. Its vector kernels:
// fixnet/kernels/int8_dot-inl.hpp (the sums) and
// fixnet/kernels/requantize-inl.hpp (the epilogue); the walk over the
// layers: fixnet/passes/quantized-inl.hpp.
#ifndef FIXNET_QUANTIZED_DENSE_HPP
#define FIXNET_QUANTIZED_DENSE_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "fixnet/activations/identity.hpp"
#include "fixnet/activations/leaky_relu.hpp"
#include "fixnet/activations/relu.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/core/quantization.hpp"

namespace fixnet {
namespace detail {

/// Activations with f(c z) = c f(z) for c > 0: a hidden layer's output
/// codes are then computed directly from its sums (one multiplier per
/// output folds both scales); any other elementwise activation goes through
/// a table.
template <class Act>
inline constexpr bool positively_homogeneous = false;
template <>
inline constexpr bool positively_homogeneous<Identity> = true;
template <>
inline constexpr bool positively_homogeneous<Relu> = true;
template <class Slope>
inline constexpr bool positively_homogeneous<BasicLeakyRelu<Slope>> = true;

/// Quantized biases are kept within +-2^30, so that a bias plus a sum of at
/// most 32 768 products stays within int32.
inline constexpr std::int64_t max_quantized_bias = std::int64_t{1} << 30;

}  // namespace detail

/// What `fixnet::quantize` makes of `Dense<In, Out, Act>`: weights int8
/// (W[o][i] = round(w / s_o), |W| <= 127, one scale s_o per output: the
/// largest |w| of the row / 127), biases int32 in units of s_o times the
/// input scale (TensorFlow Lite's scheme), and the codes of its inputs and,
/// for a hidden layer, of its outputs. The last layer gives float
/// pre-activations, to which its activation (softmax, ...) is applied in
/// float.
///
/// A hidden layer's output code is computed in one rounding from its
/// integer sum: directly for Identity, Relu and LeakyRelu, through a table
/// of 4096 values of the activation (over +-`table_limit()`, the calibrated
/// range of its pre-activations) for any other.
template <std::size_t In, std::size_t Out, class Act, bool Hidden>
class QuantizedDense {
  // Fix: put softmax (or another activation that mixes its inputs) on the
  // last layer only.
  static_assert(!Hidden || Act::elementwise,
                "fixnet: a quantized hidden layer's activation must act on each element alone");
  static_assert(In <= 32768, "fixnet: quantized layers take at most 32768 inputs");

 public:
  static constexpr std::size_t inputs = In;
  static constexpr std::size_t outputs = Out;
  static constexpr bool hidden = Hidden;
  using activation = Act;
  /// Bytes between rows of W: whole 64-byte lines, zero past In (the int8
  /// kernel's loads).
  static constexpr std::size_t row_bytes = (In + 63) / 64 * 64;
  /// Per-output arrays in whole lines of 16 (the epilogue's vectors).
  static constexpr std::size_t padded_outputs = padded<float>(Out);
  static constexpr bool uses_table = Hidden && !detail::positively_homogeneous<Act>;
  static constexpr std::size_t table_size = 4096;
  static constexpr std::int32_t table_middle = table_size / 2;

  /// The weights, scales and biases of `p` (a `DenseParameters<float, In,
  /// Out>`), for inputs coded by `input`; a hidden layer codes its outputs
  /// by `output`, through a table over +-`table_limit` when it uses one.
  /// Throws std::invalid_argument on a non-finite parameter.
  template <class P>
  static QuantizedDense from_float(const P& p, Quantization input, Quantization output,
                                   float table_limit) {
    std::array<std::int8_t, Out * In> w{};
    std::array<float, Out> scales{};
    std::array<std::int32_t, Out> b{};
    for (std::size_t o = 0; o < Out; ++o) {
      double largest = 0;
      for (std::size_t i = 0; i < In; ++i) {
        const double v = p.weight(o, i);
        if (!std::isfinite(v)) throw std::invalid_argument("a weight is not finite");
        largest = std::max(largest, std::abs(v));
      }
      scales[o] = largest > 0 ? static_cast<float>(largest / 127) : 1.0f;
      for (std::size_t i = 0; i < In; ++i)
        w[o * In + i] = static_cast<std::int8_t>(
            std::clamp(std::nearbyint(p.weight(o, i) / double{scales[o]}), -127.0, 127.0));
      if constexpr (P::has_bias) {
        const double v = p.bias(o);
        if (!std::isfinite(v)) throw std::invalid_argument("a bias is not finite");
        const double limit = static_cast<double>(detail::max_quantized_bias);
        b[o] = static_cast<std::int32_t>(std::clamp(
            std::nearbyint(v / (double{scales[o]} * double{input.scale})), -limit, limit));
      }
    }
    QuantizedDense layer;
    layer.set(w, scales, b, input, output, table_limit);
    return layer;
  }

  /// Sets the layer from its stored form (what model files hold): W [Out][In]
  /// row-major, a scale per output, biases, the codes of inputs and outputs,
  /// the table's range. Throws std::invalid_argument (nothing changed) on a
  /// scale that is not finite and positive, a zero point outside 0..255, a
  /// weight of -128 or a bias beyond +-2^30.
  void set(std::span<const std::int8_t, Out * In> w, std::span<const float, Out> scales,
           std::span<const std::int32_t, Out> biases, Quantization input, Quantization output,
           float table_limit) {
    check(input, "input");
    if constexpr (Hidden) check(output, "output");
    if constexpr (uses_table)
      if (!(table_limit > 0.0f) || !std::isfinite(table_limit))
        throw std::invalid_argument("the table's range is not finite and positive");
    for (std::size_t o = 0; o < Out; ++o) {
      if (!(scales[o] > 0.0f) || !std::isfinite(scales[o]))
        throw std::invalid_argument("a weight scale is not finite and positive");
      if (std::abs(std::int64_t{biases[o]}) > detail::max_quantized_bias)
        throw std::invalid_argument("a bias is beyond +-2^30");
    }
    if (std::find(w.begin(), w.end(), std::int8_t{-128}) != w.end())
      throw std::invalid_argument("a weight is -128 (symmetric weights are within +-127)");

    input_ = input;
    output_ = Hidden ? output : Quantization{};
    table_limit_ = uses_table ? table_limit : 0.0f;
    const double step = table_limit_ / (table_middle - 1);
    for (std::size_t o = 0; o < Out; ++o) {
      std::int64_t row_sum = 0;
      for (std::size_t i = 0; i < In; ++i) {
        weights_[o * row_bytes + i] = w[o * In + i];
        row_sum += w[o * In + i];
      }
      scales_[o] = scales[o];
      biases_[o] = biases[o];
      // The inputs' zero point, folded into the bias: sum W (x - z) = sum W x - z sum W.
      folded_biases_[o] = static_cast<std::int32_t>(biases[o] - input.zero_point * row_sum);
      const double scale = double{scales[o]} * double{input.scale};
      multipliers_[o] = static_cast<float>(!Hidden      ? scale
                                           : uses_table ? scale / step
                                                        : scale / output.scale);
    }
    if constexpr (uses_table) {
      for (std::size_t k = 0; k < table_size; ++k)
        table_[k] = output.code(
            static_cast<float>(Act::value((static_cast<double>(k) - table_middle) * step)));
      bounds_ = {-table_middle, table_middle - 1, table_middle};
    } else if constexpr (Hidden) {
      bounds_ = {-output.zero_point, 255 - output.zero_point, output.zero_point};
    }
  }

  /// W[o][i], o < Out, i < In.
  std::int8_t weight(std::size_t o, std::size_t i) const noexcept {
    return weights_[o * row_bytes + i];
  }
  /// s_o: w[o][i] ~ s_o W[o][i].
  float weight_scale(std::size_t o) const noexcept { return scales_[o]; }
  /// The bias in units of s_o times the input scale.
  std::int32_t bias(std::size_t o) const noexcept { return biases_[o]; }
  const Quantization& input() const noexcept { return input_; }
  /// The codes of a hidden layer's outputs.
  const Quantization& output() const noexcept { return output_; }
  /// The table covers pre-activations in +-table_limit() (0 without table).
  float table_limit() const noexcept { return table_limit_; }

  /// The kernels' view: W in rows of `row_bytes`; biases with the inputs'
  /// zero point folded in; per-output multipliers (hidden: to output codes or
  /// table steps; last: to pre-activations); the bounds and offset of the
  /// rounded codes (see `reference_forward`); the table.
  const std::int8_t* weight_rows() const noexcept { return weights_.data(); }
  const std::int32_t* folded_biases() const noexcept { return folded_biases_.data(); }
  const float* multipliers() const noexcept { return multipliers_.data(); }
  struct CodeBounds {
    std::int32_t lo = 0, hi = 0, offset = 0;
    friend bool operator==(const CodeBounds&, const CodeBounds&) = default;
  };
  CodeBounds code_bounds() const noexcept { return bounds_; }
  const std::uint8_t* table() const noexcept { return table_.data(); }

  /// The scalar reference, the same integer arithmetic as the kernels:
  /// acc = sum_i W[o][i] x[i] + folded bias (exact), v = float(acc) *
  /// multiplier; a hidden layer's code is round(f(v)) clamped and offset
  /// (directly), or the table's entry at round(v) + 2048; the last layer's
  /// pre-activation is v.
  void reference_forward(const std::uint8_t* x, std::uint8_t* y) const noexcept requires Hidden {
    for (std::size_t o = 0; o < Out; ++o) {
      const float v = scaled_sum(x, o);
      if constexpr (uses_table) {
        y[o] = table_[static_cast<std::size_t>(detail::round_clamped(v, bounds_.lo, bounds_.hi) +
                                               bounds_.offset)];
      } else {
        y[o] = static_cast<std::uint8_t>(
            detail::round_clamped(Act::value(v), bounds_.lo, bounds_.hi) + bounds_.offset);
      }
    }
  }
  void reference_forward(const std::uint8_t* x, float* z) const noexcept requires(!Hidden) {
    for (std::size_t o = 0; o < Out; ++o) z[o] = scaled_sum(x, o);
  }

  friend bool operator==(const QuantizedDense&, const QuantizedDense&) = default;

 private:
  static void check(const Quantization& q, const char* what) {
    if (!(q.scale > 0.0f) || !std::isfinite(q.scale) || q.zero_point < 0 || q.zero_point > 255)
      throw std::invalid_argument(std::string("the ") + what +
                                  " codes need a finite positive scale and a zero point in 0..255");
  }

  float scaled_sum(const std::uint8_t* x, std::size_t o) const noexcept {
    std::int32_t acc = 0;
    for (std::size_t i = 0; i < In; ++i)
      acc += std::int32_t{weights_[o * row_bytes + i]} * std::int32_t{x[i]};
    return static_cast<float>(acc + folded_biases_[o]) * multipliers_[o];
  }

  alignas(64) std::array<std::int8_t, Out * row_bytes> weights_{};
  alignas(64) std::array<std::int32_t, padded_outputs> folded_biases_{};
  alignas(64) std::array<float, padded_outputs> multipliers_{};
  alignas(64) std::array<std::uint8_t, uses_table ? table_size : 0> table_{};
  std::array<float, Out> scales_{};
  std::array<std::int32_t, Out> biases_{};
  Quantization input_;
  Quantization output_;
  float table_limit_ = 0;
  CodeBounds bounds_;
};

}  // namespace fixnet

#endif  // FIXNET_QUANTIZED_DENSE_HPP
