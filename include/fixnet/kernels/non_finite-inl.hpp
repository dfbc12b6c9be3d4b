// fixnet kernels — NaN-preserving forms of the few Highway operations that
// turn NaN into a number, so that every kernel propagates NaN.
//
// On Highway 1.0.3 (checked in its headers and on every x86 target):
// - hn::Max(a, b) and hn::Min(a, b) with a NaN operand return the other
//   operand on EMU128 and SCALAR (whatever the order), and b on x86 (maxps
//   returns its second operand when either is NaN): no order of the operands
//   keeps NaN on every target, so a clamp is a compare and a select instead,
//   whose compare is false for NaN.
// - hn::Exp(NaN) is 0 (its range check `x >= -104` is false for NaN).
// - hn::Log works on the bits of its argument: Log(NaN) is about 89 and
//   Log(+inf) about 88.7, both finite.
// hn::Tanh, hn::Log1p, arithmetic, hn::Sqrt and hn::MulAdd propagate NaN.
//
// Each helper costs a compare and a select (two instructions on SSE4, AVX2
// and AVX-512) beside the operation it guards.

#if defined(FIXNET_KERNELS_NON_FINITE_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_NON_FINITE_INL_HPP_
#undef FIXNET_KERNELS_NON_FINITE_INL_HPP_
#else
#define FIXNET_KERNELS_NON_FINITE_INL_HPP_
#endif

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// v, or NaN in the lanes where x is NaN.
template <class V>
HWY_INLINE V nan_where_nan(V x, V v) {
  return hn::IfThenElse(hn::IsNaN(x), x, v);
}

/// max(x, low): low where x < low, else x (so NaN stays NaN).
template <class V>
HWY_INLINE V clamp_below(V x, V low) {
  return hn::IfThenElse(hn::Lt(x, low), low, x);
}

/// max(a, b), NaN where either is NaN.
template <class V>
HWY_INLINE V max_or_nan(V a, V b) {
  return hn::IfThenElse(hn::Or(hn::Lt(a, b), hn::IsNaN(b)), b, a);
}

/// e^x with NaN kept (hn::Exp: 1 ULP, valid for x <= 88 in float, 709 in
/// double; callers keep x in that range).
template <class D, class V>
HWY_INLINE V exp_or_nan(D d, V x) {
  return nan_where_nan(x, hn::Exp(d, x));
}

/// log x for x >= the smallest normal number, +inf or NaN (callers clamp
/// below): hn::Log (4 ULP) where x is finite, x itself (+inf or NaN) where it
/// is not.
template <class D, class V>
HWY_INLINE V log_or_non_finite(D d, V x) {
  return hn::IfThenElse(hn::IsFinite(x), hn::Log(d, x), x);
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
