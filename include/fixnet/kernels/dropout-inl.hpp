// fixnet kernels — inverted dropout masks (scalar reference:
// fixnet/layers/dropout.hpp, `dropout_keeps`). The same function gives the mask
// forward (out = x * m) and backward (g_in = g_out * m), m = scale where
// kept and 0 where dropped, so masks are recomputed rather than stored.
// A multiplication, not a select, as PyTorch's x * mask: a dropped NaN (or
// infinity) gives NaN, so that a non-finite value is never hidden by the
// mask that happened to drop it (issue 15).

#if defined(FIXNET_KERNELS_DROPOUT_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_DROPOUT_INL_HPP_
#undef FIXNET_KERNELS_DROPOUT_INL_HPP_
#else
#define FIXNET_KERNELS_DROPOUT_INL_HPP_
#endif

#include <cstddef>
#include <cstdint>

#include "fixnet/core/config.hpp"
#include "fixnet/core/pass_key.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// mix32 (fixnet/layers/dropout.hpp) on every lane.
template <class DU, class VU>
HWY_INLINE VU mix32_lanes(DU du, VU x) {
  x = hn::Xor(x, hn::ShiftRight<16>(x));
  x = hn::Mul(x, hn::Set(du, 0x7feb352dU));
  x = hn::Xor(x, hn::ShiftRight<15>(x));
  x = hn::Mul(x, hn::Set(du, 0x846ca68bU));
  return hn::Xor(x, hn::ShiftRight<16>(x));
}

/// Mask of the lanes kept, for 32-bit lanes whose unit indices
/// (sample * width + unit) are `index`: dropout_keeps on every lane. The
/// 24-bit hash fits a signed compare, which every target has.
template <std::uint32_t kThreshold, class D, class VU>
HWY_INLINE auto dropout_mask(D d, VU index, std::uint32_t key) {
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const auto h = hn::ShiftRight<8>(mix32_lanes(du, hn::Xor(index, hn::Set(du, key))));
  return hn::RebindMask(d, hn::Lt(hn::BitCast(di, h), hn::Set(di, static_cast<std::int32_t>(kThreshold))));
}

/// Samples in rows: out = x * (kept ? scale : 0), for sample b's padded
/// row of Layer::outputs (zero past it). Serves forward (x = input, out =
/// output) and backward (x = g_out, out = g_in; may alias).
template <class Layer, class T>
HWY_INLINE void dropout_row(const T* x, T* out, std::uint32_t key, std::size_t b) {
  constexpr std::size_t kWidth = Layer::outputs;
  const T scale = T(1) / Layer::template keep_probability<T>;
  if constexpr (sizeof(T) == 4) {
    const RowTag<T, kWidth> d;
    const hn::RebindToUnsigned<decltype(d)> du;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    for (std::size_t v = 0; v < kRowVectors<decltype(d), kWidth>; ++v) {
      const auto index = hn::Iota(du, static_cast<std::uint32_t>(b * kWidth + v * kL));
      const auto kept = dropout_mask<Layer::keep_threshold>(d, index, key);
      const auto y = hn::Mul(hn::Load(d, x + v * kL), hn::IfThenElseZero(kept, hn::Set(d, scale)));
      hn::Store(keep_in_row<kWidth>(d, y, v * kL), d, out + v * kL);
    }
    zero_row_tail<kWidth>(out);
  } else {
    // 64-bit lanes cannot hold the 32-bit hash on every target: scalar, same masks.
    for (std::size_t i = 0; i < kWidth; ++i)
      out[i] = x[i] * (dropout_keeps(key, b, i, kWidth, Layer::keep_threshold) ? scale : T(0));
    for (std::size_t i = kWidth; i < padded<T>(kWidth); ++i) out[i] = T(0);
  }
}

/// Samples in lanes: the same for N feature rows of kStride lanes (all
/// samples at once). Lanes past the batch get masks too; they hold zeros.
template <class Layer, std::size_t kStride, class D, class T = hn::TFromD<D>>
HWY_INLINE void dropout_lanes(D d, const T* x, T* out, std::uint32_t key) {
  constexpr std::size_t kWidth = Layer::outputs;
  constexpr std::size_t kL = kLanes<D>;
  const T scale = T(1) / Layer::template keep_probability<T>;
  if constexpr (sizeof(T) == 4) {
    const hn::RebindToUnsigned<D> du;
    const auto width = hn::Set(du, static_cast<std::uint32_t>(kWidth));
    for (std::size_t i = 0; i < kWidth; ++i) {
      for (std::size_t c = 0; c < kStride; c += kL) {
        const auto samples = hn::Iota(du, static_cast<std::uint32_t>(c));
        const auto index = hn::Add(hn::Mul(samples, width), hn::Set(du, static_cast<std::uint32_t>(i)));
        const auto kept = dropout_mask<Layer::keep_threshold>(d, index, key);
        const auto y = hn::Mul(hn::Load(d, x + i * kStride + c), hn::IfThenElseZero(kept, hn::Set(d, scale)));
        hn::Store(y, d, out + i * kStride + c);
      }
    }
  } else {
    for (std::size_t i = 0; i < kWidth; ++i)
      for (std::size_t b = 0; b < kStride; ++b)
        out[i * kStride + b] =
            x[i * kStride + b] * (dropout_keeps(key, b, i, kWidth, Layer::keep_threshold) ? scale : T(0));
  }
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
