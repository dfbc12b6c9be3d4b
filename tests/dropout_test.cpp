// Dropout: the layer type, its masks (vector kernels against the scalar
// dropout_keeps), training against the scalar reference in both batch
// layouts, finite differences with the mask held fixed, inference at no
// cost, and the expectation it preserves.
//
// NaN and infinity go through the mask as through PyTorch's x * mask: a
// dropped non-finite value gives NaN, on every Highway target.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only lists the mask kernels and the training passes
// (network_backward) of each case, the checks are compiled once and run on
// every target through tests/per_target.hpp.
#ifndef FIXNET_TESTS_DROPOUT_TEST_PRELUDE
#define FIXNET_TESTS_DROPOUT_TEST_PRELUDE

#define BOOST_TEST_MODULE dropout
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <hwy/aligned_allocator.h>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_DROPOUT_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dropout_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_DROPOUT_TEST_ONCE
#define FIXNET_TESTS_DROPOUT_TEST_ONCE

#include "optimizer_test_support.hpp"
#include "reference.hpp"

namespace fixnet::tests {
namespace {

using Dropped = Network<Dense<3, 20, Tanh>, Dropout<20, std::ratio<1, 4>>, Dense<20, 4, Softmax>>;
using Plain = Network<Dense<3, 20, Tanh>, Dense<20, 4, Softmax>>;

template <class Net>
std::unique_ptr<Net> make_net(std::uint64_t seed) {
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Normal{0.0, 0.3}, seed);
  return net;
}

/// Runs a training pass with (seed, step) and returns the summed loss and the
/// gradients, in canonical order.
template <class Net, std::size_t B, class Xs, class Ts, class L>
std::pair<double, std::vector<typename Net::scalar_type>> train_pass(const Net& net, const Xs& xs,
                                                                       const Ts& ts, L loss,
                                                                       std::uint64_t seed,
                                                                       std::uint64_t step) {
  using T = typename Net::scalar_type;
  auto ws = std::make_unique<Workspace<Net, B>>();
  ws->dropout_seed = seed;
  ws->dropout_step = step;
  auto g = std::make_unique<Gradients<Net>>();
  const double l = net.backward(xs, ts, loss, *g, *ws);
  BOOST_TEST(ws->dropout_step == step + 1);  // every training pass advances the masks
  std::vector<T> out(Net::parameter_count);
  g->get_parameters(std::span<T, Net::parameter_count>(out.data(), Net::parameter_count));
  return {l, out};
}

/// B inputs of 3 features drawn from [-2, 2) and their class labels, each
/// label `label(rng, b)` drawn right after the inputs of sample b.
template <class T, std::size_t B>
struct Batch {
  std::array<std::array<T, 3>, B> xs;
  std::array<std::uint8_t, B> labels;
};
template <class T, std::size_t B, class Label>
Batch<T, B> random_batch(std::uint64_t seed, Label label) {
  TestRng rng(seed);
  Batch<T, B> batch;
  for (std::size_t b = 0; b < B; ++b) {
    batch.xs[b] = uniform_array<T, 3>(rng, -2, 2);
    batch.labels[b] = static_cast<std::uint8_t>(label(rng, b));
  }
  return batch;
}

/// One of 4 classes, at random.
constexpr auto four_classes = [](TestRng& rng, std::size_t) { return rng() % 4; };

}  // namespace

BOOST_AUTO_TEST_SUITE(dropout)

BOOST_AUTO_TEST_CASE(dropout_is_a_layer_without_parameters_of_its_width) {
  using D = Dropout<256, std::ratio<1, 5>>;
  static_assert(D::inputs == 256 && D::outputs == 256 && D::parameter_count == 0);
  static_assert(Dropped::parameter_count == Plain::parameter_count);
  static_assert(Dropped::layer_count == 3);
  BOOST_TEST(D::keep_probability<double> == 0.8);
  BOOST_TEST(D::keep_threshold == (4u << 24) / 5u);
  // A model of the layer protocol: skipped in inference, masks gradients in
  // place, draws from the pass key.
  static_assert(Layer<D> && D::identity_in_inference && D::gradient_in_place && D::stochastic);
  static_assert(detail::has_stochastic_layer<Dropped> && !detail::has_stochastic_layer<Plain>);
}

BOOST_AUTO_TEST_CASE(inference_is_the_identity_so_forward_equals_the_network_without_dropout) {
  const auto plain = make_net<Plain>(1);
  Dropped dropped;
  dropped.layer_parameters<0>() = plain->layer_parameters<0>();
  dropped.layer_parameters<2>() = plain->layer_parameters<1>();
  TestRng rng(1);
  for (int n = 0; n < 20; ++n) {
    const auto x = uniform_array<float, 3>(rng, -2, 2);
    const auto a = dropped.forward(x);
    const auto b = plain->forward(x);
    BOOST_TEST(a == b);  // bit for bit: the Dropout layer is skipped
    BOOST_TEST(dropped.loss(x, 2, CrossEntropy{}) == plain->loss(x, 2, CrossEntropy{}));
  }
}

BOOST_AUTO_TEST_CASE(masks_keep_the_stated_fraction_and_preserve_the_expectation) {
  // Over 40 000 units the kept fraction is within 4 standard deviations of
  // 1 - rate, and the mean of the scaled outputs within 4 standard errors of
  // the mean input (here 1, so the output's mean is 1).
  using D = Dropout<200, std::ratio<3, 10>>;
  constexpr std::size_t samples = 200, width = 200, n = samples * width;
  const std::uint32_t key = pass_key(7, 0);
  std::size_t kept = 0;
  for (std::size_t b = 0; b < samples; ++b)
    for (std::size_t i = 0; i < width; ++i) kept += dropout_keeps(key, b, i, width, D::keep_threshold);
  const double p = 0.7, fraction = double(kept) / n;
  BOOST_TEST(std::abs(fraction - p) < 4 * std::sqrt(p * (1 - p) / n));
  const double mean_output = fraction / p;  // inputs of 1, kept ones scaled by 1/p
  BOOST_TEST(std::abs(mean_output - 1.0) < 4 * std::sqrt((1 - p) / (p * n)));
  // Another pass (step) draws other masks.
  const std::uint32_t other = pass_key(7, 1);
  std::size_t same = 0;
  for (std::size_t i = 0; i < width; ++i)
    same += dropout_keeps(key, 0, i, width, D::keep_threshold) == dropout_keeps(other, 0, i, width, D::keep_threshold);
  BOOST_TEST(same < width);
}

BOOST_AUTO_TEST_CASE(vector_masks_equal_the_scalar_dropout_keeps_in_rows_and_lanes) {
  // Through a network whose hidden layer is fixed at 1: after Dropout its
  // units are 1/keep or 0, and the output layer (identity, one-hot weights)
  // reads them out, so every mask bit is observable.
  constexpr std::size_t W = 6;
  using Net = Network<Dense<1, W, Identity>, Dropout<W, std::ratio<1, 2>>, Dense<W, W, Identity>>;
  auto net = std::make_unique<Net>();
  for (std::size_t o = 0; o < W; ++o) {
    net->layer_parameters<0>().weight(o, 0) = 1;
    net->layer_parameters<2>().weight(o, o) = 1;
  }
  auto check = [&]<std::size_t B>(std::integral_constant<std::size_t, B>) {
    auto ws = std::make_unique<Workspace<Net, B>>();
    ws->dropout_seed = 11;
    ws->dropout_step = 5;
    std::array<std::array<float, 1>, B> xs;
    std::array<std::array<float, W>, B> ts;
    for (auto& x : xs) x = {1};
    for (auto& t : ts) t = {};
    Gradients<Net> g;
    // Half the squared error is sum_k (a_k)^2 / 2 with a_k = 2 or 0: the
    // gradient of the last layer's bias is a_k itself, summed over samples.
    net->backward(xs, ts, HalfSumSquaredError{}, g, *ws);
    const std::uint32_t key = pass_key(11, 5);
    for (std::size_t k = 0; k < W; ++k) {
      double expected = 0;
      for (std::size_t b = 0; b < B; ++b)
        expected += dropout_keeps(key, b, k, W, Net::layer_type<1>::keep_threshold) ? 2.0 : 0.0;
      BOOST_TEST_CONTEXT("unit " << k << ", lanes " << (Workspace<Net, B>::lanes)) {
        BOOST_TEST(g.template layer_parameters<2>().bias(k) == expected);
      }
    }
  };
  check(std::integral_constant<std::size_t, 3>{});   // rows
  check(std::integral_constant<std::size_t, 45>{});  // lanes
  static_assert(!Workspace<Net, 3>::lanes && Workspace<Net, 45>::lanes);
}

BOOST_AUTO_TEST_CASE(training_matches_the_scalar_reference_with_the_same_masks) {
  // Rows (B = 6) and lanes (B = 40), float; every gradient and the loss within
  // 1e-5 relative to the largest gradient (float sums in another order).
  const auto net = make_net<Dropped>(3);
  auto run = [&]<std::size_t B>(std::integral_constant<std::size_t, B>) {
    const auto [xs, labels] = random_batch<float, B>(B, four_classes);
    const auto [loss, grads] = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 21, 4);
    const std::uint32_t key = pass_key(21, 4);
    Gradients<Dropped> expected;
    double expected_loss = 0;
    for (std::size_t b = 0; b < B; ++b)
      expected_loss += reference::backward(*net, xs[b], labels[b], CrossEntropy{}, expected,
                                           reference::DropoutPass{key, b});
    std::array<float, Dropped::parameter_count> e;
    expected.get_parameters(e);
    check_close_all(grads, e, 0, 1e-5 * max_abs(e), "gradients, B = " + std::to_string(B));
    BOOST_TEST(within(loss, expected_loss, 1e-5, 0));
  };
  run(std::integral_constant<std::size_t, 6>{});
  run(std::integral_constant<std::size_t, 40>{});
}

BOOST_AUTO_TEST_CASE(gradients_with_the_mask_held_fixed_match_finite_differences) {
  // In double: the training loss with a fixed (seed, step) is a smooth
  // function of the parameters; its gradient must match central differences.
  using Net = BasicNetwork<double, Dense<3, 7, Tanh>, Dropout<7, std::ratio<2, 7>>, Dense<7, 5, Sigmoid>,
                           Dropout<5>, Dense<5, 2, Softmax>>;
  auto net = make_net<Net>(4);
  constexpr std::size_t B = 4;
  const auto batch = random_batch<double, B>(4, [](TestRng&, std::size_t b) { return b % 2; });
  const auto grads = train_pass<Net, B>(*net, batch.xs, batch.labels, CrossEntropy{}, 5, 9).second;
  std::array<double, Net::parameter_count> theta;
  net->get_parameters(theta);
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    const double fd = central_difference(theta[k], fd_step, [&] {
      net->set_parameters(theta);
      return train_pass<Net, B>(*net, batch.xs, batch.labels, CrossEntropy{}, 5, 9).first;
    });
    BOOST_TEST_CONTEXT("parameter " << k << ": " << grads[k] << " vs " << fd) {
      BOOST_TEST(within(grads[k], fd, fd_rel, fd_abs));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_same_seed_and_step_give_the_same_pass_and_other_seeds_other_ones) {
  const auto net = make_net<Dropped>(6);
  constexpr std::size_t B = 24;
  const auto [xs, labels] = random_batch<float, B>(6, four_classes);
  const auto a = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 1, 0);
  const auto b = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 1, 0);
  const auto c = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 2, 0);
  const auto d = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 1, 1);
  BOOST_TEST(a.second == b.second);
  BOOST_TEST(a.first == b.first);
  BOOST_TEST(a.second != c.second);
  BOOST_TEST(a.second != d.second);
}

// The scalar reference and the network's training pass (on the static
// target) alike: a NaN in a unit that the mask drops reaches the loss. A NaN
// weight makes exactly one hidden unit NaN (tanh(NaN) is NaN); the pass
// (step) is chosen so that the mask drops that unit in every sample of the
// batch, else a sample that keeps it would make the loss NaN anyway.
BOOST_AUTO_TEST_CASE(a_dropped_nan_stays_nan_in_the_reference_and_the_training_pass) {
  auto net = make_net<Dropped>(3);
  constexpr std::size_t B = 6;
  constexpr std::size_t W = 20;
  constexpr std::uint32_t threshold = Dropped::layer_type<1>::keep_threshold;
  std::uint64_t step = 0;
  std::size_t unit = W;
  for (; step < 100000 && unit == W; ++step)
    for (std::size_t k = 0; k < W && unit == W; ++k) {
      bool dropped_everywhere = true;
      for (std::size_t b = 0; b < B; ++b)
        dropped_everywhere =
            dropped_everywhere && !dropout_keeps(pass_key(21, step), b, k, W, threshold);
      if (dropped_everywhere) unit = k;
    }
  BOOST_TEST_REQUIRE(unit < W);
  --step;
  const std::uint32_t key = pass_key(21, step);
  std::array<std::array<float, 3>, B> xs{};
  std::array<std::uint8_t, B> labels{};
  for (std::size_t b = 0; b < B; ++b) {
    xs[b] = {0.5f, -0.25f, 1.0f};
    labels[b] = static_cast<std::uint8_t>(b % 4);
  }
  const auto clean = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 21, step);
  BOOST_TEST_REQUIRE(std::isfinite(clean.first));
  net->layer_parameters<0>().weight(unit, 0) = std::numeric_limits<float>::quiet_NaN();
  Gradients<Dropped> expected;
  BOOST_TEST(std::isnan(reference::backward(*net, xs[0], labels[0], CrossEntropy{}, expected,
                                            reference::DropoutPass{key, 0})));
  const auto [loss, grads] = train_pass<Dropped, B>(*net, xs, labels, CrossEntropy{}, 21, step);
  BOOST_TEST(std::isnan(loss));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

namespace fixnet::tests {

/// The mask kernels' cases: B samples of a Dropout<W, 1/2> layer, in rows
/// (padded to kRow) and in lanes (kStride lanes per unit).
inline constexpr std::size_t kMaskWidth = 20;
inline constexpr std::size_t kMaskBatch = 3;
inline constexpr std::size_t kMaskRow = padded<float>(kMaskWidth);
inline constexpr std::size_t kMaskStride = padded<float>(kMaskBatch);
using MaskLayer = Dropout<kMaskWidth, std::ratio<1, 2>>;

/// The training pass's cases: 3-20-4 with Dropout(1/4) after the tanh layer,
/// cross-entropy on class indices, in float and double, batches of 1 and 5
/// (samples in rows) and 37 (samples in lanes).
struct DroppedSpec {
  template <class T>
  using net =
      BasicNetwork<T, Dense<3, 20, Tanh>, Dropout<20, std::ratio<1, 4>>, Dense<20, 4, Softmax>>;
  using loss = CrossEntropy;
};
template <class T, std::size_t B>
using TrainCase = NetworkCase<DroppedSpec, T, B>;
using TrainCases = std::tuple<TrainCase<float, 1>, TrainCase<float, 5>, TrainCase<float, 37>,
                              TrainCase<double, 1>, TrainCase<double, 5>, TrainCase<double, 37>>;
static_assert(!TrainCase<float, 1>::Ws::lanes && !TrainCase<float, 5>::Ws::lanes &&
                  TrainCase<float, 37>::Ws::lanes && !TrainCase<double, 1>::Ws::lanes &&
                  !TrainCase<double, 5>::Ws::lanes && TrainCase<double, 37>::Ws::lanes,
              "the cases must cover both layouts in both scalar types");

/// One target's training pass of a case.
template <class C>
struct TrainKernel {
  using T = typename C::scalar;
  T (*backward)(const typename C::Params&, typename C::Ws&, typename C::Params&, T) = nullptr;
};
using TrainTable = KernelsPerSetT<TrainKernel, TrainCases>;

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_DROPOUT_TEST_ONCE

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {
namespace fk = fixnet::HWY_NAMESPACE;

/// Rows: x and out are [kMaskBatch][kMaskRow]. Lanes: [kMaskWidth][kMaskStride].
void dropout_masks(const float* rows, float* rows_out, const float* lanes, float* lanes_out,
                   std::uint32_t key) {
  for (std::size_t b = 0; b < kMaskBatch; ++b)
    fk::dropout_row<MaskLayer>(rows + b * kMaskRow, rows_out + b * kMaskRow, key, b);
  fk::dropout_lanes<MaskLayer, kMaskStride>(fk::LanesTag<float>(), lanes, lanes_out, key);
}

}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

// This target's training passes, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_training_passes, TrainTable, []<class C>(TrainKernel<C>& k) {
  k.backward =
      &fixnet::HWY_NAMESPACE::network_backward<typename C::Loss, typename C::Net, typename C::Ws>;
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(dropout_masks);
HWY_EXPORT(get_training_passes);

namespace {

template <class C>
std::string describe(const char* what) {
  return std::string(what) + " <" +
         (std::is_same_v<typename C::scalar, float> ? "float" : "double") +
         ", B=" + std::to_string(C::batch) + (C::Ws::lanes ? ", lanes" : ", rows") + ">";
}

/// One target's training pass (network_backward, gradients added onto zero)
/// against the scalar reference in double with the same masks
/// (reference::DropoutPass with the pass key of the workspace's seed and
/// step): the loss and every gradient, |pass - reference| <= rel |reference|
/// + abs (times the largest gradient for gradients). float: rel 1e-5, abs
/// 1e-5, as the static-target case above (the sums run in another order in
/// lanes); double: 1e-12, far above double's rounding (the reference's
/// operations differ in order only) and far below a wrong mask, which moves
/// a gradient by the size of the gradient itself.
template <class C>
void check_training_pass(const TrainKernel<C>& k) {
  using T = typename C::scalar;
  using Net = typename C::Net;
  constexpr std::size_t B = C::batch;
  constexpr bool is_float = std::is_same_v<T, float>;
  constexpr double rel = is_float ? 1e-5 : 1e-12, abs = rel;
  constexpr std::uint64_t seed = 21, step = 4;
  const auto net = make_net<Net>(7 + B);
  const auto twin = std::make_unique<DroppedSpec::net<double>>(*net);
  auto ws = std::make_unique<typename C::Ws>();
  ws->dropout_seed = seed;
  ws->dropout_step = step;
  const auto [xs, labels] = random_batch<T, B>(B, four_classes);
  for (std::size_t b = 0; b < B; ++b) {
    ws->set_input(b, xs[b]);
    ws->set_target(b, labels[b]);
  }
  auto grads = std::make_unique<Gradients<Net>>();
  grads->set_parameters(std::span<const T>(std::vector<T>(Net::parameter_count, T(0))));
  const T loss = k.backward(net->parameters(), *ws, *grads, T(1));
  BOOST_TEST(ws->dropout_step == step + 1);  // every training pass advances the masks

  const std::uint32_t key = pass_key(seed, step);
  auto expected = std::make_unique<Gradients<DroppedSpec::net<double>>>();
  double expected_loss = 0;
  std::size_t dropped = 0;
  for (std::size_t b = 0; b < B; ++b) {
    std::array<double, 3> x;
    std::copy(xs[b].begin(), xs[b].end(), x.begin());
    expected_loss += reference::backward(*twin, x, labels[b], CrossEntropy{}, *expected,
                                         reference::DropoutPass{key, b});
    for (std::size_t i = 0; i < 20; ++i)
      dropped += !dropout_keeps(key, b, i, 20, Net::template layer_type<1>::keep_threshold);
  }
  BOOST_TEST(dropped > 0u, describe<C>("the pass drops units"));  // else the masks were not tested
  BOOST_CHECK_MESSAGE(within(loss, expected_loss, rel, abs),
                      describe<C>("loss") << ": " << std::setprecision(17) << loss
                                          << " vs reference " << expected_loss);
  const auto e = canonical(*expected);
  check_close_all(canonical(*grads), e, rel, abs * max_abs(e), describe<C>("gradients"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dropout)

BOOST_AUTO_TEST_CASE(training_passes_match_the_scalar_reference_in_rows_and_lanes_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_training_passes,
                         on_each_entry([](const auto& k) { check_training_pass(k); }));
}

// Issue 15: a select (IfThenElseZero) turned a dropped NaN into 0. Each of
// NaN, +inf, -inf at each unit of each sample, in rows and in lanes, forward
// and backward alike (one kernel serves both): a dropped non-finite value is
// NaN, a kept one is itself times the scale; the finite values are x * scale
// or 0 as dropout_keeps says; the padding stays 0.
BOOST_AUTO_TEST_CASE(masks_keep_nan_and_infinity_in_dropped_units_on_every_target) {
  on_every_target([] {
    const std::uint32_t key = pass_key(3, 9);
    constexpr float scale = 2.0f, clean = 1.5f;
    const auto rows = hwy::AllocateAligned<float>(kMaskBatch * kMaskRow);
    const auto rows_out = hwy::AllocateAligned<float>(kMaskBatch * kMaskRow);
    const auto lanes = hwy::AllocateAligned<float>(kMaskWidth * kMaskStride);
    const auto lanes_out = hwy::AllocateAligned<float>(kMaskWidth * kMaskStride);
    std::size_t dropped_specials = 0;
    for (const float special : {std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity()})
      for (std::size_t at_b = 0; at_b < kMaskBatch; ++at_b)
        for (std::size_t at_i = 0; at_i < kMaskWidth; ++at_i) {
          for (std::size_t b = 0; b < kMaskBatch; ++b)
            for (std::size_t i = 0; i < kMaskRow; ++i)
              rows[b * kMaskRow + i] = i < kMaskWidth ? clean : 0.0f;
          for (std::size_t i = 0; i < kMaskWidth; ++i)
            for (std::size_t b = 0; b < kMaskStride; ++b)
              lanes[i * kMaskStride + b] = b < kMaskBatch ? clean : 0.0f;
          rows[at_b * kMaskRow + at_i] = special;
          lanes[at_i * kMaskStride + at_b] = special;
          HWY_DYNAMIC_DISPATCH(dropout_masks)(rows.get(), rows_out.get(), lanes.get(),
                                              lanes_out.get(), key);
          const auto expected = [&](std::size_t b, std::size_t i) {
            const bool kept = dropout_keeps(key, b, i, kMaskWidth, MaskLayer::keep_threshold);
            const float x = b == at_b && i == at_i ? special : clean;
            return x * (kept ? scale : 0.0f);
          };
          const auto same = [](float a, float e) {
            return (std::isnan(a) && std::isnan(e)) || a == e;
          };
          dropped_specials +=
              !dropout_keeps(key, at_b, at_i, kMaskWidth, MaskLayer::keep_threshold);
          for (std::size_t b = 0; b < kMaskBatch; ++b)
            for (std::size_t i = 0; i < kMaskRow; ++i) {
              const float row = rows_out[b * kMaskRow + i];
              const float e = i < kMaskWidth ? expected(b, i) : 0.0f;
              BOOST_CHECK_MESSAGE(same(row, e), "rows: " << special << " at sample " << at_b
                                                         << " unit " << at_i << ": sample " << b
                                                         << " unit " << i << " is " << row
                                                         << ", expected " << e);
            }
          for (std::size_t i = 0; i < kMaskWidth; ++i)
            for (std::size_t b = 0; b < kMaskBatch; ++b) {
              const float lane = lanes_out[i * kMaskStride + b];
              BOOST_CHECK_MESSAGE(same(lane, expected(b, i)),
                                  "lanes: " << special << " at sample " << at_b << " unit " << at_i
                                            << ": sample " << b << " unit " << i << " is " << lane
                                            << ", expected " << expected(b, i));
            }
        }
    BOOST_TEST(dropped_specials > 0u);  // the case that matters did occur
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
