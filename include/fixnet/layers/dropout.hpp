// fixnet — inverted dropout, as a layer of the network's type list.
// Vector kernel: fixnet/kernels/dropout-inl.hpp; its passes:
// fixnet/layers/dropout-inl.hpp, included at the end of this header.
#ifndef FIXNET_DROPOUT_HPP
#define FIXNET_DROPOUT_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <ratio>
#include <span>

#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/pass_key.hpp"

namespace fixnet {

template <Scalar T, std::size_t Width>
class NoParameters;

/// Inverted dropout over `Width` values: in training (`net.backward`) each
/// value is kept with probability 1 - Rate and scaled by 1 / (1 - Rate), or
/// zeroed; in inference (`net.forward`, `net.loss`) it is the identity and
/// costs nothing — the next layer reads the previous layer's output directly.
/// The expected output equals the input in both modes.
///
///   fixnet::Network<fixnet::Dense<784, 256, fixnet::Relu>,
///                   fixnet::Dropout<256, std::ratio<1, 5>>,  // drop 20%
///                   fixnet::Dense<256, 10, fixnet::Softmax>>
///
/// Masks are a pure function of (the workspace's `dropout_seed`, its
/// `dropout_step`, sample, unit) — `dropout_keeps` below — so training is
/// reproducible across runs, SIMD targets and scalar types, and backward
/// recomputes the forward pass's mask instead of storing it. Each training
/// pass through a workspace advances its `dropout_step`.
template <std::size_t Width, class Rate = std::ratio<1, 2>>
struct Dropout {
  // Fix: give a rate as std::ratio<N, D> with 0 <= N/D < 1.
  static_assert(Rate::num >= 0 && Rate::num < Rate::den,
                "fixnet: Dropout<Width, Rate> needs a rate in [0, 1)");

  using rate = Rate;
  static constexpr std::size_t inputs = Width;
  static constexpr std::size_t outputs = Width;
  static constexpr bool has_bias = false;
  static constexpr std::size_t parameter_count = 0;
  // The flags of the layer protocol (fixnet/core/layer.hpp): skipped in
  // inference, masks gradients in place, draws its masks from the pass key.
  static constexpr bool identity_in_inference = true;
  static constexpr bool gradient_in_place = true;
  static constexpr bool stochastic = true;
  static constexpr bool samples_in_lanes = true;
  /// The probability of keeping a value, and the scale of the kept ones.
  template <Scalar T>
  static constexpr T keep_probability = T(Rate::den - Rate::num) / T(Rate::den);
  /// keep_probability as a 24-bit threshold for `dropout_keeps`.
  static constexpr std::uint32_t keep_threshold = static_cast<std::uint32_t>(
      (std::uint64_t(Rate::den - Rate::num) << 24) / std::uint64_t(Rate::den));

  template <Scalar T>
  using parameters_type = NoParameters<T, Width>;
};

/// The (empty) parameter block of a layer without parameters.
template <Scalar T, std::size_t Width>
class NoParameters {
 public:
  using scalar_type = T;
  static constexpr std::size_t inputs = Width;
  static constexpr std::size_t outputs = Width;
  static constexpr bool has_bias = false;
  static constexpr std::size_t parameter_count = 0;
  static constexpr std::size_t storage_size = 0;

  template <Scalar U>
  NoParameters& assign(const NoParameters<U, Width>&) noexcept {
    return *this;
  }
  constexpr void get_parameters(std::span<T, 0>) const noexcept {}
  constexpr void set_parameters(std::span<const T, 0>) noexcept {}
  template <class F>
  constexpr void for_each_parameter(F&&) const noexcept {}
  std::span<T, 0> storage() noexcept { return {}; }
  std::span<const T, 0> storage() const noexcept { return {}; }

  friend bool operator==(const NoParameters&, const NoParameters&) = default;
};

}  // namespace fixnet

#endif  // FIXNET_DROPOUT_HPP

// Outside the include guard: under hwy/foreach_target.h this header is
// re-included once per target, and the layer's passes must be too.
#include "fixnet/layers/dropout-inl.hpp"
