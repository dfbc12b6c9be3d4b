// fixnet — a labelled data set of fixed-width samples. Samples are labelled
// with a class index (classification, the default) or a row of target values
// (regression: `RegressionDataset`). Its batches (fixnet/data/batches.hpp),
// epoch orders (fixnet/data/order.hpp), split (fixnet/data/split.hpp) and
// standardisation (fixnet/data/standardization.hpp) come with it:
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
#ifndef FIXNET_DATA_DATASET_HPP
#define FIXNET_DATA_DATASET_HPP

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fixnet/core/aligned_allocator.hpp"
#include "fixnet/core/batch.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/core/shape_checks.hpp"
#include "fixnet/data/batches.hpp"
#include "fixnet/data/error.hpp"
#include "fixnet/data/order.hpp"
#include "fixnet/data/points.hpp"
#include "fixnet/data/standardization.hpp"

namespace fixnet::data {

namespace detail {

template <class Label, class T>
consteval bool check_label_type() {
  // Fix: label samples with a class index (the default, std::uint8_t) or a
  // row of targets in the data's scalar type: RegressionDataset<T, Inputs, Outputs>.
  static_assert(std::same_as<Label, std::uint8_t> || is_target_row_of<Label, T>,
                "fixnet: Dataset<T, Width, Label>: the label must be a class index (std::uint8_t) "
                "or a row of targets std::array<T, K> of the data's scalar type");
  return true;
}

inline std::string index_error(const char* what, std::size_t index, std::size_t size) {
  return std::string("fixnet::data::Dataset::") + what + ": index " + std::to_string(index) +
         " is out of range: expected indices below the data set's size, " + std::to_string(size);
}

}  // namespace detail

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
  /// fixnet/data/batches.hpp). Throws std::invalid_argument if an index in
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

}  // namespace fixnet::data

// After the class: split() takes a whole Dataset.
#include "fixnet/data/split.hpp"

#endif  // FIXNET_DATA_DATASET_HPP
