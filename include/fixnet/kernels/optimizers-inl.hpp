// fixnet kernels — the training passes over whole parameter sets: optimiser
// steps (SGD, RMSProp, Adam), the L2 gradient, sums of squares, scaling and
// finiteness checks.
//
// Also defines `fixnet::detail::StaticOptimizerKernels`
// (fixnet/dispatch/parameter_passes.hpp) in the pass compiled for
// HWY_STATIC_TARGET.

#if defined(FIXNET_KERNELS_OPTIMIZERS_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_OPTIMIZERS_INL_HPP_
#undef FIXNET_KERNELS_OPTIMIZERS_INL_HPP_
#else
#define FIXNET_KERNELS_OPTIMIZERS_INL_HPP_
#endif

#include "fixnet/core/config.hpp"
#include "fixnet/kernels/adam-inl.hpp"
#include "fixnet/kernels/all_finite-inl.hpp"
#include "fixnet/kernels/axpy-inl.hpp"
#include "fixnet/kernels/l2-inl.hpp"
#include "fixnet/kernels/rmsprop-inl.hpp"
#include "fixnet/kernels/sgd-inl.hpp"
#include "fixnet/kernels/sum_of_squares-inl.hpp"
#include "fixnet/dispatch/parameter_passes.hpp"
#include "fixnet/core/parameters.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();

#if HWY_TARGET == HWY_STATIC_TARGET
namespace fixnet::detail {

/// The training kernels of the static target, for the target-independent
/// optimisers and helpers (see fixnet/dispatch/parameter_passes.hpp).
template <class Dependent>
struct StaticOptimizerKernels {
  template <class P, class T>
  static void sgd(const SgdStep<T>& s, P& params, const P& grads, P& buffer) noexcept {
    fixnet::HWY_NAMESPACE::sgd_step(s, params, grads, buffer);
  }
  template <class P, class T>
  static void rmsprop(const RmsPropStep<T>& s, P& params, const P& grads, P& square_avg, P& grad_avg,
                      P& buffer) noexcept {
    fixnet::HWY_NAMESPACE::rmsprop_step(s, params, grads, square_avg, grad_avg, buffer);
  }
  template <class P, class T>
  static void adam(const AdamStep<T>& s, P& params, const P& grads, P& m, P& v, P& v_max) noexcept {
    fixnet::HWY_NAMESPACE::adam_step(s, params, grads, m, v, v_max);
  }
  template <class P, class T>
  static void add_l2_gradient(T lambda, bool include_biases, const P& params, P& grads) noexcept {
    fixnet::HWY_NAMESPACE::add_l2_gradient(lambda, include_biases, params, grads);
  }
  template <class P>
  static double sum_of_squares(const P& p, bool include_biases) noexcept {
    return fixnet::HWY_NAMESPACE::sum_of_squares(p, include_biases);
  }
  template <class P, class T>
  static void scale(T s, P& p) noexcept {
    fixnet::HWY_NAMESPACE::scale(s, p);
  }
  template <class P>
  static bool all_finite(const P& p) noexcept {
    return fixnet::HWY_NAMESPACE::all_finite(p);
  }
};

}  // namespace fixnet::detail
#endif  // HWY_TARGET == HWY_STATIC_TARGET

HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
