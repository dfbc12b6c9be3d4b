// Tests of fixnet/data/dataset.hpp (and fixnet/core/aligned_allocator.hpp): the
// storage, one-hot rows, scaling and standardisation, seeded shuffling that
// is a permutation and repeats, splits that are disjoint and complete,
// subsets, and batch views with both last-batch policies, which a network
// takes as they are.
#define BOOST_TEST_MODULE dataset
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <tuple>
#include <vector>

#include <fixnet/data/dataset.hpp>
#include <fixnet/fixnet.hpp>

#include "data_support.hpp"

namespace fixnet::tests {
namespace {

using Scalars = std::tuple<float, double>;
using data::Dataset;
using data::LastBatch;

/// n samples of Width values; sample i has values i*Width + k and label
/// i % classes, so that every row says which sample it is.
template <class T, std::size_t Width>
Dataset<T, Width> numbered(std::size_t n, std::size_t classes) {
  Dataset<T, Width> d(classes);
  for (std::size_t i = 0; i < n; ++i) {
    std::array<T, Width> row;
    for (std::size_t k = 0; k < Width; ++k) row[k] = static_cast<T>(i * Width + k);
    d.add(row, static_cast<std::uint8_t>(i % classes));
  }
  return d;
}

/// Which sample a row of `numbered` is.
template <class Row>
std::size_t sample_of(const Row& row) {
  return static_cast<std::size_t>(row[0]) / std::size(row);
}

bool is_permutation_of_iota(std::vector<std::size_t> order) {
  std::sort(order.begin(), order.end());
  for (std::size_t i = 0; i < order.size(); ++i)
    if (order[i] != i) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dataset)

BOOST_AUTO_TEST_CASE_TEMPLATE(storage_is_contiguous_and_starts_on_a_64_byte_boundary, T, Scalars) {
  for (const std::size_t n : {1u, 7u, 100u}) {
    const auto small = numbered<T, 3>(n, 2);
    const auto wide = numbered<T, 784>(n, 10);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(small.rows().data()) % 64 == 0u);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(wide.rows().data()) % 64 == 0u);
    // Rows follow each other without gaps, so B of them are a span batch.
    BOOST_TEST(reinterpret_cast<const char*>(&wide.row(n - 1)) -
                   reinterpret_cast<const char*>(&wide.row(0)) ==
               static_cast<std::ptrdiff_t>((n - 1) * 784 * sizeof(T)));
  }
  // The allocator itself, for a type of odd size.
  std::vector<std::array<char, 3>, AlignedAllocator<std::array<char, 3>>> v(5);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(v.data()) % 64 == 0u);
}

BOOST_AUTO_TEST_CASE(construction_checks_labels_and_counts) {
  using D = Dataset<float, 2>;
  D::storage_type rows(3);
  check_message(message_of<data::DataError>([&] { D(rows, {0, 1}, 2); }),
                {"expected one label per row", "3 rows and 2 labels"});
  check_message(message_of<data::DataError>([&] { D(rows, {0, 1, 2}, 2); }),
                {"label 2 of sample 2", "out of range", "below 2"});
  BOOST_CHECK_THROW(D(257), std::invalid_argument);
  D d(3);
  check_message(message_of<data::DataError>([&] { d.add({1, 2}, 3); }), {"label 3 of sample 0"});
  BOOST_TEST(d.empty());  // nothing half-added
  const D ok(rows, {0, 2, 1}, 3);
  BOOST_TEST(ok.size() == 3u);
  BOOST_TEST(ok.classes() == 3u);
  BOOST_TEST((ok.class_counts() == std::vector<std::size_t>{1, 1, 1}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(one_hot_rows_have_a_single_one_at_the_label, T, Scalars) {
  const auto d = numbered<T, 2>(7, 3);
  const auto matrix = d.template one_hot_rows<3>();
  BOOST_TEST(matrix.size() == 7u);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const std::array<T, 3> row = d.template one_hot<3>(i);
    BOOST_TEST((row == matrix[i]));
    for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(row[k] == T(k == d.label(i) ? 1 : 0));
  }
  // Wider rows than the classes are fine (a network with spare outputs)...
  BOOST_TEST((d.template one_hot<5>(4) == std::array<T, 5>{0, 1, 0, 0, 0}));
  // ...narrower ones cannot hold every label.
  BOOST_CHECK_THROW(d.template one_hot<2>(0), std::invalid_argument);
  BOOST_CHECK_THROW(d.template one_hot<3>(7), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(scale_multiplies_every_value, T, Scalars) {
  auto d = numbered<T, 4>(3, 2);
  d.scale(T(0.5));
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < 4; ++k) BOOST_TEST(d.row(i)[k] == T(i * 4 + k) * T(0.5));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(standardization_centres_and_scales_each_feature, T, Scalars) {
  Dataset<T, 3> d(2);
  // Feature 0: 1, 2, 3, 4 (mean 2.5, sd sqrt(1.25)); feature 1: constant 7;
  // feature 2: 0, 0, 10, 10 (mean 5, sd 5).
  d.add({1, 7, 0}, 0);
  d.add({2, 7, 0}, 1);
  d.add({3, 7, 10}, 0);
  d.add({4, 7, 10}, 1);
  const auto s = data::fit_standardization(d);
  BOOST_TEST(s.mean[0] == T(2.5));
  BOOST_TEST(s.stddev[0] == static_cast<T>(std::sqrt(1.25)));
  BOOST_TEST(s.mean[1] == T(7));
  BOOST_TEST(s.stddev[1] == T(1));  // constant: centred only
  BOOST_TEST(s.stddev[2] == T(5));
  auto z = d;
  z.standardize(s);
  const T tol = std::is_same_v<T, float> ? T(1e-6) : T(1e-14);
  for (std::size_t k = 0; k < 3; ++k) {
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < 4; ++i) mean += z.row(i)[k] / 4.0;
    for (std::size_t i = 0; i < 4; ++i) var += (z.row(i)[k] - mean) * (z.row(i)[k] - mean) / 4.0;
    BOOST_TEST(std::abs(mean) <= tol);
    BOOST_TEST(std::abs(var - (k == 1 ? 0.0 : 1.0)) <= 10 * tol);
  }
  // One mean and deviation over all values: 1..4, 7 x 4, 0 0 10 10.
  const auto all = data::fit_standardization(d, data::StandardizeOver::all);
  BOOST_TEST(all.mean[0] == all.mean[2]);
  BOOST_TEST(std::abs(double(all.mean[1]) - 58.0 / 12) <= 1e-6);
  BOOST_CHECK_THROW(data::fit_standardization(Dataset<T, 3>(2)), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(shuffled_orders_are_permutations) {
  for (const std::size_t n : {0u, 1u, 2u, 10u, 1000u}) {
    Rng rng(n);
    BOOST_TEST(is_permutation_of_iota(data::shuffled_order(n, rng)));
  }
  BOOST_TEST((data::identity_order(4) == std::vector<std::size_t>{0, 1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(shuffling_repeats_with_the_seed_and_differs_between_seeds) {
  BOOST_TEST(data::shuffled_order(1000, std::uint64_t{7}) == data::shuffled_order(1000, std::uint64_t{7}));
  BOOST_TEST(data::shuffled_order(1000, std::uint64_t{7}) != data::shuffled_order(1000, std::uint64_t{8}));
  // Successive epochs from one engine differ.
  Rng rng(3);
  std::vector<std::size_t> order = data::identity_order(100);
  data::shuffle(order, rng);
  const auto first = order;
  data::shuffle(order, rng);
  BOOST_TEST(first != order);
  BOOST_TEST(is_permutation_of_iota(order));
}

// The exact permutation for a seed: Fisher-Yates over std::mt19937_64 and
// Boost.Random is specified bit for bit, so this holds on every platform and
// standard library (std::shuffle would not). A change here breaks the
// reproducibility of every published run.
BOOST_AUTO_TEST_CASE(the_permutation_for_a_seed_is_pinned) {
  const std::vector<std::size_t> expected{3, 4, 1, 2, 9, 8, 0, 6, 5, 7};
  BOOST_TEST(data::shuffled_order(10, std::uint64_t{42}) == expected, boost::test_tools::per_element());
}

// Each of the 6 orders of 3 elements comes up about 1/6 of the time: the
// shuffle is not biased (as the naive "swap with any position" one is).
BOOST_AUTO_TEST_CASE(every_permutation_is_equally_likely) {
  Rng rng(11);
  std::map<std::vector<std::size_t>, int> counts;
  constexpr int trials = 60000;
  for (int t = 0; t < trials; ++t) ++counts[data::shuffled_order(3, rng)];
  BOOST_TEST(counts.size() == 6u);
  for (const auto& [order, count] : counts)
    BOOST_TEST(std::abs(count - trials / 6) < 400);  // about 4.4 standard deviations
}

BOOST_AUTO_TEST_CASE_TEMPLATE(split_is_disjoint_complete_ordered_and_seeded, T, Scalars) {
  const auto d = numbered<T, 2>(103, 4);
  for (const std::size_t v : {0u, 1u, 20u, 103u}) {
    BOOST_TEST_CONTEXT("validation " << v) {
      const auto [train, validation] = data::split(d, v, 5);
      BOOST_TEST(validation.size() == v);
      BOOST_TEST(train.size() == 103 - v);
      BOOST_TEST(train.classes() == 4u);
      std::vector<std::size_t> seen;
      for (const auto* part : {&train, &validation}) {
        std::size_t last = 0;
        for (std::size_t i = 0; i < part->size(); ++i) {
          const std::size_t s = sample_of(part->row(i));
          BOOST_TEST(part->label(i) == s % 4);  // rows keep their labels
          if (i > 0) BOOST_TEST(s > last);      // original order kept
          last = s;
          seen.push_back(s);
        }
      }
      BOOST_TEST(is_permutation_of_iota(seen));  // every sample in exactly one part
    }
  }
  BOOST_TEST((data::split(d, 20, 5).validation == data::split(d, 20, 5).validation));
  BOOST_TEST((data::split(d, 20, 5).validation != data::split(d, 20, 6).validation));
  BOOST_CHECK_THROW(data::split(d, 104, 5), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_stratified_split_keeps_the_class_proportions) {
  // 60, 30 and 10 samples of classes 0, 1, 2.
  Dataset<float, 1> d(3);
  for (int i = 0; i < 100; ++i) d.add({float(i)}, static_cast<std::uint8_t>(i < 60 ? 0 : i < 90 ? 1 : 2));
  const auto parts = data::split(d, 10, 1, data::Stratify::by_class);
  BOOST_TEST((parts.validation.class_counts() == std::vector<std::size_t>{6, 3, 1}));
  BOOST_TEST((parts.train.class_counts() == std::vector<std::size_t>{54, 27, 9}));
  // 7 of 100: quotas 4.2, 2.1, 0.7 -> 4, 2, 0 and the one left goes to the
  // largest remainder, class 2.
  BOOST_TEST((data::split(d, 7, 1, data::Stratify::by_class).validation.class_counts() ==
              std::vector<std::size_t>{4, 2, 1}));
  BOOST_TEST((data::split(d, 100, 1, data::Stratify::by_class).validation.class_counts() ==
              std::vector<std::size_t>{60, 30, 10}));
}

BOOST_AUTO_TEST_CASE(subsets_select_head_and_keep_classes) {
  const auto d = numbered<float, 2>(20, 5);
  const std::vector<std::size_t> pick{19, 0, 0, 7};
  const auto s = d.select(pick);
  BOOST_TEST(s.size() == 4u);
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(sample_of(s.row(i)) == pick[i]);
  BOOST_CHECK_THROW(d.select(std::vector<std::size_t>{20}), std::invalid_argument);

  BOOST_TEST(d.head(3).size() == 3u);
  BOOST_TEST(sample_of(d.head(3).row(2)) == 2u);
  BOOST_TEST(d.head(100).size() == 20u);

  // Classes 3 and 1 become 0 and 1: samples 1, 3, 6, 8, 11, 13, 16, 18.
  const auto k = d.keep_classes({3, 1});
  BOOST_TEST(k.classes() == 2u);
  BOOST_TEST(k.size() == 8u);
  for (std::size_t i = 0; i < k.size(); ++i) {
    const std::size_t original = sample_of(k.row(i)) % 5;
    BOOST_TEST(k.label(i) == (original == 3 ? 0 : 1));
  }
  BOOST_CHECK_THROW(d.keep_classes({5}), std::invalid_argument);
  BOOST_CHECK_THROW(d.keep_classes({1, 1}), std::invalid_argument);
  BOOST_CHECK_THROW(d.keep_classes(std::span<const std::uint8_t>{}), std::invalid_argument);
}

static_assert(data::batches_per_epoch(10, 4, LastBatch::drop) == 2);
static_assert(data::batches_per_epoch(10, 4, LastBatch::wrap) == 3);
static_assert(data::batches_per_epoch(12, 4, LastBatch::wrap) == 3);
static_assert(data::batches_per_epoch(3, 8, LastBatch::drop) == 0);
static_assert(data::batches_per_epoch(3, 8, LastBatch::wrap) == 1);
static_assert(data::batches_per_epoch(0, 8, LastBatch::wrap) == 0);
static_assert(std::forward_iterator<data::GatheredBatches<float, 2, 4>::iterator>);
static_assert(std::forward_iterator<data::ContiguousBatches<float, 2, 4>::iterator>);
static_assert(FixedBatch<decltype(data::GatheredBatches<float, 2, 4>::value_type::inputs)>);
static_assert(FixedBatch<decltype(data::GatheredBatches<float, 2, 4>::value_type::labels)>);
static_assert(FixedBatch<decltype(data::ContiguousBatches<float, 2, 4>::value_type::inputs)>);

BOOST_AUTO_TEST_CASE(gathered_batches_follow_the_order_and_drop_the_rest) {
  const auto d = numbered<float, 2>(10, 3);
  const std::vector<std::size_t> order{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  const auto batches = d.batches<4>(order);
  BOOST_TEST(batches.size() == 2u);
  std::size_t k = 0;
  for (const auto& [inputs, labels, valid, index] : batches) {
    BOOST_TEST(index == k);
    BOOST_TEST(valid == 4u);
    for (std::size_t s = 0; s < 4; ++s) {
      const std::size_t i = order[k * 4 + s];
      BOOST_TEST(&inputs[s] == &d.row(i));  // by pointer: no copy
      BOOST_TEST(labels[s] == d.label(i));
    }
    ++k;
  }
  BOOST_TEST(k == 2u);
}

BOOST_AUTO_TEST_CASE(wrapping_fills_the_last_batch_from_the_start_of_the_order) {
  const auto d = numbered<float, 2>(10, 3);
  const auto order = data::identity_order(10);
  const auto batches = d.batches<4>(order, LastBatch::wrap);
  BOOST_TEST(batches.size() == 3u);
  const auto last = batches[2];
  BOOST_TEST(last.valid == 2u);
  const std::array<std::size_t, 4> expected{8, 9, 0, 1};
  for (std::size_t s = 0; s < 4; ++s) BOOST_TEST(sample_of(last.inputs[s]) == expected[s]);
  // Fewer samples than a batch: the order repeats as often as needed.
  const auto tiny = numbered<float, 2>(3, 3);
  const auto three = data::identity_order(3);
  const auto one = tiny.batches<8>(three, LastBatch::wrap);
  BOOST_TEST(one.size() == 1u);
  BOOST_TEST(one[0].valid == 3u);
  for (std::size_t s = 0; s < 8; ++s) BOOST_TEST(sample_of(one[0].inputs[s]) == s % 3);
  BOOST_TEST(tiny.batches<8>(three).empty());
  // An index out of range is refused before any batch is made.
  const std::vector<std::size_t> bad{0, 10};
  BOOST_CHECK_THROW(d.batches<4>(bad), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(contiguous_batches_are_spans_into_the_storage_with_a_tail) {
  const auto d = numbered<float, 2>(10, 3);
  const auto batches = d.batches<4>();
  BOOST_TEST(batches.size() == 2u);
  std::size_t k = 0;
  for (const auto batch : batches) {
    BOOST_TEST(batch.inputs.data() == &d.row(k * 4));
    BOOST_TEST(batch.labels.data() == &d.labels()[k * 4]);
    BOOST_TEST(batch.valid == 4u);
    ++k;
  }
  const auto tail = batches.tail();
  BOOST_TEST(tail.valid == 2u);
  BOOST_TEST(tail.index == 2u);
  BOOST_TEST(tail.inputs.size() == 2u);
  BOOST_TEST(tail.inputs.data() == &d.row(8));
  BOOST_TEST(d.batches<5>().tail().valid == 0u);
}

// The batches go straight into the network: the gathered batch of a shuffled
// order gives the same loss and gradients as the same samples copied into an
// array, and the contiguous batch the same as an array of its rows.
BOOST_AUTO_TEST_CASE(a_network_takes_the_batches_as_they_are) {
  using Net = Mlp<Sigmoid, Softmax, 3, 5, 4>;
  Net net;
  initialize(net, init::XavierUniform{}, init::Normal{0, 0.1}, 9);
  auto d = numbered<float, 3>(12, 4);
  d.scale(0.05f);
  auto ws = std::make_unique<Workspace<Net, 4>>();
  const auto order = data::shuffled_order(12, std::uint64_t{1});
  for (const auto batch : d.batches<4>(order)) {
    std::array<std::array<float, 3>, 4> xs;
    std::array<std::uint8_t, 4> ys;
    for (std::size_t s = 0; s < 4; ++s) xs[s] = batch.inputs[s], ys[s] = batch.labels[s];
    Gradients<Net> g1, g2;
    g1.zero();
    g2.zero();
    const float l1 = net.backward(batch.inputs, batch.labels, CrossEntropy{}, g1, *ws);
    const float l2 = net.backward(xs, ys, CrossEntropy{}, g2, *ws);
    BOOST_TEST(l1 == l2);
    BOOST_TEST((g1 == g2));
  }
  for (const auto batch : d.batches<4>()) {
    std::array<std::array<float, 3>, 4> xs;
    std::copy(batch.inputs.begin(), batch.inputs.end(), xs.begin());
    BOOST_TEST(net.loss(batch.inputs, batch.labels, CrossEntropy{}, *ws) ==
               net.loss(xs, batch.labels, CrossEntropy{}, *ws));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
