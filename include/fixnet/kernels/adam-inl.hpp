// fixnet kernels — one Adam step (with AMSGrad, L2 weight decay or AdamW's
// decoupled weight decay), as PyTorch's torch.optim.Adam and AdamW compute it
// (see fixnet/optimizers/adam.hpp for the formulas). One pass over the
// parameters, the gradients and the moments.

#if defined(FIXNET_KERNELS_ADAM_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_ADAM_INL_HPP_
#undef FIXNET_KERNELS_ADAM_INL_HPP_
#else
#define FIXNET_KERNELS_ADAM_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/non_finite-inl.hpp"
#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "fixnet/core/update_steps.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Adam over N stored values (whole lines), in PyTorch's order of operations:
///   p = p (1 - lr wd)                               (kDecoupled: AdamW)
///   g' = g + wd p                                   (kL2: Adam's weight decay)
///   m = m + (1 - beta1)(g' - m)                     (torch's lerp)
///   v = beta2 v + (1 - beta2) g'^2
///   vmax = max(vmax, v), and vmax replaces v below  (kAmsgrad)
///   p = p - step_size m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
template <bool kL2, bool kDecoupled, bool kAmsgrad, std::size_t N, class T>
HWY_INLINE void adam_region(const detail::AdamStep<T>& s, T* HWY_RESTRICT p, const T* HWY_RESTRICT g,
                            T* HWY_RESTRICT m, T* HWY_RESTRICT v, T* HWY_RESTRICT vmax) {
  const LineTag<T> d;
  const auto neg_step = hn::Set(d, -s.step_size);
  const auto bc2_sqrt = hn::Set(d, s.bias_correction2_sqrt);
  const auto one_minus_beta1 = hn::Set(d, T(1) - s.beta1);
  const auto beta2 = hn::Set(d, s.beta2);
  const auto one_minus_beta2 = hn::Set(d, T(1) - s.beta2);
  const auto eps = hn::Set(d, s.eps);
  const auto wd = hn::Set(d, s.weight_decay);
  const auto decay_factor = hn::Set(d, s.decay_factor);
  for_each_vector<N>(d, [&](std::size_t k) HWY_ATTR {
    auto vp = hn::Load(d, p + k);
    if constexpr (kDecoupled) vp = hn::Mul(vp, decay_factor);
    auto vg = hn::Load(d, g + k);
    if constexpr (kL2) vg = hn::MulAdd(wd, vp, vg);
    const auto vm0 = hn::Load(d, m + k);
    const auto vm = hn::MulAdd(one_minus_beta1, hn::Sub(vg, vm0), vm0);
    hn::Store(vm, d, m + k);
    auto vv = hn::MulAdd(one_minus_beta2, hn::Mul(vg, vg), hn::Mul(beta2, hn::Load(d, v + k)));
    hn::Store(vv, d, v + k);
    if constexpr (kAmsgrad) {
      vv = max_or_nan(hn::Load(d, vmax + k), vv);  // hn::Max would drop a NaN
      hn::Store(vv, d, vmax + k);
    }
    const auto denom = hn::Add(hn::Div(hn::Sqrt(vv), bc2_sqrt), eps);
    hn::Store(hn::MulAdd(neg_step, hn::Div(vm, denom), vp), d, p + k);
  });
}

/// One Adam step over every parameter of `params`, in place; `m` and `v` are
/// the first and second moments, `v_max` (AMSGrad only) the running maximum
/// of v, left alone otherwise.
template <class P, class T>
void adam_step(const detail::AdamStep<T>& s, P& params, const P& grads, P& m, P& v, P& v_max) {
  for_each_region<P>([&](auto region) {
    using R = decltype(region);
    const bool decay = decays<R>(s);
    with_flags(
        [&]<bool kL2, bool kDecoupled, bool kAmsgrad>() {
          adam_region<kL2, kDecoupled, kAmsgrad, R::size>(s, region_data<R>(params), region_data<R>(grads),
                                                          region_data<R>(m), region_data<R>(v),
                                                          region_data<R>(v_max));
        },
        decay && !s.decoupled_weight_decay, decay && s.decoupled_weight_decay, s.amsgrad);
  });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
