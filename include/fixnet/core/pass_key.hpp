// fixnet — the counter-based random numbers of training passes: a key per
// pass from (seed, step), and Dropout's keep decision as a pure function of
// (key, sample, unit), so that masks are reproducible across runs, targets
// and scalar types, and backward recomputes them instead of storing them.
// Vectorised in fixnet/kernels/dropout-inl.hpp.
#ifndef FIXNET_CORE_PASS_KEY_HPP
#define FIXNET_CORE_PASS_KEY_HPP

#include <cstddef>
#include <cstdint>

namespace fixnet {

/// The key of one training pass: splitmix64's finaliser of (seed, step).
constexpr std::uint32_t pass_key(std::uint64_t seed, std::uint64_t step) noexcept {
  std::uint64_t z = seed + (step + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 32);
}

/// A bijective 32-bit mixer (Wellons' "lowbias32"): consecutive inputs give
/// unrelated outputs. Vectorised in fixnet/kernels/dropout-inl.hpp.
constexpr std::uint32_t mix32(std::uint32_t x) noexcept {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

/// Whether unit `unit` of sample `sample` is kept in the pass with `key`, for
/// a layer of `width` units keeping a fraction threshold / 2^24.
constexpr bool dropout_keeps(std::uint32_t key, std::size_t sample, std::size_t unit,
                             std::size_t width, std::uint32_t threshold) noexcept {
  const auto index = static_cast<std::uint32_t>(sample * width + unit);
  return (mix32(index ^ key) >> 8) < threshold;
}

}  // namespace fixnet

#endif  // FIXNET_CORE_PASS_KEY_HPP
