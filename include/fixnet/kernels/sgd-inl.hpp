// fixnet kernels — one step of stochastic gradient descent with momentum,
// dampening, Nesterov momentum and weight decay, as PyTorch's torch.optim.SGD
// computes it (see fixnet/optimizers/sgd.hpp for the formulas). One pass
// over the parameters, the gradients and the momentum buffer.

#if defined(FIXNET_KERNELS_SGD_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_SGD_INL_HPP_
#undef FIXNET_KERNELS_SGD_INL_HPP_
#else
#define FIXNET_KERNELS_SGD_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "fixnet/core/update_steps.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// SGD over N stored values (whole lines): p, g and buf at the same offset.
///   g' = g + wd p                      (kDecay)
///   buf = momentum buf + scale g'      (kMomentum; scale = 1 - dampening,
///                                       1 on the first step, when buf is 0)
///   d = g' + momentum buf (kNesterov), buf (kMomentum), else g'
///   p = p - lr d
template <bool kDecay, bool kMomentum, bool kNesterov, std::size_t N, class T>
HWY_INLINE void sgd_region(const detail::SgdStep<T>& s, T* HWY_RESTRICT p, const T* HWY_RESTRICT g,
                           T* HWY_RESTRICT buf) {
  const LineTag<T> d;
  const auto neg_lr = hn::Set(d, -s.lr);
  const auto wd = hn::Set(d, s.weight_decay);
  const auto momentum = hn::Set(d, s.momentum);
  const auto scale = hn::Set(d, s.gradient_scale);
  for_each_vector<N>(d, [&](std::size_t k) HWY_ATTR {
    const auto vp = hn::Load(d, p + k);
    auto vg = hn::Load(d, g + k);
    if constexpr (kDecay) vg = hn::MulAdd(wd, vp, vg);
    if constexpr (kMomentum) {
      const auto vb = hn::MulAdd(momentum, hn::Load(d, buf + k), hn::Mul(scale, vg));
      hn::Store(vb, d, buf + k);
      if constexpr (kNesterov) {
        vg = hn::MulAdd(momentum, vb, vg);
      } else {
        vg = vb;
      }
    }
    hn::Store(hn::MulAdd(neg_lr, vg, vp), d, p + k);
  });
}

/// One SGD step over every parameter of `params`, in place; `buffer` is the
/// momentum buffer (left alone without momentum).
template <class P, class T>
void sgd_step(const detail::SgdStep<T>& s, P& params, const P& grads, P& buffer) {
  for_each_region<P>([&](auto region) {
    using R = decltype(region);
    const bool momentum = s.momentum != T(0);
    with_flags(
        [&]<bool kDecay, bool kMomentum, bool kNesterov>() {
          sgd_region<kDecay, kMomentum, kNesterov, R::size>(s, region_data<R>(params), region_data<R>(grads),
                                                             region_data<R>(buffer));
        },
        decays<R>(s), momentum, momentum && s.nesterov);
  });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
