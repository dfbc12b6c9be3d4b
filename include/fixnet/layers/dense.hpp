// fixnet — the fully connected layer: its type, and the storage of its
// parameters (also used, with the same shape, for its gradients). Its passes:
// fixnet/layers/dense-inl.hpp, included at the end of this header.
#ifndef FIXNET_DENSE_HPP
#define FIXNET_DENSE_HPP

#include <array>
#include <concepts>
#include <cstddef>
#include <span>

#include "fixnet/core/activation.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/shape_checks.hpp"

namespace fixnet {

/// Bias policies for `Dense`: a layer has a bias (the default) or not.
struct WithBias {};
struct NoBias {};

template <Scalar T, std::size_t In, std::size_t Out, bool HasBias>
class DenseParameters;

/// A fully connected layer with `In` inputs and `Out` outputs:
/// a = Act(W x + b), W of shape [Out][In] (PyTorch's `nn.Linear` order), b of
/// shape [Out]. `Bias` is `WithBias` or `NoBias`.
///
/// `Dense` only describes the layer; a network stores its parameters as
/// `Dense::parameters_type<T>`. Widths are checked where the layer is used, so
/// that the message can say which layer of which network is wrong.
template <std::size_t In, std::size_t Out, class Act, class Bias = WithBias>
struct Dense {
  // Fix: pass one of Identity, Sigmoid, Tanh, Relu, LeakyRelu, Softmax, or a
  // type that models fixnet::Activation.
  static_assert(Activation<Act>,
                "fixnet: the third argument of Dense<In, Out, Act> must be an activation "
                "(Identity, Sigmoid, Tanh, Relu, LeakyRelu, Softmax)");
  // Fix: pass fixnet::WithBias or fixnet::NoBias.
  static_assert(std::same_as<Bias, WithBias> || std::same_as<Bias, NoBias>,
                "fixnet: the fourth argument of Dense<In, Out, Act, Bias> must be WithBias or NoBias");

  using activation = Act;
  static constexpr std::size_t inputs = In;
  static constexpr std::size_t outputs = Out;
  static constexpr bool has_bias = std::same_as<Bias, WithBias>;
  static constexpr std::size_t parameter_count = In * Out + (has_bias ? Out : 0);
  // The flags of the layer protocol (fixnet/core/layer.hpp).
  static constexpr bool identity_in_inference = false;
  static constexpr bool gradient_in_place = false;
  static constexpr bool stochastic = false;
  static constexpr bool samples_in_lanes = true;
  /// z is kept for backpropagation only when the activation's derivative
  /// is written in z (otherwise a = f(z) replaces it in place).
  static constexpr std::size_t pre_activation_width = Act::derivative_from_input ? Out : 0;

  template <Scalar T>
  using parameters_type = DenseParameters<T, In, Out, has_bias>;
};

/// The parameters of one dense layer (or their gradients), stored for the
/// kernels: one 64-byte-aligned block, zero-initialised, holding
///   W as [Out][row_stride], row_stride = In rounded up to 64 bytes, so every
///     row starts on a cache line and W[o][i] is at o * row_stride + i;
///   then b as [padded(Out)].
/// Padding is always zero: kernels read it (so that they need no remainder
/// loops) and rely on it adding nothing. Users see the canonical order only,
/// through `weight`, `bias`, `get_parameters` and `set_parameters`.
template <Scalar T, std::size_t In, std::size_t Out, bool HasBias>
class DenseParameters {
 public:
  using scalar_type = T;
  static constexpr std::size_t inputs = In;
  static constexpr std::size_t outputs = Out;
  static constexpr bool has_bias = HasBias;
  static constexpr std::size_t parameter_count = In * Out + (HasBias ? Out : 0);
  static constexpr std::size_t row_stride = padded<T>(In);
  static constexpr std::size_t bias_offset = Out * row_stride;
  static constexpr std::size_t storage_size = bias_offset + (HasBias ? padded<T>(Out) : 0);

  DenseParameters() noexcept = default;

  /// Converts from another scalar type; the shapes must be the same.
  template <Scalar U, std::size_t In2, std::size_t Out2, bool HasBias2>
  explicit DenseParameters(const DenseParameters<U, In2, Out2, HasBias2>& other) noexcept {
    assign(other);
  }

  /// Copies (and converts) the parameters of a layer of the same shape.
  template <Scalar U, std::size_t In2, std::size_t Out2, bool HasBias2>
  DenseParameters& assign(const DenseParameters<U, In2, Out2, HasBias2>& other) noexcept {
    static_assert(detail::check_same_dense_shape<In, Out, In2, Out2, HasBias, HasBias2>());
    if constexpr (In == In2 && Out == Out2 && HasBias == HasBias2) {
      // Element by element, not storage index by storage index: rows are
      // padded to whole 64-byte lines, 16 floats but 8 doubles, so the two
      // scalar types place W[o][i] and b[o] at different offsets. Padding
      // stays zero.
      for (std::size_t o = 0; o < Out; ++o)
        for (std::size_t i = 0; i < In; ++i) weight(o, i) = static_cast<T>(other.weight(o, i));
      if constexpr (HasBias)
        for (std::size_t o = 0; o < Out; ++o) bias(o) = static_cast<T>(other.bias(o));
    }
    return *this;
  }

  /// W[o][i], o < Out, i < In.
  constexpr T& weight(std::size_t o, std::size_t i) noexcept { return storage_[o * row_stride + i]; }
  constexpr T weight(std::size_t o, std::size_t i) const noexcept { return storage_[o * row_stride + i]; }

  /// b[o], o < Out (layers with a bias only).
  constexpr T& bias(std::size_t o) noexcept
    requires HasBias
  {
    return storage_[bias_offset + o];
  }
  constexpr T bias(std::size_t o) const noexcept
    requires HasBias
  {
    return storage_[bias_offset + o];
  }

  /// Reads the parameters in canonical order: W row-major [Out][In], then b.
  constexpr void get_parameters(std::span<T, parameter_count> out) const noexcept {
    std::size_t k = 0;
    for (std::size_t o = 0; o < Out; ++o)
      for (std::size_t i = 0; i < In; ++i) out[k++] = weight(o, i);
    if constexpr (HasBias)
      for (std::size_t o = 0; o < Out; ++o) out[k++] = bias(o);
  }

  /// Writes the parameters from canonical order (see `get_parameters`).
  /// constexpr, so that a network can be a constant built from its
  /// parameters (fixnet/io/bake.hpp).
  constexpr void set_parameters(std::span<const T, parameter_count> in) noexcept {
    // Raw pointers rather than weight(o, i) and in[k]: the same in a normal
    // build, but fewer steps in a constant expression, where clang's step
    // limit bounds the size of a network baked into a header.
    const T* from = in.data();
    T* row = storage_.data();
    for (std::size_t o = 0; o < Out; ++o, row += row_stride)
      for (std::size_t i = 0; i < In; ++i) row[i] = *from++;
    if constexpr (HasBias) {
      T* b = storage_.data() + bias_offset;
      for (std::size_t o = 0; o < Out; ++o) b[o] = *from++;
    }
  }

  /// Calls f(ParameterIndex, value) for every parameter in canonical order
  /// (value a T& here, a T in the const overload).
  template <class F>
  constexpr void for_each_parameter(F&& f) {
    visit_parameters(*this, f);
  }
  template <class F>
  constexpr void for_each_parameter(F&& f) const {
    visit_parameters(*this, f);
  }

  /// The padded block the kernels work on (padding included, always zero).
  std::span<T, storage_size> storage() noexcept { return storage_; }
  std::span<const T, storage_size> storage() const noexcept { return storage_; }
  const T* weights() const noexcept { return storage_.data(); }
  T* weights() noexcept { return storage_.data(); }
  /// Bias row, or nullptr for a layer without bias.
  const T* biases() const noexcept { return HasBias ? storage_.data() + bias_offset : nullptr; }
  T* biases() noexcept { return HasBias ? storage_.data() + bias_offset : nullptr; }

  friend bool operator==(const DenseParameters&, const DenseParameters&) = default;

 private:
  template <class Self, class F>
  static constexpr void visit_parameters(Self& self, F& f) {
    for (std::size_t o = 0; o < Out; ++o)
      for (std::size_t i = 0; i < In; ++i) f(ParameterIndex{false, o, i}, self.weight(o, i));
    if constexpr (HasBias)
      for (std::size_t o = 0; o < Out; ++o) f(ParameterIndex{true, o, 0}, self.bias(o));
  }

  alignas(alignment) std::array<T, storage_size> storage_{};
};

}  // namespace fixnet

#endif  // FIXNET_DENSE_HPP

// Outside the include guard: under hwy/foreach_target.h this header is
// re-included once per target, and the layer's passes must be too.
#include "fixnet/layers/dense-inl.hpp"
