// fixnet — what a batch (and a target) may be: containers whose extents are
// part of their types, so that a batch of the wrong width or size is a
// compile error rather than a run-time one.
#ifndef FIXNET_BATCH_HPP
#define FIXNET_BATCH_HPP

#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>

namespace fixnet {

/// A batch of B rows gathered by pointer from anywhere (a shuffled data set,
/// say): `view[b]` is the row `rows[b]` points to. Lets a network copy each
/// sample straight from the data set into its workspace, with no staging copy
/// of the batch. Every pointer must be valid while the view is used.
template <class Row, std::size_t B>
struct GatheredBatch {
  std::array<const Row*, B> rows{};

  const Row& operator[](std::size_t b) const noexcept { return *rows[b]; }
  static constexpr std::size_t size() noexcept { return B; }
};

namespace detail {

/// A sequence whose length is part of its type: std::array<E, N>, or
/// std::span<E, N> of static extent (a row, or a batch of rows).
template <class C>
struct FixedExtent {
  static constexpr bool fixed = false;
};
template <class E, std::size_t N>
struct FixedExtent<std::array<E, N>> {
  static constexpr bool fixed = true;
  using element_type = E;
  static constexpr std::size_t extent = N;
};
template <class E, std::size_t N>
  requires(N != std::dynamic_extent)
struct FixedExtent<std::span<E, N>> {
  static constexpr bool fixed = true;
  using element_type = std::remove_const_t<E>;
  static constexpr std::size_t extent = N;
};

/// A batch: a fixed-extent sequence of rows, or a GatheredBatch.
template <class C>
struct BatchTraits : FixedExtent<C> {};
template <class R, std::size_t B>
struct BatchTraits<GatheredBatch<R, B>> {
  static constexpr bool fixed = true;
  using element_type = R;
  static constexpr std::size_t extent = B;
};

}  // namespace detail

/// One sample's values of fixed extent: `std::array<T, W>` or
/// `std::span<const T, W>` (W not dynamic).
template <class R>
concept FixedRow = detail::FixedExtent<std::remove_cvref_t<R>>::fixed;

/// A batch of fixed size: `std::array<Row, B>`, `std::span<Row, B>` (B not
/// dynamic) or `GatheredBatch<Row, B>`, where Row is a `FixedRow` or, for
/// targets, a class index.
template <class C>
concept FixedBatch = detail::BatchTraits<std::remove_cvref_t<C>>::fixed;

/// A target for one sample: a row of the network's output width (one-hot or
/// any distribution), or a class index (any unsigned or signed integer).
template <class R>
concept Target = FixedRow<R> || std::integral<std::remove_cvref_t<R>>;

template <FixedBatch C>
inline constexpr std::size_t batch_size_v = detail::BatchTraits<std::remove_cvref_t<C>>::extent;

template <FixedBatch C>
using batch_row_t = typename detail::BatchTraits<std::remove_cvref_t<C>>::element_type;

}  // namespace fixnet

#endif  // FIXNET_BATCH_HPP
