// Tests of fixnet/train/evaluate.hpp: evaluating in batches gives the loss and the
// predictions of evaluating sample by sample, whatever the batch size and
// however many samples are left over: none counted twice, none left out.
#define BOOST_TEST_MODULE evaluate
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <memory>

#include <fixnet/train/evaluate.hpp>
#include <fixnet/fixnet.hpp>

#include "data_support.hpp"

namespace fixnet::tests {
namespace {

using Net = Mlp<Tanh, Softmax, 3, 6, 4>;

/// 23 samples of 3 values in [-1, 1], labels 0..3 (23 is prime: every batch
/// size below leaves a remainder or exceeds it).
data::Dataset<float, 3> samples() {
  data::Dataset<float, 3> d(4);
  std::uint32_t x = 7;
  const auto next = [&] { return float((x = x * 1664525u + 1013904223u) >> 8) / float(1 << 24) * 2 - 1; };
  for (std::size_t i = 0; i < 23; ++i) d.add({next(), next(), next()}, static_cast<std::uint8_t>(i % 4));
  return d;
}

/// The same figures, one sample at a time.
Evaluation one_by_one(const Net& net, const data::Dataset<float, 3>& d) {
  Evaluation e;
  e.samples = d.size();
  e.confusion = ConfusionMatrix(Net::outputs);
  for (std::size_t i = 0; i < d.size(); ++i) {
    e.total_loss += net.loss(d.row(i), d.label(i), CrossEntropy{});
    e.confusion.add(d.label(i), argmax(net.forward(d.row(i))));
  }
  e.loss = e.total_loss / double(d.size());
  return e;
}

template <std::size_t B>
void check_batch_size(const Net& net, const data::Dataset<float, 3>& d, const Evaluation& reference) {
  BOOST_TEST_CONTEXT("batch size " << B) {
    auto ws = std::make_unique<Workspace<Net, B>>();
    const Evaluation e = evaluate(net, d, CrossEntropy{}, *ws);
    BOOST_TEST(e.samples == 23u);
    BOOST_TEST(e.confusion.total() == 23u);  // every sample once
    BOOST_TEST((e.confusion == reference.confusion));
    BOOST_TEST(e.total_loss == reference.total_loss, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(e.loss == reference.loss, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(e.accuracy() == reference.confusion.accuracy());
    // The form that makes its own workspace.
    BOOST_TEST((evaluate<B>(net, d, CrossEntropy{}).confusion == reference.confusion));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(evaluate_network)

BOOST_AUTO_TEST_CASE(batched_evaluation_counts_every_sample_exactly_once) {
  Net net;
  initialize(net, init::Normal{0, 1.5}, init::Normal{0, 0.5}, 4);
  const auto d = samples();
  const Evaluation reference = one_by_one(net, d);
  // Not a degenerate network: it gets some right and some wrong.
  BOOST_TEST(reference.confusion.correct() > 0u);
  BOOST_TEST(reference.confusion.correct() < 23u);
  check_batch_size<1>(net, d, reference);
  check_batch_size<4>(net, d, reference);   // 5 batches, 3 left
  check_batch_size<8>(net, d, reference);   // 2 batches, 7 left
  check_batch_size<23>(net, d, reference);  // 1 batch, none left
  check_batch_size<32>(net, d, reference);  // no batch, all 23 left
}

BOOST_AUTO_TEST_CASE(an_empty_data_set_gives_zeros) {
  Net net;
  const Evaluation e = evaluate<4>(net, data::Dataset<float, 3>(4), CrossEntropy{});
  BOOST_TEST(e.samples == 0u);
  BOOST_TEST(e.loss == 0.0);
  BOOST_TEST(e.accuracy() == 0.0);
}

BOOST_AUTO_TEST_CASE(more_classes_than_outputs_is_an_error) {
  Net net;
  data::Dataset<float, 3> d(5);
  d.add({0, 0, 0}, 4);
  check_message(message_of<data::DataError>([&] { evaluate<4>(net, d, CrossEntropy{}); }),
                {"5 classes", "only 4 outputs", "sample 0 has class index 4, expected below 4"});
  // The first sample whose label has no output is named, whatever its place.
  data::Dataset<float, 3> later(6);
  for (std::uint8_t label : {0, 3, 1, 5, 4}) later.add({0, 0, 0}, label);
  check_message(message_of<data::DataError>([&] { evaluate<2>(net, later, CrossEntropy{}); }),
                {"6 classes", "only 4 outputs", "sample 3 has class index 5, expected below 4"});
}

// Issue 15: an all-NaN validation set evaluated to loss 1.099 and 33%
// accuracy. A NaN or infinite input is refused, by sample and column, in a
// whole batch (sample 5) or in the samples after them (sample 21 of 23).
BOOST_AUTO_TEST_CASE(a_non_finite_input_is_refused_naming_sample_and_column) {
  Net net;
  initialize(net, init::XavierUniform{}, init::Zeros{}, 1);
  constexpr float inf = std::numeric_limits<float>::infinity();
  for (const std::size_t sample : {5u, 21u})
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(), inf, -inf}) {
      data::Dataset<float, 3> d = samples();
      d.rows()[sample][2] = bad;
      const std::string shown = std::isnan(bad) ? "nan" : bad > 0 ? "inf" : "-inf";
      check_message(message_of<data::DataError>([&] { evaluate<4>(net, d, CrossEntropy{}); }),
                    {"fixnet: evaluate: sample " + std::to_string(sample) + " holds " + shown +
                         " at column 2: expected finite inputs"});
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
