// fixnet kernels — how the training passes (optimiser steps, L2
// regularisation, norms, finiteness) walk a parameter set: layer block by
// layer block, each cut into its weight region and its bias region, with
// vectors of at most one 64-byte line.
//
// A block is whole 64-byte lines, and so is each region: `Dense` stores W as
// Out rows of whole lines, then b padded to whole lines. Every target's lane
// count divides a line, so full vectors cover a region exactly and no
// remainder loop exists. Padding is zero, and every pass maps a zero
// parameter, zero gradient and zero state to zeros, so it stays zero.

#if defined(FIXNET_KERNELS_PARAMETER_PASS_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_PARAMETER_PASS_INL_HPP_
#undef FIXNET_KERNELS_PARAMETER_PASS_INL_HPP_
#else
#define FIXNET_KERNELS_PARAMETER_PASS_INL_HPP_
#endif

#include <cstddef>
#include <type_traits>
#include <utility>

#include "fixnet/core/config.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "fixnet/core/update_steps.hpp"
#include "fixnet/core/parameters.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Vector tag of the elementwise passes: at most one line of T.
template <class T>
using LineTag = hn::CappedTag<T, lanes_per_line<T>>;

/// Type of layer I's block in parameter set P (`DenseParameters` for `Dense`).
template <class P, std::size_t I>
using BlockOf = std::remove_cvref_t<decltype(std::declval<P&>().template layer_parameters<I>())>;

/// Stored values [Begin, End) of layer I's block: its weights (IsBias false)
/// or its bias row (IsBias true), padding included.
template <std::size_t I, std::size_t Begin, std::size_t End, bool IsBias>
struct Region {
  static constexpr std::size_t layer = I;
  static constexpr std::size_t begin = Begin;
  static constexpr std::size_t size = End - Begin;
  static constexpr bool is_bias = IsBias;
};

/// Calls f(Region<...>()) for each layer's weights, then its biases (layers
/// without bias have no bias region), first layer to last. Sizes and offsets
/// are constants, so every loop over a region has a compile-time trip count.
template <class P, class F>
HWY_INLINE void for_each_region(F&& f) {
  detail::for_each_index<P::layer_count>([&](auto i) {
    constexpr std::size_t kI = decltype(i)::value;
    using Block = BlockOf<P, kI>;
    constexpr std::size_t kWeights = detail::weight_storage_size<Block>;
    if constexpr (kWeights > 0) f(Region<kI, 0, kWeights, false>());
    if constexpr (Block::storage_size > kWeights) f(Region<kI, kWeights, Block::storage_size, true>());
  });
}

/// First stored value of region R in parameter set p.
template <class R, class P>
HWY_INLINE auto* region_data(P& p) {
  return p.template layer_parameters<R::layer>().storage().data() + R::begin;
}

/// Calls f(k) for the first index k of each vector of tag d over N stored
/// values: a region is whole lines, which every vector divides.
template <std::size_t N, class D, class F>
HWY_INLINE void for_each_vector(D /*d*/, F&& f) {
  constexpr std::size_t kL = kLanes<D>;
  static_assert(N % kL == 0, "fixnet: a region is whole lines, which every vector divides");
  for (std::size_t k = 0; k < N; k += kL) f(k);
}

/// Whether a step's weight decay applies to region R: the step has one, and
/// R holds weights or the step decays biases too.
template <class R, class Step>
HWY_INLINE bool decays(const Step& s) {
  return s.weight_decay != 0 && (!R::is_bias || s.decay_biases);
}

/// Calls f.template operator()<flags...>() with run-time flags turned into
/// template arguments: a step's options are fixed for a whole pass, so the
/// choice is made once per region and the inner loop carries neither branches
/// nor the terms of options that are off (2^n instantiations for n flags).
template <bool... kFixed, class F>
HWY_INLINE void with_flags(F&& f) {
  f.template operator()<kFixed...>();
}
template <bool... kFixed, class F, class... Flags>
HWY_INLINE void with_flags(F&& f, bool flag, Flags... rest) {
  if (flag) {
    with_flags<kFixed..., true>(std::forward<F>(f), rest...);
  } else {
    with_flags<kFixed..., false>(std::forward<F>(f), rest...);
  }
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
