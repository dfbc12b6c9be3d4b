// fixnet — the fixed-size batches of a data set's epoch: `GatheredBatches`
// (any order, rows by pointer) and `ContiguousBatches` (stored order, spans
// into the storage), and what happens to the last partial batch.
//
// Batches and the last partial batch: a batch is always exactly B samples (B
// is a template parameter, so a batch is a `FixedBatch` the network takes).
// When the number of samples n is not a multiple of B, the caller chooses
// (`LastBatch`):
//   - `LastBatch::drop` (the default): n / B batches; the n % B samples at the
//     end of the order are left out of this epoch. With a new permutation each
//     epoch, each sample is left out of a fraction (n % B) / n of the epochs.
//   - `LastBatch::wrap`: ceil(n / B) batches; the last one is filled up with
//     samples from the start of the order (order[0], order[1], ...), so every
//     sample is seen and a few twice. `batch.valid` counts the samples that
//     are not repeats (B except in that last batch), for the caller who must
//     not count them twice.
// `batches_per_epoch(n, B, policy)` gives the count; `range.size()` too.
// Evaluation (fixnet/train/evaluate.hpp) counts every sample exactly once.
#ifndef FIXNET_DATA_BATCHES_HPP
#define FIXNET_DATA_BATCHES_HPP

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <type_traits>

#include "fixnet/core/batch.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet::data {

/// What happens to the samples that do not fill a whole batch at the end of
/// an epoch (see the top of this header).
enum class LastBatch {
  /// Leave them out: n / B batches.
  drop,
  /// Fill the last batch from the start of the order: ceil(n / B) batches.
  wrap,
};

/// Batches in one pass over `samples` samples with batches of `batch_size`:
/// `samples / batch_size` when dropping the last partial batch, rounded up
/// when wrapping. 0 for a batch size of 0.
constexpr std::size_t batches_per_epoch(std::size_t samples, std::size_t batch_size,
                                        LastBatch policy = LastBatch::drop) noexcept {
  if (batch_size == 0) return 0;
  return policy == LastBatch::drop ? samples / batch_size
                                   : samples / batch_size + (samples % batch_size != 0);
}

/// One batch: the inputs (a `FixedBatch` of rows the network takes), the
/// labels (class indices, a `FixedBatch` of targets), how many of the samples
/// are not repeats (`valid`: the batch size, except in the last batch under
/// `LastBatch::wrap`) and the batch's position in the epoch (`index`).
/// An aggregate, so that `auto [xs, ys, valid, index] = batch;` works.
template <class Inputs, class Labels>
struct Batch {
  Inputs inputs;
  Labels labels;
  std::size_t valid;
  std::size_t index;
};

namespace detail {

/// Whether `Label` is a row of target values (`std::array<T, K>`: a
/// regression data set) rather than a class index.
template <class Label>
inline constexpr bool is_target_row = false;
template <Scalar T, std::size_t K>
inline constexpr bool is_target_row<std::array<T, K>> = true;

/// Whether `Label` is a row of targets of scalar type T.
template <class Label, class T>
inline constexpr bool is_target_row_of = false;
template <Scalar T, std::size_t K>
inline constexpr bool is_target_row_of<std::array<T, K>, T> = K > 0;

}  // namespace detail

// Defined in fixnet/data/dataset.hpp; the batch ranges only point into it.
template <Scalar T, std::size_t Width, class Label = std::uint8_t>
class Dataset;

namespace detail {

/// A random-access iterator over a range that makes element k on demand
/// (`range[k]`, by value): the batch ranges below.
template <class Range>
class IndexIterator {
 public:
  using value_type = typename Range::value_type;
  using difference_type = std::ptrdiff_t;
  using iterator_concept = std::forward_iterator_tag;

  IndexIterator() noexcept = default;
  IndexIterator(const Range* range, std::size_t k) noexcept : range_(range), k_(k) {}

  value_type operator*() const noexcept { return (*range_)[k_]; }
  IndexIterator& operator++() noexcept {
    ++k_;
    return *this;
  }
  IndexIterator operator++(int) noexcept {
    IndexIterator old = *this;
    ++k_;
    return old;
  }
  friend bool operator==(const IndexIterator& a, const IndexIterator& b) noexcept {
    return a.k_ == b.k_;
  }

 private:
  const Range* range_ = nullptr;
  std::size_t k_ = 0;
};

}  // namespace detail

/// The batches of one epoch in a given order (a permutation, usually; any
/// list of valid indices works): batch k gathers the rows
/// order[k*B] .. order[k*B + B - 1] by pointer (`GatheredBatch`, no copy of
/// the rows) and copies their labels (one byte each) or, for regression,
/// gathers their target rows by pointer too. See the top of this header for
/// the last partial batch. Holds pointers to the data set and the order: both
/// must outlive it.
template <Scalar T, std::size_t Width, std::size_t B, class Label = std::uint8_t>
class GatheredBatches {
 public:
  using row_type = std::array<T, Width>;
  using labels_type = std::conditional_t<detail::is_target_row<Label>, GatheredBatch<Label, B>,
                                         std::array<Label, B>>;
  using value_type = Batch<GatheredBatch<row_type, B>, labels_type>;
  using iterator = detail::IndexIterator<GatheredBatches>;

  GatheredBatches(const Dataset<T, Width, Label>& data, std::span<const std::size_t> order,
                  LastBatch policy) noexcept
      : data_(&data), order_(order), policy_(policy) {}

  /// Batches in the epoch: `batches_per_epoch(order.size(), B, policy)`.
  std::size_t size() const noexcept { return batches_per_epoch(order_.size(), B, policy_); }
  bool empty() const noexcept { return size() == 0; }

  /// Batch k (k < size()).
  value_type operator[](std::size_t k) const noexcept {
    assert(k < size());
    value_type batch{};
    const std::size_t n = order_.size();
    const std::size_t first = k * B;
    // Only the wrapped last batch reaches past n, and goes round from the start.
    for (std::size_t s = 0; s < B; ++s) {
      const std::size_t i = order_[(first + s) % n];
      batch.inputs.rows[s] = &data_->row(i);
      if constexpr (detail::is_target_row<Label>)
        batch.labels.rows[s] = &data_->label(i);
      else
        batch.labels[s] = data_->label(i);
    }
    batch.valid = std::min(B, n - first);
    batch.index = k;
    return batch;
  }

  iterator begin() const noexcept { return iterator(this, 0); }
  iterator end() const noexcept { return iterator(this, size()); }

 private:
  const Dataset<T, Width, Label>* data_;
  std::span<const std::size_t> order_;
  LastBatch policy_;
};

/// The whole batches of the data set in its stored order, as fixed-extent
/// spans into its storage (no copy at all): batch k is samples k*B .. k*B +
/// B - 1. The n % B samples at the end are not in any batch (there is no
/// contiguous way to wrap): `tail()` returns them, for a caller who wants to
/// treat them separately; use `Dataset::batches<B>(order, LastBatch::wrap)`
/// to have them in a batch. Holds a pointer to the data set, which must
/// outlive it.
template <Scalar T, std::size_t Width, std::size_t B, class Label = std::uint8_t>
class ContiguousBatches {
 public:
  using row_type = std::array<T, Width>;
  using value_type = Batch<std::span<const row_type, B>, std::span<const Label, B>>;
  using tail_type = Batch<std::span<const row_type>, std::span<const Label>>;
  using iterator = detail::IndexIterator<ContiguousBatches>;

  explicit ContiguousBatches(const Dataset<T, Width, Label>& data) noexcept : data_(&data) {}

  /// Whole batches: `data.size() / B`.
  std::size_t size() const noexcept { return data_->size() / B; }
  bool empty() const noexcept { return size() == 0; }

  /// Batch k (k < size()).
  value_type operator[](std::size_t k) const noexcept {
    assert(k < size());
    return {std::span<const row_type, B>(data_->rows().data() + k * B, B),
            std::span<const Label, B>(data_->labels().data() + k * B, B), B, k};
  }

  /// The samples after the last whole batch (fewer than B, maybe none), with
  /// `index` = size() and `valid` = their number.
  tail_type tail() const noexcept {
    const std::size_t first = size() * B;
    const std::size_t count = data_->size() - first;
    return {data_->rows().subspan(first, count), data_->labels().subspan(first, count), count,
            size()};
  }

  iterator begin() const noexcept { return iterator(this, 0); }
  iterator end() const noexcept { return iterator(this, size()); }

 private:
  const Dataset<T, Width, Label>* data_;
};

}  // namespace fixnet::data

#endif  // FIXNET_DATA_BATCHES_HPP
