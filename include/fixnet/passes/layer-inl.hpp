// fixnet passes — the data layouts a batch flows through, and the hooks a
// layer's kernel provides for them (the vector half of the layer protocol,
// fixnet/core/layer.hpp).
//
// A layout says where sample b's feature f of a buffer is:
//   Rows<T, B, G>  sample-major: padded rows of each buffer's width; gradient
//                  buffers have rows of G (the widest layer, padded);
//   Lanes<T, B>    feature-major, one sample per SIMD lane: row f holds
//                  feature f of every sample, padded to kStride lanes;
//   Registers<T>   one sample, every layer's output at most 256 floats wide
//                  (32 with 16 vector registers):
//                  each output is a RegisterRow (a few vectors), never
//                  stored; the first layer reads the caller's row.
// The walk (fixnet/passes/network-inl.hpp) is written once against these;
// what changes with the layout is what each layer does with its buffers,
// through overloads of its hooks on the layout:
//
//   template <> struct LayerKernel<MyLayer> {
//     // io.out = layer(io.in); io.kept is the layer's pre-activation buffer
//     // (the last layer's logits when the loss needs them; the workspace's
//     // pre_activation<I> if the layer keeps one; else io.out itself).
//     static void forward(Layout, const Params&, LayerBuffers<T> io, PassContext);
//     // g holds dL/d(output) (dL/dz for the last layer, kFromLogits):
//     // writes dL/d(input) into dx (or into g, for gradient_in_place
//     // layers) when kInputGradient, and adds scale * dL/d(parameters) to grads.
//     template <bool kFromLogits, bool kInputGradient>
//     static void backward(Layout, const Params&, LayerBuffers<T> io, T* g, T* dx,
//                          T scale, Params& grads, PassContext);
//     // Optional: one sample in registers (x a RegisterRow<T, In>, or the
//     // caller's row as an UnpaddedRow<T, In>), and whether it applies.
//     static RegisterRow<T, Out> forward(Registers<T>, const Params&, const X& x);
//     template <class T> static constexpr bool fits_registers;
//   };

#if defined(FIXNET_PASSES_LAYER_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_PASSES_LAYER_INL_HPP_
#undef FIXNET_PASSES_LAYER_INL_HPP_
#else
#define FIXNET_PASSES_LAYER_INL_HPP_
#endif

#include <algorithm>
#include <cstddef>

#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// The passes of layer type L: specialised in each layer's `-inl.hpp`.
template <class L>
struct LayerKernel {
  // Fix: define fixnet::HWY_NAMESPACE::LayerKernel<YourLayer> in your layer's
  // header, per target (docs/architecture.md).
  static_assert(detail::dependent_false<L>,
                "fixnet: this layer type has no kernel: specialise "
                "fixnet::HWY_NAMESPACE::LayerKernel<Layer> for it (see docs/architecture.md)");
};

/// The buffers of one layer in a pass: its input, what it keeps, its output.
template <class T>
struct LayerBuffers {
  const T* in;
  T* kept;
  T* out;
};

/// Samples in rows: B padded rows per buffer; gradient rows of kGradStride.
template <class T, std::size_t B, std::size_t kGradStride>
struct Rows {
  using scalar_type = T;
  static constexpr std::size_t batch_size = B;
  static constexpr std::size_t gradient_stride = kGradStride;
  /// Distance between two samples of a buffer of width N.
  template <std::size_t N>
  static constexpr std::size_t stride = padded<T>(N);

  /// a = Act(z) for every sample (rows of N). `a` may alias `z`.
  template <class Act, std::size_t N>
  static void activate(const T* z, T* a) {
    for (std::size_t b = 0; b < B; ++b)
      activation_forward_row<Act, N>(z + b * stride<N>, a + b * stride<N>);
  }
  /// g = J_Act^T g in place, from the outputs a (rows of N; g rows of
  /// gradient_stride).
  template <class Act, std::size_t N>
  static void activate_backward(const T* a, T* g) {
    for (std::size_t b = 0; b < B; ++b)
      activation_backward_row<Act, N>(a + b * stride<N>, g + b * kGradStride, g + b * kGradStride);
  }
  /// Nothing to prepare: every row is written whole.
  template <std::size_t N>
  static void prepare(T*) {}
  /// The summed loss of the batch (logits z, outputs a, targets t, rows of
  /// N); kWithDelta also writes dL/dz into `delta`.
  template <class L, class Act, std::size_t N, bool kWithDelta>
  static T loss(const T* z, const T* a, const T* t, T* delta) {
    T sum = 0;
    for (std::size_t b = 0; b < B; ++b) {
      const std::size_t at = b * stride<N>;
      if constexpr (kWithDelta) {
        sum += loss_row<L, Act, N>(z + at, a + at, t + at, delta + b * kGradStride);
      } else {
        sum += loss_value_row<L, Act, N>(z + at, a + at, t + at);
      }
    }
    return sum;
  }
};

/// Full vectors of at most one 64-byte line: kStride (whole lines) is a
/// multiple of their lane count.
template <class T>
using LanesTag = hn::CappedTag<T, lanes_per_line<T>>;

/// Samples in lanes: feature rows of kStride lanes, the first B of them
/// samples. Lanes past B hold zero inputs and targets and get a zero delta,
/// so they add nothing to losses or gradients.
template <class T, std::size_t B>
struct Lanes {
  using scalar_type = T;
  static constexpr std::size_t batch_size = B;
  static constexpr std::size_t kStride = padded<T>(B);
  static constexpr std::size_t gradient_stride = kStride;
  template <std::size_t N>
  static constexpr std::size_t stride = kStride;
  static constexpr LanesTag<T> d{};

  template <class Act, std::size_t N>
  static void activate(const T* z, T* a) {
    activation_forward_lanes<Act, N, kStride>(d, z, a);
  }
  template <class Act, std::size_t N>
  static void activate_backward(const T* a, T* g) {
    activation_backward_lanes<Act, N, kStride>(d, a, g, g);
  }
  /// Zeroes the lanes past B in N feature rows, so that padding samples stay
  /// finite (whatever an earlier, larger use of the buffer left there).
  template <std::size_t N>
  static void prepare(T* rows) {
    if constexpr (B < kStride)
      for (std::size_t k = 0; k < N; ++k)
        std::fill(rows + k * kStride + B, rows + (k + 1) * kStride, T(0));
  }
  template <class L, class Act, std::size_t N, bool kWithDelta>
  static T loss(const T* z, const T* a, const T* t, T* delta) {
    return loss_lanes<L, Act, N, kStride, B, kWithDelta>(d, z, a, t, delta);
  }
};

/// One sample in registers: each layer's output a RegisterRow (its vectors,
/// lanes past its width zero), the first layer's input the caller's row.
template <class T>
struct Registers {
  using scalar_type = T;
  /// The widest output kept in registers: with AVX-512's 32 registers,
  /// sixteen lines (256 floats, 16 vectors; 256-256-10 took 2.44 us through
  /// the workspace, 2.12 us here); with 16 registers, two lines (32 floats,
  /// four AVX2 vectors: at 64, AVX2 spilled so much that 64-64-64 took 384
  /// ns against the workspace's 328).
  static constexpr std::size_t max_width = (kVectorRegisters >= 32 ? 16 : 2) * lanes_per_line<T>;
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
