// fixnet — the hyperbolic tangent.
#ifndef FIXNET_ACTIVATIONS_TANH_HPP
#define FIXNET_ACTIVATIONS_TANH_HPP

#include <cmath>

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// f(z) = tanh z; f'(z) = 1 - a^2 with a = f(z).
struct Tanh : Elementwise<Tanh> {
  static constexpr const char* name = "Tanh";
  template <Scalar T>
  static T value(T z) noexcept {
    return std::tanh(z);
  }
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    return T(1) - a * a;
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_TANH_HPP

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_TANH_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_TANH_KERNEL_
#undef FIXNET_ACTIVATIONS_TANH_KERNEL_
#else
#define FIXNET_ACTIVATIONS_TANH_KERNEL_
#endif

#include "fixnet/kernels/activation-inl.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Tanh> {
  /// tanh z. float: a rational approximation (tanh_float below), within
  /// 2.5 ULP of tanh (2.06 measured over every float with fused
  /// multiply-adds; see below); exactly odd, |tanh z| <= 1, NaN for
  /// NaN, +-1 for +-inf, and z itself for |z| < 2^-12 (-0 and subnormals
  /// included). double: hn::Tanh, 4 ULP, valid for every finite z.
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    if constexpr (sizeof(hn::TFromD<D>) == 4) {
      return tanh_float(d, z);
    } else {
      return hn::Tanh(d, z);
    }
  }
  /// 1 - a^2.
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V a) {
    return hn::NegMulAdd(a, a, hn::Set(d, hn::TFromD<D>(1)));
  }

  /// tanh x for float. hn::Tanh (an Expm1, a division and range handling)
  /// costs as much as a small layer's product; this is 5 FMAs of
  /// polynomial, one division and some twenty cheap operations.
  ///
  /// On |x| clamped to 9.5 (float tanh rounds to 1 from 9.01 on):
  /// rho = tanh(|x|/2) as (|x|/2) P(y) / Q(y), y = x^2, P of degree 2 and Q
  /// of degree 3 in y, P(0) = Q(0) = 1; then tanh x = 2 rho / (1 + rho^2).
  /// With N = |x| P and den = Q^2 + N^2 / 4, tanh |x| = N Q / den, computed as
  ///   |x| - |x| y W / den, W = Q (Q - P) / y + P^2 / 4   for |x| < 1.125,
  ///   1 - e^2 / den,        e = Q - N / 2               for |x| >= 1.125,
  /// so that the last operation adds a small correction to |x| or to 1
  /// instead of rounding a quotient of two large polynomials: the plain
  /// x P(x^2) / Q(x^2) form, fitted the same way, is 5-6 ULP in float at
  /// any degree, from the rounding of P and Q. Here their rounding errors are
  /// damped by the double-angle map, whose slope (1 - rho^2) / (1 + rho^2)
  /// falls to 0 as rho -> 1, and by the smallness of the corrections.
  /// The division is hn::Div: an approximate reciprocal and a Newton step
  /// measured no faster (the kernel is latency-bound on small layers).
  ///
  /// Coefficients: tools/fit_tanh.py (a minimax fit of the error of tanh x
  /// in float ULPs by Lawson's iteration, checked in float arithmetic).
  /// Error against tanh in double, measured over every float on AVX3_DL,
  /// AVX3, AVX2, SSE4, SSSE3 and SCALAR in an optimised -march=native build
  /// (where the compiler fuses every multiply-add): at most 2.06 ULP (at
  /// x = 1.162, where the two forms meet). Where multiply-adds are rounded
  /// twice (SSE4, SSSE3 and SCALAR on a CPU without FMA, or unoptimised),
  /// up to 2.43 ULP (at x = 1.060). Bounded here as 2.5 ULP, and swept on
  /// every target by tests/activation_kernel_test.cpp.
  template <class D, class V>
  static HWY_INLINE V tanh_float(D d, V z) {
    constexpr float kP1 = 0x1.e8013ep-6f;   // 0.0297854524
    constexpr float kP2 = 0x1.e0420cp-14f;  // 0.000114502429
    constexpr float kQ1 = 0x1.cf559ep-4f;   // 0.11311876
    constexpr float kQ2 = 0x1.3c9bb4p-10f;  // 0.00120776449
    constexpr float kQ3 = 0x1.4b4acep-20f;  // 1.23415964e-06
    const V one = hn::Set(d, 1.0f);
    const V half = hn::Set(d, 0.5f);
    // Clamped by a compare and a select, false for NaN, so that NaN stays NaN
    // through every operation below (hn::Min would turn it into 9.5).
    const V ax = hn::Abs(z);
    const V clamp = hn::Set(d, 9.5f);
    const V x = hn::IfThenElse(hn::Gt(ax, clamp), clamp, ax);
    const V y = hn::Mul(x, x);
    const V a = hn::MulAdd(hn::Set(d, kP2), y, hn::Set(d, kP1));  // (P - 1) / y
    const V b = hn::MulAdd(hn::MulAdd(hn::Set(d, kQ3), y, hn::Set(d, kQ2)), y,
                           hn::Set(d, kQ1));  // (Q - 1) / y
    // Horner, not Estrin, for Q: Estrin's rounding of Q costs 0.2 ULP more
    // near |x| = 1.1, and measured no faster.
    const V p = hn::MulAdd(y, a, one);
    const V q = hn::MulAdd(y, b, one);
    const V n = hn::Mul(x, p);
    const V den = hn::MulAdd(hn::Mul(hn::Set(d, 0.25f), n), n, hn::Mul(q, q));
    const V e = hn::NegMulAdd(half, n, q);
    const V h = hn::Mul(half, p);
    const V w = hn::MulAdd(h, h, hn::Mul(q, hn::Sub(b, a)));
    const auto small = hn::Lt(x, hn::Set(d, 1.125f));
    const V ratio = hn::Div(hn::IfThenElse(small, hn::Mul(y, w), hn::Mul(e, e)), den);
    const V m = hn::IfThenElse(small, x, one);
    return hn::CopySignToAbs(hn::NegMulAdd(m, ratio, m), z);
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
