// fixnet — the buffers a batch of B samples flows through.
#ifndef FIXNET_WORKSPACE_HPP
#define FIXNET_WORKSPACE_HPP

#include <algorithm>
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "fixnet/core/batch.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/shape_checks.hpp"

namespace fixnet {

namespace detail {

/// Sample-major storage: B rows of W elements, each padded to whole 64-byte
/// lines. Not zero-initialised: every kernel that writes a row writes all of
/// it, padding included (see fixnet/kernels/row-inl.hpp).
template <Scalar T, std::size_t B, std::size_t W>
struct alignas(alignment) RowBuffer {
  static constexpr std::size_t stride = padded<T>(W);
  std::array<T, B * stride> data;

  T* row(std::size_t b) noexcept { return data.data() + b * stride; }
  const T* row(std::size_t b) const noexcept { return data.data() + b * stride; }
};

/// Feature-major storage ("samples in lanes"): W rows, one per feature, of
/// B samples padded to whole lines, so that a vector holds one feature of
/// several samples. Kernels keep the lanes past B finite (see
/// fixnet/kernels/dense_lanes-inl.hpp).
template <Scalar T, std::size_t W, std::size_t B>
struct alignas(alignment) FeatureBuffer {
  static constexpr std::size_t stride = padded<T>(B);
  std::array<T, W * stride> data;

  T* feature(std::size_t f) noexcept { return data.data() + f * stride; }
  const T* feature(std::size_t f) const noexcept { return data.data() + f * stride; }
};

/// Widest layer (inputs or outputs) that runs with samples in lanes: the
/// kernels then broadcast each weight, and a layer's In x Out weights are few
/// enough to stay in L1 whatever the batch.
inline constexpr std::size_t lanes_max_width = 32;

/// Whether a batch of B samples through `Layers` runs with samples in lanes:
/// narrow layers whose kernels have a lanes layout, and at least one 64-byte
/// line of samples. Otherwise samples
/// are rows and the kernels vectorise along each row.
template <Scalar T, std::size_t B, class... Layers>
inline constexpr bool samples_in_lanes =
    B >= lanes_per_line<T> && std::max({Layers::inputs..., Layers::outputs...}) <= lanes_max_width &&
    (Layers::samples_in_lanes && ...);

/// Writes one sample's target: N values at first[k * step], from a row, or
/// one-hot for a class index. An index out of range writes NaN everywhere, so
/// the loss is NaN and the caller's NaN check reports it, rather than a write
/// out of bounds or a silently wrong target.
template <std::size_t N, class T, class Tgt>
void write_target(const Tgt& target, T* first, std::size_t step) noexcept {
  if constexpr (std::integral<Tgt>) {
    const auto label = static_cast<std::size_t>(target);  // a negative index becomes huge
    assert(label < N && "fixnet: class index out of range");
    for (std::size_t k = 0; k < N; ++k) first[k * step] = label == k ? T(1) : T(0);
    if (label >= N) [[unlikely]]
      for (std::size_t k = 0; k < N; ++k) first[k * step] = std::numeric_limits<T>::quiet_NaN();
  } else {
    static_assert(check_target_extent<N, FixedExtent<Tgt>::extent>());
    for (std::size_t k = 0; k < N; ++k) first[k * step] = target[k];
  }
}

/// Writes one sample's target as a padded row of N (zero past N).
template <std::size_t N, class T, class Tgt>
void write_target_row(const Tgt& target, T* row) noexcept {
  write_target<N>(target, row, 1);
  std::fill(row + N, row + padded<T>(N), T(0));
}

/// Writes one sample's input as a padded row of N (zero past N).
template <std::size_t N, class T, class Row>
void write_input_row(const Row& x, T* row) noexcept {
  std::copy(x.begin(), x.end(), row);
  std::fill(row + N, row + padded<T>(N), T(0));
}

}  // namespace detail

/// Scratch space for a batch of B samples through the layers `Layers...`:
/// the inputs, each layer's outputs, the last layer's logits, the targets and
/// two gradient buffers. Kernels touch nothing else, so a forward or backward
/// pass allocates nothing.
///
/// Narrow networks (every layer at most 32 wide) with batches of at least 16
/// floats store these feature-major, one sample per SIMD lane; others store
/// one padded row per sample. `set_input`, `set_target` and `get_output`
/// hide the difference.
///
/// Name it as `fixnet::Workspace<Net, B>`. It is large for large batches
/// (`sizeof` tells; about B * 4 KiB for 784-50-10): give it static storage, a
/// member, or `std::make_unique`, rather than the stack. One workspace serves
/// any number of calls, but not two threads at once.
template <Scalar T, std::size_t B, class... Layers>
class BatchWorkspace {
  static_assert(detail::check_batch_not_empty<B>());

  static constexpr std::size_t last = sizeof...(Layers) - 1;
  using First = typename decltype(+boost::hana::at_c<0>(boost::hana::tuple_t<Layers...>))::type;
  using Last = typename decltype(+boost::hana::at_c<last>(boost::hana::tuple_t<Layers...>))::type;

 public:
  using scalar_type = T;
  static constexpr std::size_t batch_size = B;
  /// Whether samples are in lanes (feature-major buffers) or rows.
  static constexpr bool lanes = detail::samples_in_lanes<T, B, Layers...>;
  /// Widest layer output: gradient buffers need this much.
  static constexpr std::size_t max_width = std::max({Layers::outputs...});

  template <std::size_t W>
  using Buffer =
      std::conditional_t<lanes, detail::FeatureBuffer<T, W, B>, detail::RowBuffer<T, B, W>>;

  Buffer<First::inputs> input;
  boost::hana::tuple<Buffer<Layers::outputs>...> outputs;
  /// What layers keep between forward and backward (fixnet/core/layer.hpp,
  /// pre_activation_width): empty for every layer that keeps nothing.
  boost::hana::tuple<Buffer<pre_activation_width_v<Layers>>...> pre_activations;
  Buffer<Last::outputs> logits;
  Buffer<Last::outputs> target;
  std::array<Buffer<max_width>, 2> gradient;

  /// Dropout masks are a function of these (fixnet/layers/dropout.hpp): set the
  /// seed to vary them between runs; every training pass advances the step.
  std::uint64_t dropout_seed = 0;
  std::uint64_t dropout_step = 0;

  /// Layer I's kept pre-activations (empty unless the layer keeps them).
  template <std::size_t I>
  auto& pre_activation() noexcept {
    return boost::hana::at_c<I>(pre_activations);
  }

  /// Layer I's outputs.
  template <std::size_t I>
  auto& output() noexcept {
    return boost::hana::at_c<I>(outputs);
  }
  template <std::size_t I>
  const auto& output() const noexcept {
    return boost::hana::at_c<I>(outputs);
  }

  /// Stores sample b's input (First::inputs values).
  template <class Row>
  void set_input(std::size_t b, const Row& x) noexcept {
    if constexpr (lanes) {
      for (std::size_t i = 0; i < First::inputs; ++i) input.feature(i)[b] = x[i];
    } else {
      detail::write_input_row<First::inputs>(x, input.row(b));
    }
  }

  /// Stores sample b's target: a row of Last::outputs values or a class index.
  template <class Tgt>
  void set_target(std::size_t b, const Tgt& t) noexcept {
    if constexpr (lanes) {
      detail::write_target<Last::outputs>(t, target.feature(0) + b, target.stride);
    } else {
      detail::write_target_row<Last::outputs>(t, target.row(b));
    }
  }

  /// Copies sample b's output into y: after any pass over this workspace
  /// (forward, loss, backward, forward_and_loss), the network's outputs for
  /// that pass's batch, before any parameter update the pass made.
  template <class Row>
  void get_output(std::size_t b, Row& y) const noexcept {
    const auto& out = output<last>();
    for (std::size_t k = 0; k < Last::outputs; ++k) {
      if constexpr (lanes) {
        y[k] = out.feature(k)[b];
      } else {
        y[k] = out.row(b)[k];
      }
    }
  }
};

}  // namespace fixnet

#endif  // FIXNET_WORKSPACE_HPP
