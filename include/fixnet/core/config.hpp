// fixnet — scalar types, alignment and padding shared by every header.
#ifndef FIXNET_CONFIG_HPP
#define FIXNET_CONFIG_HPP

#include <concepts>
#include <cstddef>

namespace fixnet {

/// The floating-point types a network may compute in: `float` (the default,
/// what the kernels are tuned for) and `double` (for gradient checks and for
/// users who need the precision).
template <class T>
concept Scalar = std::same_as<T, float> || std::same_as<T, double>;

/// Every buffer the kernels touch starts on a 64-byte boundary: one cache
/// line, and the widest vector Highway uses on x86 (AVX-512).
inline constexpr std::size_t alignment = 64;

/// Number of `T` in one 64-byte line (16 floats, 8 doubles).
template <Scalar T>
inline constexpr std::size_t lanes_per_line = alignment / sizeof(T);

/// `n` rounded up to whole 64-byte lines of `T`. Rows of weights and of
/// activations are padded to this, so that every vector load is aligned and
/// no kernel needs a remainder loop: a full-width vector never straddles the
/// end of a row, whatever the target's width (4, 8 or 16 floats all divide 16).
template <Scalar T>
constexpr std::size_t padded(std::size_t n) noexcept {
  return (n + lanes_per_line<T> - 1) / lanes_per_line<T> * lanes_per_line<T>;
}

namespace detail {

/// Always false, but dependent on its arguments: the condition of a
/// static_assert in a specialisation that is an error as soon as it is used.
template <class...>
inline constexpr bool dependent_false = false;

}  // namespace detail

}  // namespace fixnet

#endif  // FIXNET_CONFIG_HPP
