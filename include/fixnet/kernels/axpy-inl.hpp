// fixnet kernels — elementwise passes over whole parameter sets (gradient
// descent updates, gradient scaling). Blocks are whole 64-byte lines, so
// vectors of up to one line divide them exactly.

#if defined(FIXNET_KERNELS_AXPY_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_AXPY_INL_HPP_
#undef FIXNET_KERNELS_AXPY_INL_HPP_
#else
#define FIXNET_KERNELS_AXPY_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/core/config.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// y += alpha * x over part `part` of `parts` of every layer block of two
/// parameter sets of one type: the lines of each block are split in `parts`
/// consecutive ranges, so that threads sharing an update touch disjoint
/// cache lines. parts = 1 is the whole set.
template <class Params, class T>
HWY_INLINE void axpy(T alpha, const Params& x, Params& y, std::size_t part = 0, std::size_t parts = 1) {
  const hn::CappedTag<T, lanes_per_line<T>> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  const auto va = hn::Set(d, alpha);
  detail::for_each_index<Params::layer_count>([&](auto i) {
    const auto xs = x.template layer_parameters<i>().storage();
    const auto ys = y.template layer_parameters<i>().storage();
    const std::size_t lines = ys.size() / lanes_per_line<T>;
    const std::size_t begin = lines * part / parts * lanes_per_line<T>;
    const std::size_t end = lines * (part + 1) / parts * lanes_per_line<T>;
    for (std::size_t k = begin; k < end; k += kL)
      hn::Store(hn::MulAdd(va, hn::Load(d, xs.data() + k), hn::Load(d, ys.data() + k)), d, ys.data() + k);
  });
}

/// y *= s over every layer block.
template <class Params, class T>
HWY_INLINE void scale(T s, Params& y) {
  const hn::CappedTag<T, lanes_per_line<T>> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  const auto vs = hn::Set(d, s);
  detail::for_each_index<Params::layer_count>([&](auto i) {
    const auto ys = y.template layer_parameters<i>().storage();
    for (std::size_t k = 0; k < ys.size(); k += kL)
      hn::Store(hn::Mul(vs, hn::Load(d, ys.data() + k)), d, ys.data() + k);
  });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
