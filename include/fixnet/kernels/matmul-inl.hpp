// fixnet kernels — the register-blocked products behind the dense layer.
//
// A dense layer does three products (fixnet/kernels/dense-inl.hpp):
//   forward       z[b][o]  = sum_i W[o][i] x[b][i]    rows of W dot rows of x
//   weight grad  dW[o][i] += sum_b d[b][o] x[b][i]    outer products
//   input grad   dx[b][i]  = sum_o d[b][o] W[o][i]    outer products
// With W stored in rows ([Out][kW], fixnet/layers/dense.hpp) the forward product is
// a set of dot products along i and the other two accumulate rows.
//
// Each kernel keeps a tile of accumulators in registers so that every load
// feeds several FMAs: a row-by-row loop does one load per FMA and runs at
// the load ports' speed (half the FMA peak), a 4x4 tile does 8 loads for 16
// FMAs. The tile fits the register file: 16 accumulators + 5 operands need
// the 32 registers of AVX-512; with 16 registers (AVX2, SSE4, NEON's
// Highway targets are treated alike) the tile shrinks to 4x3 / 3x4.
// Enough independent accumulators (>= 8) also hide the FMA latency
// (2 ports x 4 cycles).

#if defined(FIXNET_KERNELS_MATMUL_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_MATMUL_INL_HPP_
#undef FIXNET_KERNELS_MATMUL_INL_HPP_
#else
#define FIXNET_KERNELS_MATMUL_INL_HPP_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "fixnet/core/layer.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Calls f(integral_constant<Size>, start) for consecutive tiles of `Tile`
/// items covering [0, Total), the last one `Total % Tile` items if that is
/// not zero. Every tile size is a constant, so each instantiation of f
/// unrolls fully.
template <std::size_t Total, std::size_t Tile, class F>
HWY_INLINE void for_each_tile(F&& f) {
  std::size_t start = 0;
  for (; start + Tile <= Total; start += Tile)
    f(std::integral_constant<std::size_t, Tile>{}, start);
  if constexpr (Total % Tile != 0) f(std::integral_constant<std::size_t, Total % Tile>{}, start);
}

/// Whether `add_sums_of_four` applies: float vectors of whole 128-bit blocks
/// (HWY_SCALAR has no shuffles).
template <class D>
inline constexpr bool kSumsOfFour =
    HWY_TARGET != HWY_SCALAR&& std::is_same_v<hn::TFromD<D>, float>&& kLanes<D> % 4 == 0;

#if HWY_TARGET != HWY_SCALAR
/// The lanes of a 128-bit block stacked onto the lower block: returns the
/// lower 128 bits of the sum of v's blocks.
template <class D, class V>
HWY_INLINE auto sum_of_blocks([[maybe_unused]] D d, V v) {
  if constexpr (kLanes<D> * sizeof(hn::TFromD<D>) <= 16) {
    return v;
  } else {
    const hn::Half<D> dh;
    return sum_of_blocks(dh, hn::Add(hn::LowerHalf(dh, v), hn::UpperHalf(dh, v)));
  }
}

/// {sum(a), sum(b), sum(c), sum(e)} as one 128-bit vector: four horizontal
/// sums in one transpose-and-add (per block: interleave pairs, then 64-bit
/// halves), then one fold of the blocks, instead of four separate reductions.
template <class D, class V>
HWY_INLINE auto sums_of_four(D d, V a, V b, V c, V e) {
  const V ab = hn::Add(hn::InterleaveLower(d, a, b), hn::InterleaveUpper(d, a, b));
  const V ce = hn::Add(hn::InterleaveLower(d, c, e), hn::InterleaveUpper(d, c, e));
  const hn::Repartition<std::uint64_t, D> d64;
  const auto ab64 = hn::BitCast(d64, ab);
  const auto ce64 = hn::BitCast(d64, ce);
  const V sums = hn::Add(hn::BitCast(d, hn::InterleaveLower(d64, ab64, ce64)),
                         hn::BitCast(d, hn::InterleaveUpper(d64, ab64, ce64)));
  return sum_of_blocks(d, sums);
}

/// out[0..3] += {sum(a), sum(b), sum(c), sum(e)}.
template <class D, class V, class T = hn::TFromD<D>>
HWY_INLINE void add_sums_of_four(D d, V a, V b, V c, V e, T* HWY_RESTRICT out) {
  const hn::CappedTag<T, 4> d4;
  hn::StoreU(hn::Add(hn::LoadU(d4, out), sums_of_four(d, a, b, c, e)), d4, out);
}
#else
template <class D, class V, class T = hn::TFromD<D>>
void add_sums_of_four(D, V, V, V, V, T*);  // never called: kSumsOfFour is false
#endif

#if HWY_TARGET != HWY_SCALAR
/// The 128-bit blocks at `blocks` joined into one vector of D (lowest first).
template <class D, class V128>
HWY_INLINE hn::Vec<D> join_blocks(D d, const V128* blocks) {
  if constexpr (kLanes<D> * sizeof(hn::TFromD<D>) <= 16) {
    return blocks[0];
  } else {
    const hn::Half<D> dh;
    constexpr std::size_t kHalfBlocks = kLanes<D> * sizeof(hn::TFromD<D>) / 32;
    return hn::Combine(d, join_blocks(dh, blocks + kHalfBlocks), join_blocks(dh, blocks));
  }
}

/// One sample: z[o] = dot(W row o, x) for o < Out as a row in registers
/// (zero past Out). x is a RegisterRow or an UnpaddedRow of In; W is [Out][kW].
/// Rows of W go four at a time: four independent FMA chains, then one
/// transpose-and-add into a 128-bit block (the blocks are joined into the
/// output's vectors). Four chains keep up with W streaming in from L2 (one
/// vector per cycle); 8 or 16 rows at a time, or prefetching the next rows,
/// measured no faster for 784-50-10 (16: 20% slower, more streams at once).
/// Each dot product adds in the order of `dot_tile`, so the result is the
/// batch path's bit for bit.
template <std::size_t Out, std::size_t kW, class X, class T>
HWY_INLINE RegisterRow<T, Out> dot_rows_in_registers(const T* HWY_RESTRICT w, const X& x) {
  static_assert(std::is_same_v<T, float>, "four sums per 128-bit block");
  const typename X::tag d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  using V = hn::Vec<decltype(d)>;
  using Z = RegisterRow<T, Out>;
  constexpr std::size_t kBlocksPerVector = kLanes<typename Z::tag> / 4;
  constexpr std::size_t kBlocks = Z::count * kBlocksPerVector;
  hn::Vec<hn::Full128<T>> blocks[kBlocks];
  detail::for_each_index<kBlocks>([&](auto block) {
    constexpr std::size_t kFirst = decltype(block)::value * 4;
    constexpr std::size_t kRows = kFirst >= Out ? 0 : std::min<std::size_t>(4, Out - kFirst);
    V acc[4] = {hn::Zero(d), hn::Zero(d), hn::Zero(d), hn::Zero(d)};
    // acc[r] += W[r] x over vector v; the first products start the sums
    // (not added to zero: one step less on the chain, and dot_tile's order).
    const auto add = [&]<bool kStart>(std::size_t v, V xv) {
      for (std::size_t r = 0; r < kRows; ++r) {
        const V wv = hn::Load(d, w + (kFirst + r) * kW + v * kL);
        acc[r] = kStart ? hn::Mul(wv, xv) : hn::MulAdd(wv, xv, acc[r]);
      }
    };
    if constexpr (kRows > 0) {
      for_each_row_vector(
          x, [&](V xv) { add.template operator()<true>(0, xv); },
          [&](std::size_t v, V xv) { add.template operator()<false>(v, xv); });
    }
    blocks[kFirst / 4] = sums_of_four(d, acc[0], acc[1], acc[2], acc[3]);
  });
  Z z;
  for (std::size_t v = 0; v < Z::count; ++v)
    z.v[v] = join_blocks(typename Z::tag(), blocks + v * kBlocksPerVector);
  return z;
}
#endif

/// z[s * kZ + r] += dot(W row r, x row s) for a tile of R rows of W (stride
/// kW) and S rows of x (stride kX), each kVectors vectors of D long.
template <std::size_t R, std::size_t S, std::size_t kVectors, std::size_t kW, std::size_t kX,
          std::size_t kZ, class D, class T = hn::TFromD<D>>
HWY_INLINE void dot_tile(D d, const T* HWY_RESTRICT w, const T* HWY_RESTRICT x, T* HWY_RESTRICT z) {
  constexpr std::size_t kL = kLanes<D>;
  using V = hn::Vec<D>;
  V acc[R][S];
  // The first products start the sums (not added to zero: one step less).
  const auto add = [&]<bool kStart>(std::size_t v) {
    V xv[S];
    for (std::size_t s = 0; s < S; ++s) xv[s] = hn::Load(d, x + s * kX + v * kL);
    for (std::size_t r = 0; r < R; ++r) {
      const V wv = hn::Load(d, w + r * kW + v * kL);
      for (std::size_t s = 0; s < S; ++s)
        acc[r][s] = kStart ? hn::Mul(wv, xv[s]) : hn::MulAdd(wv, xv[s], acc[r][s]);
    }
  };
  add.template operator()<true>(0);
  for (std::size_t v = 1; v < kVectors; ++v) add.template operator()<false>(v);
  for (std::size_t s = 0; s < S; ++s) {
    if constexpr (kSumsOfFour<D>) {
      // A partial tile adds zero sums to the row's padding (which stays
      // zero), so that every dot product is summed in one order.
      const auto sum = [&](std::size_t r) { return r < R ? acc[r][s] : hn::Zero(d); };
      for (std::size_t r = 0; r < R; r += 4)
        add_sums_of_four(d, sum(r), sum(r + 1), sum(r + 2), sum(r + 3), z + s * kZ + r);
    } else {
      for (std::size_t r = 0; r < R; ++r) z[s * kZ + r] += reduce_sum(d, acc[r][s]);
    }
  }
}

/// z[b * kZ + o] += sum_i W[o][i] x[b][i] for o < Out, b < B: W is [Out][kW],
/// x is [B][kX], rows kVectors vectors of D long. Tiles of 4 rows of W by
/// 4 samples (3 with 16 registers); one sample at a time, 8 rows, so that
/// 8 independent sums hide the FMA latency while W streams in.
template <std::size_t Out, std::size_t B, std::size_t kVectors, std::size_t kW, std::size_t kX,
          std::size_t kZ, class D, class T = hn::TFromD<D>>
HWY_INLINE void matmul_dot(D d, const T* HWY_RESTRICT w, const T* HWY_RESTRICT x,
                           T* HWY_RESTRICT z) {
  constexpr std::size_t kS = B == 1 ? 1 : (kVectorRegisters >= 32 ? 6 : 3);
  constexpr std::size_t kR = 4;
  for_each_tile<B, kS>([&](auto samples, std::size_t b) {
    for_each_tile<Out, kR>([&](auto rows, std::size_t o) {
      dot_tile<decltype(rows)::value, decltype(samples)::value, kVectors, kW, kX, kZ>(
          d, w + o * kW, x + b * kX, z + b * kZ + o);
    });
  });
}

/// c[m][n] (+)= scale sum_k a[m * kAm + k * kAk] * b[k * kB + n] for a
/// tile of M rows of c and N vectors of D along them (one column strip), K
/// terms. With Accumulate the tile is added to c, otherwise it replaces it.
/// The tile starts at column `column` of rows whose first kValid columns are
/// values and the rest padding, which is written as zero: b's padding is
/// zero, but a non-finite a would make it NaN (0 * inf), and NaN in a
/// parameter set's padding would survive every later `set` of its values.
template <std::size_t M, std::size_t N, std::size_t K, std::size_t kAm, std::size_t kAk,
          std::size_t kB, std::size_t kC, bool Accumulate, std::size_t kValid, class D,
          class T = hn::TFromD<D>>
HWY_INLINE void outer_tile(D d, const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, T scale,
                           T* HWY_RESTRICT c, std::size_t column) {
  constexpr std::size_t kL = kLanes<D>;
  using V = hn::Vec<D>;
  V acc[M][N];
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t n = 0; n < N; ++n) acc[m][n] = hn::Zero(d);
  for (std::size_t k = 0; k < K; ++k) {
    V bv[N];
    for (std::size_t n = 0; n < N; ++n) bv[n] = hn::Load(d, b + k * kB + n * kL);
    for (std::size_t m = 0; m < M; ++m) {
      const V am = hn::Set(d, a[m * kAm + k * kAk]);
      for (std::size_t n = 0; n < N; ++n) acc[m][n] = hn::MulAdd(am, bv[n], acc[m][n]);
    }
  }
  const V vscale = hn::Set(d, scale);
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t n = 0; n < N; ++n) {
      T* HWY_RESTRICT cv = c + m * kC + n * kL;
      const V out =
          Accumulate ? hn::MulAdd(vscale, acc[m][n], hn::Load(d, cv)) : hn::Mul(vscale, acc[m][n]);
      hn::Store(keep_in_row<kValid>(d, out, column + n * kL), d, cv);
    }
  }
}

/// c[m][.] (+)= scale sum_k a(m, k) b[k][.] for m < M, rows of kVectors vectors of
/// D, of which the first kValid columns are values and the others padding
/// (kept zero): c is [M][kC], b is [K][kB], a(m, k) = a[m * kAm + k * kAk]. Column
/// strips outermost, so that a strip of b (K rows) stays in L1 while every
/// tile of rows of c uses it; tiles of 4 rows by 4 vectors (3 with 16
/// registers).
template <std::size_t M, std::size_t K, std::size_t kVectors, std::size_t kAm, std::size_t kAk,
          std::size_t kB, std::size_t kC, bool Accumulate, std::size_t kValid, class D,
          class T = hn::TFromD<D>>
HWY_INLINE void matmul_outer(D d, const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, T scale,
                             T* HWY_RESTRICT c) {
  constexpr std::size_t kL = kLanes<D>;
  constexpr std::size_t kN = kVectorRegisters >= 32 ? 4 : 3;
  constexpr std::size_t kM = kVectorRegisters >= 32 ? 6 : 4;
  for_each_tile<kVectors, kN>([&](auto vectors, std::size_t v) {
    for_each_tile<M, kM>([&](auto rows, std::size_t m) {
      outer_tile<decltype(rows)::value, decltype(vectors)::value, K, kAm, kAk, kB, kC, Accumulate,
                 kValid>(d, a + m * kAm, b + v * kL, scale, c + m * kC + v * kL, v * kL);
    });
  });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
