#!/usr/bin/python3
"""Fits the coefficients of fixnet's float tanh kernel
(include/fixnet/activations/tanh.hpp) and checks them in float arithmetic.

The kernel computes tanh x from rho = tanh(x/2), by tanh x = 2 rho / (1 + rho^2),
with rho = (x/2) P(x^2) / Q(x^2), P(0) = Q(0) = 1, P of degree M and Q of
degree N in y = x^2. With N' = x P (= 2 rho Q):

    tanh x = N' Q / (Q^2 + N'^2 / 4)                       (exactly)
           = x - x y W / den,    W = Q (Q - P) / y + P^2 / 4   (x < X0)
           = 1 - e^2 / den,      e = Q - N' / 2                (x >= X0)

with den = Q^2 + N'^2 / 4. Rounding errors in P and Q reach tanh damped by
(1 - rho^2) / (1 + rho^2) (the double-angle map flattens as rho -> 1), and the
two final forms each round a small correction to x or to 1, so the result is
within about 2 ULP with 5 FMAs of polynomial (the kernel uses M = 2, N = 3,
C = 9.5, X0 = 1.125: 2.06 ULP over every float, measured in C++).

The fit minimises the maximum error of tanh x, in float ULPs, over [0, C] (in
exact arithmetic, the approximation itself) by Loeb's linearisation with
Lawson's reweighting (iteratively reweighted least squares towards minimax),
in the scaled variable u = (x / C)^2. Then the coefficients are rounded to
float and the kernel's arithmetic is simulated in float (FMA as one rounding)
on a dense grid, to report the error and check that the result is 1 at the
clamp C. Requires numpy. Usage: tools/fit_tanh.py [M N C X0]
"""
import sys

import numpy as np

f32 = np.float32


def fit(m, n, c, iters=300):
    x = np.sort(np.concatenate([np.linspace(0, c, 40001)[1:], np.geomspace(1e-5, 1, 2000)]))
    h = np.tanh(x / 2)
    t = np.tanh(x)
    u = (x / c) ** 2
    ulp = np.spacing(t.astype(f32)).astype(np.float64)
    # ULPs of tanh x per unit relative error of rho.
    gain = t * (1 - h**2) / (1 + h**2) / ulp
    # Residual (x/2 P - h Q), with P(0) = Q(0) = 1: unknowns p1..pm, q1..qn.
    a = np.hstack([np.stack([x / 2 * u**k for k in range(1, m + 1)], 1),
                   np.stack([-h * u**k for k in range(1, n + 1)], 1)])
    b = h - x / 2
    q_prev = np.ones_like(x)
    w = np.ones_like(x)
    best = None
    for _ in range(iters):
        s = w * gain / (h * q_prev)
        sol, *_ = np.linalg.lstsq(a * s[:, None], b * s, rcond=None)
        p = np.concatenate([[1], sol[:m]])
        q = np.concatenate([[1], sol[m:]])
        pv = np.polyval(p[::-1], u)
        qv = np.polyval(q[::-1], u)
        rho = x / 2 * pv / qv
        err = np.abs(2 * rho / (1 + rho * rho) - t) / ulp
        if qv.min() > 0 and (best is None or err.max() < best[0]):
            best = (err.max(), p, q)
        q_prev = qv
        r = np.abs(a @ sol - b) * s
        w = w * (r + 1e-6 * r.max())
        w /= w.sum()
    e, p, q = best
    return e, [p[k] / c ** (2 * k) for k in range(m + 1)], [q[k] / c ** (2 * k) for k in range(n + 1)]


def rnd(v):
    return np.asarray(v, dtype=np.float64).astype(f32).astype(np.float64)


def fma(a, b, c):
    # a*b is exact in double for float a, b; one rounding to double then to
    # float (a double rounding that is rarely off: the C++ test is the judge).
    return rnd(a * b + c)


def horner(cs, y):
    r = np.full_like(y, cs[-1])
    for c in cs[-2::-1]:
        r = fma(r, y, c)
    return r


def kernel(p, q, x, x0):
    """The kernel's float arithmetic on x >= 0 (clamped already)."""
    y = rnd(x * x)
    a = horner(p[1:], y)  # (P - 1) / y
    b = horner(q[1:], y)  # (Q - 1) / y
    pv = fma(y, a, 1.0)
    qv = fma(y, b, 1.0)
    nv = rnd(x * pv)
    den = fma(rnd(0.25 * nv), nv, rnd(qv * qv))
    e = fma(-0.5 * np.ones_like(nv), nv, qv)
    hp = rnd(0.5 * pv)
    wv = fma(hp, hp, rnd(qv * rnd(b - a)))
    small = x < x0
    d = rnd(np.where(small, rnd(y * wv), rnd(e * e)) / den)
    m = np.where(small, x, 1.0)
    return fma(-m, d, m)


def floats(lo, hi, stride):
    a = np.array([lo], dtype=f32).view(np.uint32)[0]
    b = np.array([hi], dtype=f32).view(np.uint32)[0]
    return np.arange(a, b + 1, stride, dtype=np.uint32).view(f32).astype(np.float64)


def main():
    m, n, c, x0 = 2, 3, 9.5, 1.125
    if len(sys.argv) == 5:
        m, n, c, x0 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    e, p, q = fit(m, n, c)
    p, q = [float(f32(v)) for v in p], [float(f32(v)) for v in q]
    x = floats(1e-4, c, 31)
    t = np.tanh(x)
    err = np.abs(kernel(p, q, x, x0) - t) / np.spacing(t.astype(f32)).astype(np.float64)
    at_c = kernel(p, q, np.array([float(f32(c))]), x0)[0]
    print(f"degrees P {m}, Q {n}; clamp {c}; forms switch at {x0}")
    print(f"approximation error (exact arithmetic): {e:.3f} ULP")
    print(f"float evaluation, every 31st float in [1e-4, {c}]: max {err.max():.2f} ULP at {x[err.argmax()]:.6g}")
    print(f"result at the clamp: {at_c!r} (must be 1)")
    for name, cs in (("P", p), ("Q", q)):
        for k, v in enumerate(cs[1:], 1):
            mant, exp = float(f32(v)).hex().split("p")
            print(f"  constexpr float k{name}{k} = {mant.rstrip('0')}p{exp}f;  // {v:.9g}")


if __name__ == "__main__":
    main()
