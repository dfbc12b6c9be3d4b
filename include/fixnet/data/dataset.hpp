// fixnet — a labelled data set of fixed-width samples, and its fixed-size
// batches. Samples are labelled with a class index (classification, the
// default) or a row of target values (regression: `RegressionDataset`).
//
//   fixnet::data::Dataset<float, 784> train = fixnet::data::load_mnist<Net>(dir).train;
//   auto [fit, validation] = fixnet::data::split(train, 10000, /*seed=*/1);
//   fixnet::Rng rng(2);
//   std::vector<std::size_t> order = fixnet::data::identity_order(fit.size());
//   for (int epoch = 0; epoch < 10; ++epoch) {
//     fixnet::data::shuffle(order, rng);  // a new permutation each epoch
//     for (auto batch : fit.batches<32>(order)) {  // 1562 batches; 16 samples left out
//       grads.zero();
//       net.backward(batch.inputs, batch.labels, fixnet::CrossEntropy{}, grads, ws);
//       ...
//     }
//   }
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
#ifndef FIXNET_DATA_DATASET_HPP
#define FIXNET_DATA_DATASET_HPP

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "fixnet/core/aligned_allocator.hpp"
#include "fixnet/core/batch.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/data/standardization.hpp"
#include "fixnet/data/error.hpp"
#include "fixnet/data/points.hpp"
#include "fixnet/train/init.hpp"
#include "fixnet/core/shape_checks.hpp"

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

/// 0, 1, ..., n - 1: the order of an unshuffled epoch, and the start of a
/// permutation that `shuffle` then shuffles in place.
inline std::vector<std::size_t> identity_order(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  return order;
}

/// Shuffles `order` in place: Fisher–Yates, from the last element down, each
/// swap partner drawn with Boost.Random's `uniform_int_distribution` from
/// `rng`. The algorithm of `std::shuffle` is unspecified and differs between
/// standard libraries; this one gives the same permutation everywhere for the
/// same engine state. Allocates nothing: call it once per epoch on the same
/// vector.
inline void shuffle(std::span<std::size_t> order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    // 64-bit on every platform, so that the draws do not depend on size_t.
    const auto j = static_cast<std::size_t>(
        boost::random::uniform_int_distribution<std::uint64_t>(0, i - 1)(rng));
    std::swap(order[i - 1], order[j]);
  }
}

/// A random permutation of 0 .. n - 1 (`identity_order` then `shuffle`).
inline std::vector<std::size_t> shuffled_order(std::size_t n, Rng& rng) {
  std::vector<std::size_t> order = identity_order(n);
  shuffle(order, rng);
  return order;
}

/// A random permutation of 0 .. n - 1 from a fresh engine seeded with `seed`.
inline std::vector<std::size_t> shuffled_order(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  return shuffled_order(n, rng);
}

/// Whether `fit_standardization` computes one mean and deviation per feature
/// (pixel) or one over all features (PyTorch's `Normalize((0.1307,),
/// (0.3081,))` for MNIST).
enum class StandardizeOver { feature, all };

/// Whether `split` keeps the class proportions in both parts.
enum class Stratify { none, by_class };

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

template <class Label, class T>
consteval bool check_label_type() {
  // Fix: label samples with a class index (the default, std::uint8_t) or a
  // row of targets in the data's scalar type: RegressionDataset<T, Inputs, Outputs>.
  static_assert(std::same_as<Label, std::uint8_t> || is_target_row_of<Label, T>,
                "fixnet: Dataset<T, Width, Label>: the label must be a class index (std::uint8_t) "
                "or a row of targets std::array<T, K> of the data's scalar type");
  return true;
}

}  // namespace detail

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

inline std::string index_error(const char* what, std::size_t index, std::size_t size) {
  return std::string("fixnet::data::Dataset::") + what + ": index " + std::to_string(index) +
         " is out of range: expected indices below the data set's size, " + std::to_string(size);
}

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

/// Labelled samples of `Width` values of type T each (784 pixels, say). The
/// label of a sample is, by default, a class index 0 .. classes() - 1 as a
/// byte (classification); with `Label = std::array<T, K>` it is a row of K
/// target values (regression: `RegressionDataset<T, Width, K>`), which a
/// network of K outputs learns with a loss such as `SquaredError`.
///
/// Storage: one contiguous block of rows `std::array<T, Width>`, without
/// padding between them (so that B consecutive rows are a
/// `std::span<const row_type, B>`, a batch the network takes), starting on a
/// 64-byte boundary (`AlignedAllocator`). A row is itself 64-byte aligned when
/// Width * sizeof(T) is a multiple of 64 (784 floats are). The labels are a
/// separate block.
///
/// A value type: copies copy the data. Operations that make a new data set
/// (`select`, `head`, `keep_classes`, `split`) copy the rows they keep;
/// `batches` views the data without copying.
template <Scalar T, std::size_t Width, class Label>
class Dataset {
  static_assert(Width > 0, "fixnet: a Dataset's rows need at least one value (Width > 0)");
  static_assert(detail::check_label_type<Label, T>());

 public:
  using scalar_type = T;
  using row_type = std::array<T, Width>;
  /// A class index (std::uint8_t) or a row of targets (std::array<T, K>).
  using label_type = Label;
  using storage_type = std::vector<row_type, AlignedAllocator<row_type>>;
  static constexpr std::size_t width = Width;
  /// Whether the labels are class indices (true) or target rows.
  static constexpr bool classification = !detail::is_target_row<Label>;
  /// Labels are bytes, so at most 256 classes.
  static constexpr std::size_t max_classes = 256;

  /// An empty data set (of no class, for classification).
  Dataset() = default;

  /// An empty data set of `classes` classes, to fill with `add`. Throws
  /// std::invalid_argument for more than 256 classes.
  explicit Dataset(std::size_t classes)
    requires classification
      : classes_(classes) {
    check_class_count(classes);
  }

  /// Takes the rows and their labels. Throws `DataError` when there are not
  /// as many labels as rows or a label is not below `classes` (naming the
  /// first such sample), std::invalid_argument for more than 256 classes.
  Dataset(storage_type rows, std::vector<label_type> labels, std::size_t classes)
    requires classification
      : rows_(std::move(rows)), labels_(std::move(labels)), classes_(classes) {
    check_class_count(classes);
    check_label_count();
    for (std::size_t i = 0; i < labels_.size(); ++i) check_label(i, labels_[i]);
  }

  /// Takes the rows and their target rows. Throws `DataError` when there are
  /// not as many target rows as rows or a target is not finite (naming the
  /// sample and the column).
  Dataset(storage_type rows, std::vector<label_type> targets)
    requires(!classification)
      : rows_(std::move(rows)), labels_(std::move(targets)) {
    check_label_count();
    for (std::size_t i = 0; i < labels_.size(); ++i) check_label(i, labels_[i]);
  }

  /// Appends one sample. Throws `DataError` if `label` is not below classes()
  /// (classification) or a target is not finite (regression).
  void add(const row_type& row, const label_type& label) {
    check_label(rows_.size(), label);
    rows_.push_back(row);
    labels_.push_back(label);
  }

  /// Reserves room for n samples.
  void reserve(std::size_t n) {
    rows_.reserve(n);
    labels_.reserve(n);
  }

  /// Number of samples.
  std::size_t size() const noexcept { return rows_.size(); }
  bool empty() const noexcept { return rows_.empty(); }
  /// Number of classes: every label is below it.
  std::size_t classes() const noexcept
    requires classification
  {
    return classes_;
  }

  /// All rows, contiguous, in order. Writable, for transformations of the
  /// user's own (labels are not, so that they stay in range).
  std::span<row_type> rows() noexcept { return rows_; }
  std::span<const row_type> rows() const noexcept { return rows_; }
  /// All labels (class indices or target rows), in the order of the rows.
  std::span<const label_type> labels() const noexcept { return labels_; }

  /// Sample i's values and label (i < size(), unchecked).
  const row_type& row(std::size_t i) const noexcept {
    assert(i < size());
    return rows_[i];
  }
  const label_type& label(std::size_t i) const noexcept {
    assert(i < size());
    return labels_[i];
  }

  /// Sample i's label as a one-hot row of `Classes` values (1 at the label, 0
  /// elsewhere): a target for a loss that wants a distribution. Throws
  /// std::invalid_argument if `Classes` is smaller than classes() (a label
  /// might not fit) or i is out of range.
  template <std::size_t Classes>
  std::array<T, Classes> one_hot(std::size_t i) const
    requires classification
  {
    check_one_hot_width(Classes);
    if (i >= size()) throw std::invalid_argument(detail::index_error("one_hot", i, size()));
    std::array<T, Classes> row{};
    row[labels_[i]] = T(1);
    return row;
  }

  /// Every label as a one-hot row (see `one_hot`), in order: a matrix of
  /// size() x Classes, built when called.
  template <std::size_t Classes>
  std::vector<std::array<T, Classes>, AlignedAllocator<std::array<T, Classes>>> one_hot_rows() const
    requires classification
  {
    check_one_hot_width(Classes);
    std::vector<std::array<T, Classes>, AlignedAllocator<std::array<T, Classes>>> out(size());
    for (std::size_t i = 0; i < size(); ++i) out[i][labels_[i]] = T(1);
    return out;
  }

  /// Number of samples of each class (classes() counts).
  std::vector<std::size_t> class_counts() const
    requires classification
  {
    std::vector<std::size_t> counts(classes_, 0);
    for (const label_type label : labels_) ++counts[label];
    return counts;
  }

  /// Multiplies every value by `factor` (pixels / 255 is `scale(1 / 255.0)`;
  /// the loaders can do it as they read, see fixnet/data/idx.hpp).
  void scale(T factor) noexcept {
    for (row_type& row : rows_)
      for (T& v : row) v *= factor;
  }

  /// x[i] = (x[i] - s.mean[i]) / s.stddev[i] for every row.
  void standardize(const Standardization<T, Width>& s) noexcept {
    for (row_type& row : rows_) s.apply(row);
  }

  /// The samples at `indices`, in that order (repeats allowed), with the same
  /// classes. Throws std::invalid_argument for an index out of range.
  Dataset select(std::span<const std::size_t> indices) const {
    for (const std::size_t i : indices)
      if (i >= size()) throw std::invalid_argument(detail::index_error("select", i, size()));
    Dataset out = empty_like();
    out.rows_.resize(indices.size());
    out.labels_.resize(indices.size());
    for (std::size_t k = 0; k < indices.size(); ++k) {
      out.rows_[k] = rows_[indices[k]];
      out.labels_[k] = labels_[indices[k]];
    }
    return out;
  }

  /// The first min(n, size()) samples.
  Dataset head(std::size_t n) const {
    const auto count = static_cast<std::ptrdiff_t>(std::min(n, size()));
    Dataset out = empty_like();
    out.rows_.assign(rows_.begin(), rows_.begin() + count);
    out.labels_.assign(labels_.begin(), labels_.begin() + count);
    return out;
  }

  /// The samples of the listed classes only, relabelled by their position in
  /// the list: `keep_classes({3, 8})` keeps the 3s as class 0 and the 8s as
  /// class 1 (a data set of 2 classes), in their original order. Throws
  /// std::invalid_argument for an empty list, a class that is not below
  /// classes(), or a class listed twice.
  Dataset keep_classes(std::span<const label_type> keep) const
    requires classification
  {
    if (keep.empty())
      throw std::invalid_argument("fixnet::data::Dataset::keep_classes: expected at least one class, got none");
    std::array<int, max_classes> relabel;
    relabel.fill(-1);
    for (std::size_t k = 0; k < keep.size(); ++k) {
      const label_type c = keep[k];
      if (c >= classes_)
        throw std::invalid_argument("fixnet::data::Dataset::keep_classes: class " +
                                    std::to_string(c) + " is out of range: expected classes below " +
                                    std::to_string(classes_));
      if (relabel[c] != -1)
        throw std::invalid_argument("fixnet::data::Dataset::keep_classes: class " +
                                    std::to_string(c) + " is listed twice: expected distinct classes");
      relabel[c] = static_cast<int>(k);
    }
    Dataset out(keep.size());
    for (std::size_t i = 0; i < size(); ++i)
      if (relabel[labels_[i]] >= 0) {
        out.rows_.push_back(rows_[i]);
        out.labels_.push_back(static_cast<label_type>(relabel[labels_[i]]));
      }
    return out;
  }
  Dataset keep_classes(std::initializer_list<label_type> keep) const
    requires classification
  {
    return keep_classes(std::span<const label_type>(keep.begin(), keep.size()));
  }

  /// The batches of one epoch in the given order (see `GatheredBatches` and
  /// the top of this header). Throws std::invalid_argument if an index in
  /// `order` is not below size() (checked here, once per epoch, so that the
  /// batches need no check). The order must outlive the returned range: a
  /// temporary vector is refused at compile time, since in
  /// `for (auto b : data.batches<32>(shuffled_order(n, rng)))` it would be
  /// destroyed before the loop runs.
  template <std::size_t B>
  GatheredBatches<T, Width, B, Label> batches(std::span<const std::size_t> order,
                                              LastBatch policy = LastBatch::drop) const& {
    static_assert(B > 0, "fixnet: Dataset::batches<B> needs a batch size B > 0");
    for (const std::size_t i : order)
      if (i >= size()) throw std::invalid_argument(detail::index_error("batches", i, size()));
    return GatheredBatches<T, Width, B, Label>(*this, order, policy);
  }
  template <std::size_t B>
  GatheredBatches<T, Width, B, Label> batches(const std::vector<std::size_t>& order,
                                              LastBatch policy = LastBatch::drop) const& {
    return batches<B>(std::span<const std::size_t>(order), policy);
  }

  /// The whole batches in stored order, as spans into the storage, without
  /// copying or gathering (see `ContiguousBatches`: the last partial batch is
  /// dropped, and available from `tail()`).
  template <std::size_t B>
  ContiguousBatches<T, Width, B, Label> batches() const& {
    static_assert(B > 0, "fixnet: Dataset::batches<B> needs a batch size B > 0");
    return ContiguousBatches<T, Width, B, Label>(*this);
  }

  // The batch ranges point into the order and the data set, so neither may
  // be a temporary: in `for (auto b : data.batches<32>(shuffled_order(n,
  // rng)))` the vector would be destroyed before the loop runs (C++20 keeps
  // only the range itself alive). These overloads catch both mistakes.
  template <std::size_t B>
  GatheredBatches<T, Width, B, Label> batches(std::vector<std::size_t>&&,
                                              LastBatch policy = LastBatch::drop) const& {
    // Fix: keep the order in a named variable that outlives the loop.
    static_assert(fixnet::detail::dependent_false<std::integral_constant<std::size_t, B>>,
                  "fixnet: Dataset::batches(order): the order is a temporary that dies before the "
                  "batches are used; keep it in a variable");
    return GatheredBatches<T, Width, B, Label>(*this, {}, policy);
  }
  template <std::size_t B>
  GatheredBatches<T, Width, B, Label> batches(std::span<const std::size_t>,
                                              LastBatch = LastBatch::drop) && {
    return temporary_dataset<GatheredBatches<T, Width, B, Label>, B>();
  }
  template <std::size_t B>
  GatheredBatches<T, Width, B, Label> batches(const std::vector<std::size_t>&,
                                              LastBatch = LastBatch::drop) && {
    return temporary_dataset<GatheredBatches<T, Width, B, Label>, B>();
  }
  template <std::size_t B>
  GatheredBatches<T, Width, B, Label> batches(std::vector<std::size_t>&&,
                                              LastBatch = LastBatch::drop) && {
    return temporary_dataset<GatheredBatches<T, Width, B, Label>, B>();
  }
  template <std::size_t B>
  ContiguousBatches<T, Width, B, Label> batches() && {
    return temporary_dataset<ContiguousBatches<T, Width, B, Label>, B>();
  }

  friend bool operator==(const Dataset&, const Dataset&) = default;

 private:
  template <class Range, std::size_t B>
  Range temporary_dataset() const {
    // Fix: keep the data set in a variable that outlives the batches.
    static_assert(fixnet::detail::dependent_false<std::integral_constant<std::size_t, B>>,
                  "fixnet: Dataset::batches: the data set is a temporary that dies before the "
                  "batches are used; keep it in a variable");
    if constexpr (std::is_constructible_v<Range, const Dataset&>)
      return Range(*this);
    else
      return Range(*this, {}, LastBatch::drop);
  }

  /// An empty data set of the same classes.
  Dataset empty_like() const {
    Dataset out;
    out.classes_ = classes_;
    return out;
  }

  static void check_class_count(std::size_t classes) {
    if (classes > max_classes)
      throw std::invalid_argument("fixnet::data::Dataset: expected at most 256 classes (labels are bytes), got " +
                                  std::to_string(classes));
  }

  void check_label_count() const {
    if (rows_.size() != labels_.size())
      throw DataError("fixnet: data set: expected one " +
                      std::string(classification ? "label" : "target row") + " per row, got " +
                      std::to_string(rows_.size()) + " rows and " + std::to_string(labels_.size()) +
                      (classification ? " labels" : " target rows"));
  }

  void check_one_hot_width(std::size_t width) const {
    if (width < classes_)
      throw std::invalid_argument("fixnet::data::Dataset::one_hot: a one-hot row of " +
                                  std::to_string(width) + " values cannot hold the labels of " +
                                  std::to_string(classes_) + " classes");
  }

  /// Sample i's label must be a class index below classes(), or a row of
  /// finite targets.
  void check_label(std::size_t i, const label_type& label) const {
    if constexpr (classification) {
      if (label >= classes_)
        throw DataError("fixnet: data set: label " + std::to_string(label) + " of sample " +
                        std::to_string(i) + " is out of range: expected a class index below " +
                        std::to_string(classes_));
    } else {
      for (std::size_t c = 0; c < label.size(); ++c)
        if (!std::isfinite(label[c]))
          throw DataError("fixnet: data set: target " + std::to_string(c) + " of sample " +
                          std::to_string(i) + " is " + detail::format_number(label[c]) +
                          ": expected finite targets");
    }
  }

  storage_type rows_;
  std::vector<label_type> labels_;
  std::size_t classes_ = 0;
};

/// A data set for regression: rows of `Inputs` values, each with a row of
/// `Outputs` target values (a network of `Outputs` outputs learns them, with
/// `fixnet::SquaredError` say).
template <Scalar T, std::size_t Inputs, std::size_t Outputs>
using RegressionDataset = Dataset<T, Inputs, std::array<T, Outputs>>;

/// Fits a `Standardization` to `data`: the mean and the (population)
/// standard deviation of each feature, or of all values when `over` is
/// `StandardizeOver::all`, accumulated in double. A deviation below
/// `min_stddev` (a constant feature, like MNIST's border pixels) becomes 1.
/// Throws std::invalid_argument for an empty data set.
template <Scalar T, std::size_t Width, class Label>
Standardization<T, Width> fit_standardization(const Dataset<T, Width, Label>& data,
                                              StandardizeOver over = StandardizeOver::feature,
                                              double min_stddev = 1e-6) {
  if (data.empty())
    throw std::invalid_argument("fixnet::data::fit_standardization: expected samples, got an empty data set");
  // Two passes (mean, then squared deviations): exact enough in double for
  // any data set that fits in memory, unlike the one-pass sum of squares.
  std::vector<double> mean(Width, 0.0), var(Width, 0.0);
  for (const auto& row : data.rows())
    for (std::size_t i = 0; i < Width; ++i) mean[i] += row[i];
  const double n = static_cast<double>(data.size());
  if (over == StandardizeOver::all) {
    const double m = std::accumulate(mean.begin(), mean.end(), 0.0) / (n * Width);
    std::fill(mean.begin(), mean.end(), m);
  } else {
    for (double& m : mean) m /= n;
  }
  for (const auto& row : data.rows())
    for (std::size_t i = 0; i < Width; ++i) var[i] += (row[i] - mean[i]) * (row[i] - mean[i]);
  if (over == StandardizeOver::all) {
    const double v = std::accumulate(var.begin(), var.end(), 0.0) / (n * Width);
    std::fill(var.begin(), var.end(), v);
  } else {
    for (double& v : var) v /= n;
  }
  Standardization<T, Width> s;
  for (std::size_t i = 0; i < Width; ++i) {
    const double sd = std::sqrt(var[i]);
    s.mean[i] = static_cast<T>(mean[i]);
    s.stddev[i] = static_cast<T>(sd < min_stddev ? 1.0 : sd);
  }
  return s;
}

/// The two parts of `split`.
template <Scalar T, std::size_t Width, class Label = std::uint8_t>
struct TrainValidation {
  Dataset<T, Width, Label> train;
  Dataset<T, Width, Label> validation;
};

/// Splits `data` into a training part and a validation part of
/// `validation_count` samples, chosen at random from an engine seeded with
/// `seed` (the same seed gives the same split everywhere). Every sample is in
/// exactly one part; each part keeps the samples in their original order.
///
/// With `Stratify::by_class`, each class contributes to the validation part in
/// proportion to its size: class k gives floor(v n_k / n) samples, and the
/// samples still missing go to the classes with the largest remainders
/// (lowest class first on ties), so that the part has exactly v samples.
///
/// Throws std::invalid_argument if `validation_count` exceeds data.size().
template <Scalar T, std::size_t Width, class Label>
TrainValidation<T, Width, Label> split(const Dataset<T, Width, Label>& data,
                                       std::size_t validation_count, std::uint64_t seed,
                                       Stratify stratify = Stratify::none) {
  const std::size_t n = data.size();
  if (validation_count > n)
    throw std::invalid_argument("fixnet::data::split: expected a validation part of at most " +
                                std::to_string(n) + " samples (the data set's size), got " +
                                std::to_string(validation_count));
  Rng rng(seed);
  std::vector<bool> in_validation(n, false);
  if (stratify == Stratify::none) {
    const std::vector<std::size_t> order = shuffled_order(n, rng);
    for (std::size_t k = 0; k < validation_count; ++k) in_validation[order[k]] = true;
  } else if constexpr (!Dataset<T, Width, Label>::classification) {
    throw std::invalid_argument(
        "fixnet::data::split: Stratify::by_class needs class labels; a regression data set "
        "splits with Stratify::none");
  } else {
    const std::size_t classes = data.classes();
    std::vector<std::vector<std::size_t>> members(classes);
    for (std::size_t i = 0; i < n; ++i) members[data.label(i)].push_back(i);
    // Largest-remainder quotas, in exact integers: v n_k < 2^64 since both are
    // at most n < 2^32.
    if (n >= (std::uint64_t{1} << 32))
      throw std::invalid_argument("fixnet::data::split: stratified splits take fewer than 2^32 samples, got " +
                                  std::to_string(n));
    std::vector<std::size_t> quota(classes, 0);
    std::vector<std::pair<std::uint64_t, std::size_t>> remainders;  // (remainder, class)
    std::size_t given = 0;
    for (std::size_t c = 0; c < classes && n > 0; ++c) {
      const std::uint64_t product = std::uint64_t{validation_count} * members[c].size();
      quota[c] = static_cast<std::size_t>(product / n);
      remainders.emplace_back(product % n, c);
      given += quota[c];
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < validation_count; ++k, ++given) ++quota[remainders[k].second];
    for (std::size_t c = 0; c < classes; ++c) {
      shuffle(members[c], rng);
      for (std::size_t k = 0; k < quota[c]; ++k) in_validation[members[c][k]] = true;
    }
  }
  std::vector<std::size_t> train_indices, validation_indices;
  train_indices.reserve(n - validation_count);
  validation_indices.reserve(validation_count);
  for (std::size_t i = 0; i < n; ++i) (in_validation[i] ? validation_indices : train_indices).push_back(i);
  return {data.select(train_indices), data.select(validation_indices)};
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_DATASET_HPP
