// fixnet dispatch — one Highway target's kernels, as one table: the network
// passes (fixnet/passes/network-inl.hpp) and the parameter-set passes
// (optimiser steps, L2, norms, finiteness, axpy) behind the
// target-independent types.
//
// There is one such table per target, `fixnet::HWY_NAMESPACE::TargetKernels`,
// and it serves both dispatches:
//   - static: `fixnet::detail::StaticKernels` (fixnet/core/static_kernels.hpp),
//     which `BasicNetwork`, `ParameterSet` and the optimisers call, is the
//     table of HWY_STATIC_TARGET, defined here in that target's pass; calls
//     are direct and inline;
//   - runtime: a `Dispatcher` (fixnet/dispatch/dynamic_dispatch.hpp) holds
//     pointers to the members of the table of the target it chose.

#if defined(FIXNET_DISPATCH_TARGET_KERNELS_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_DISPATCH_TARGET_KERNELS_INL_HPP_
#undef FIXNET_DISPATCH_TARGET_KERNELS_INL_HPP_
#else
#define FIXNET_DISPATCH_TARGET_KERNELS_INL_HPP_
#endif

#include <cstddef>
#include <span>

#include "fixnet/core/config.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/core/update_steps.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/kernels/adam-inl.hpp"
#include "fixnet/kernels/all_finite-inl.hpp"
#include "fixnet/kernels/axpy-inl.hpp"
#include "fixnet/kernels/l2-inl.hpp"
#include "fixnet/kernels/rmsprop-inl.hpp"
#include "fixnet/kernels/sgd-inl.hpp"
#include "fixnet/kernels/sum_of_squares-inl.hpp"
#include "fixnet/passes/network-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {

/// This target's kernels. Network passes take the network's parameter set
/// and a workspace; parameter-set passes take parameter sets (any
/// `ParameterSet`). Every member is noexcept and allocates nothing.
struct TargetKernels {
  /// Whether every activation of Net's layers has a vector kernel for this
  /// target (checked by BasicNetwork where a pass is first used).
  template <class Net>
  static constexpr bool activation_kernels_defined = [] {
    bool ok = true;
    detail::for_each_index<Net::layer_count>([&](auto i) {
      using L = typename Net::template layer_type<decltype(i)::value>;
      if constexpr (requires { typename L::activation; })
        ok = ok && has_activation_kernel<typename L::activation>;
    });
    return ok;
  }();

  /// Runs the batch in ws through Net; KeepLogits keeps the last layer's
  /// pre-activation in ws.logits.
  template <bool KeepLogits, class Net, class W>
  static void forward(const typename Net::parameters_type& p, W& ws) noexcept {
    network_forward<Net, KeepLogits>(p, ws);
  }
  /// One sample: x holds Net::inputs values, y receives Net::outputs. In
  /// registers for small networks, otherwise through a one-sample workspace
  /// on this function's stack (a few hundred bytes for small networks, 4 KiB
  /// for 784-50-10; not initialised: kernels write before they read).
  template <class Net, class T>
  static void forward_sample(const typename Net::parameters_type& p, const T* x, T* y) noexcept {
    if constexpr (kSmallNetwork<Net>) {
      small_network_forward<Net>(p, x, y);
    } else {
      typename Net::template workspace_type<1> ws;
      ws.set_input(0, std::span<const T, Net::inputs>(x, Net::inputs));
      network_forward<Net, false>(p, ws);
      std::span<T, Net::outputs> out(y, Net::outputs);
      ws.get_output(0, out);
    }
  }
  /// Forward, loss L and backpropagation: adds scale times the gradient to
  /// grads (which may be p itself), returns the summed loss.
  template <class L, class Net, class W>
  static typename Net::scalar_type backward(const typename Net::parameters_type& p, W& ws,
                                            typename Net::parameters_type& grads,
                                            typename Net::scalar_type scale) noexcept {
    return network_backward<L, Net>(p, ws, grads, scale);
  }
  /// Forward and the summed loss L.
  template <class L, class Net, class W>
  static typename Net::scalar_type loss(const typename Net::parameters_type& p, W& ws) noexcept {
    return network_loss<L, Net>(p, ws);
  }

  /// y += alpha x on part `part` of `parts` of every block.
  template <class P, class T>
  static void axpy(T alpha, const P& x, P& y, std::size_t part = 0, std::size_t parts = 1) noexcept {
    fixnet::HWY_NAMESPACE::axpy(alpha, x, y, part, parts);
  }
  /// y += alpha x on every block (a gradient-descent update).
  template <class P>
  static void add_scaled(typename P::scalar_type alpha, const P& x, P& y) noexcept {
    fixnet::HWY_NAMESPACE::axpy(alpha, x, y);
  }
  template <class P, class T>
  static void scale(T s, P& p) noexcept {
    fixnet::HWY_NAMESPACE::scale(s, p);
  }
  /// One optimiser step; the step's type picks the optimiser (Sgd's,
  /// RmsProp's, Adam's arguments, fixnet/core/update_steps.hpp), followed by
  /// its state sets.
  template <class P, class T>
  static void update(const detail::SgdStep<T>& s, P& params, const P& grads, P& buffer) noexcept {
    sgd_step(s, params, grads, buffer);
  }
  template <class P, class T>
  static void update(const detail::RmsPropStep<T>& s, P& params, const P& grads, P& square_avg,
                     P& grad_avg, P& buffer) noexcept {
    rmsprop_step(s, params, grads, square_avg, grad_avg, buffer);
  }
  template <class P, class T>
  static void update(const detail::AdamStep<T>& s, P& params, const P& grads, P& m, P& v,
                     P& v_max) noexcept {
    adam_step(s, params, grads, m, v, v_max);
  }
  template <class P, class T>
  static void add_l2_gradient(T lambda, bool include_biases, const P& params, P& grads) noexcept {
    fixnet::HWY_NAMESPACE::add_l2_gradient(lambda, include_biases, params, grads);
  }
  template <class P>
  static double sum_of_squares(const P& p, bool include_biases) noexcept {
    return fixnet::HWY_NAMESPACE::sum_of_squares(p, include_biases);
  }
  template <class P>
  static bool all_finite(const P& p) noexcept {
    return fixnet::HWY_NAMESPACE::all_finite(p);
  }
};

}  // namespace fixnet::HWY_NAMESPACE

#if HWY_TARGET == HWY_STATIC_TARGET
namespace fixnet::detail {

/// The static target's table (see fixnet/core/static_kernels.hpp).
template <class Dependent>
struct StaticKernels : fixnet::HWY_NAMESPACE::TargetKernels {};

}  // namespace fixnet::detail
#endif  // HWY_TARGET == HWY_STATIC_TARGET

HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
