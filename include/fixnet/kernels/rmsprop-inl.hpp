// fixnet kernels — one RMSProp step (plain or centered, with or without
// momentum, with weight decay), as PyTorch's torch.optim.RMSprop computes it
// (see fixnet/optimizers/rmsprop.hpp for the formulas). One pass over the
// parameters, the gradients and the state.

#if defined(FIXNET_KERNELS_RMSPROP_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_RMSPROP_INL_HPP_
#undef FIXNET_KERNELS_RMSPROP_INL_HPP_
#else
#define FIXNET_KERNELS_RMSPROP_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/non_finite-inl.hpp"
#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "fixnet/core/update_steps.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// RMSProp over N stored values (whole lines):
///   g' = g + wd p                                   (kDecay)
///   v = alpha v + (1 - alpha) g'^2
///   avg = sqrt(max(v - gavg^2, 0)) + eps, gavg = gavg + (1 - alpha)(g' - gavg)
///                                                   (kCentered)
///   avg = sqrt(v) + eps                             (otherwise)
///   buf = momentum buf + g' / avg, p = p - lr buf   (kMomentum)
///   p = p - lr g' / avg                             (otherwise)
/// The max with 0 only acts where rounding has made v - gavg^2, which is
/// never negative in exact arithmetic, slightly negative: PyTorch takes the
/// square root of that (NaN); fixnet keeps training. NaN in v or gavg stays
/// NaN (the clamp is not hn::Max, which would turn it into 0).
template <bool kDecay, bool kCentered, bool kMomentum, std::size_t N, class T>
HWY_INLINE void rmsprop_region(const detail::RmsPropStep<T>& s, T* HWY_RESTRICT p, const T* HWY_RESTRICT g,
                               T* HWY_RESTRICT v, T* HWY_RESTRICT gavg, T* HWY_RESTRICT buf) {
  const LineTag<T> d;
  const auto neg_lr = hn::Set(d, -s.lr);
  const auto wd = hn::Set(d, s.weight_decay);
  const auto alpha = hn::Set(d, s.alpha);
  const auto one_minus_alpha = hn::Set(d, T(1) - s.alpha);
  const auto eps = hn::Set(d, s.eps);
  const auto momentum = hn::Set(d, s.momentum);
  const auto zero = hn::Zero(d);
  for_each_vector<N>(d, [&](std::size_t k) HWY_ATTR {
    const auto vp = hn::Load(d, p + k);
    auto vg = hn::Load(d, g + k);
    if constexpr (kDecay) vg = hn::MulAdd(wd, vp, vg);
    const auto vv = hn::MulAdd(one_minus_alpha, hn::Mul(vg, vg), hn::Mul(alpha, hn::Load(d, v + k)));
    hn::Store(vv, d, v + k);
    auto avg = hn::Sqrt(vv);
    if constexpr (kCentered) {
      const auto va = hn::Load(d, gavg + k);
      const auto ga = hn::MulAdd(one_minus_alpha, hn::Sub(vg, va), va);
      hn::Store(ga, d, gavg + k);
      avg = hn::Sqrt(clamp_below(hn::NegMulAdd(ga, ga, vv), zero));  // NaN stays NaN
    }
    avg = hn::Add(avg, eps);
    if constexpr (kMomentum) {
      const auto vb = hn::MulAdd(momentum, hn::Load(d, buf + k), hn::Div(vg, avg));
      hn::Store(vb, d, buf + k);
      hn::Store(hn::MulAdd(neg_lr, vb, vp), d, p + k);
    } else {
      hn::Store(hn::MulAdd(neg_lr, hn::Div(vg, avg), vp), d, p + k);
    }
  });
}

/// One RMSProp step over every parameter of `params`, in place. `square_avg`
/// is v; `grad_avg` (centered only) and `buffer` (momentum only) are left
/// alone when their option is off.
template <class P, class T>
void rmsprop_step(const detail::RmsPropStep<T>& s, P& params, const P& grads, P& square_avg, P& grad_avg,
                  P& buffer) {
  for_each_region<P>([&](auto region) {
    using R = decltype(region);
    with_flags(
        [&]<bool kDecay, bool kCentered, bool kMomentum>() {
          rmsprop_region<kDecay, kCentered, kMomentum, R::size>(
              s, region_data<R>(params), region_data<R>(grads), region_data<R>(square_avg),
              region_data<R>(grad_avg), region_data<R>(buffer));
        },
        decays<R>(s), s.centered, s.momentum > T(0));
  });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
