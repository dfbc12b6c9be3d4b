// Tests of fixnet/quantized.hpp: quantized networks on every Highway target
// against the scalar reference of the same integer arithmetic (bit for bit,
// from float rows and from codes), against the float network they come
// from, calibration (min/max, percentiles, fixed input codes), the rounding
// shared by kernels and reference, and the errors quantize reports.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the passes' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_QUANTIZED_TEST_PRELUDE
#define FIXNET_TESTS_QUANTIZED_TEST_PRELUDE

#define BOOST_TEST_MODULE quantized
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_QUANTIZED_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "quantized_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/inference.hpp>
#include <fixnet/quantized.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_QUANTIZED_TEST_TYPES
#define FIXNET_TESTS_QUANTIZED_TEST_TYPES

namespace fixnet::tests {

/// The table network (sigmoid hidden, 784 inputs: MNIST's shape).
using TableNet = Mlp<Sigmoid, Identity, 784, 50, 10>;
/// Direct codes (ReLU, leaky ReLU), a Dropout left out.
using DirectNet =
    Network<Dense<20, 33, Relu>, Dropout<33>, Dense<33, 17, LeakyRelu>, Dense<17, 5, Identity>>;
/// A tanh table, widths off every vector size, a layer without bias.
using OddNet = Network<Dense<7, 130, Tanh>, Dense<130, 3, Identity, NoBias>>;
/// Softmax on the last layer (applied in float).
using SoftmaxNet = Mlp<Relu, Softmax, 19, 9, 4>;
using Cases =
    std::tuple<Quantized<TableNet>, Quantized<DirectNet>, Quantized<OddNet>, Quantized<SoftmaxNet>>;

/// One target's passes for quantized network Q.
template <class Q>
struct QuantizedKernels {
  void (*from_floats)(const Q&, const float*, float*) = nullptr;
  void (*from_codes)(const Q&, const std::uint8_t*, float*) = nullptr;
  /// Three samples at a time (a group: shared weight loads).
  void (*three_from_floats)(const Q&, const float* const*, float* const*) = nullptr;
  void (*three_from_codes)(const Q&, const std::uint8_t* const*, float* const*) = nullptr;
};
using KernelTable = KernelsPerSetT<QuantizedKernels, Cases>;

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_QUANTIZED_TEST_TYPES

FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class Q>(QuantizedKernels<Q>& k) {
  k.from_floats = &::fixnet::HWY_NAMESPACE::quantized_forward<Q>;
  k.from_codes = &::fixnet::HWY_NAMESPACE::quantized_forward<Q>;
  k.three_from_floats = &::fixnet::HWY_NAMESPACE::quantized_forward_group<Q, 3, float>;
  k.three_from_codes = &::fixnet::HWY_NAMESPACE::quantized_forward_group<Q, 3, std::uint8_t>;
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

namespace {

/// A network with weights N(0, 1 / fan_in) and biases N(0, 0.1), and rows
/// uniform in [0, 1) (rows [0, 200) calibrate, the rest test).
template <class Net>
struct Trial {
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::vector<std::array<float, Net::inputs>> rows;

  explicit Trial(std::uint64_t seed, std::size_t count = 300) {
    TestRng rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for_each_layer_parameters(*net, [&](auto& p, std::size_t inputs) {
      p.for_each_parameter([&](auto index, auto& value) {
        value = normal(rng) * (index.is_bias ? 0.1f : 1.0f / std::sqrt(float(inputs)));
      });
    });
    rows.resize(count);
    for (auto& row : rows)
      for (auto& v : row) v = uniform(rng);
  }
  std::span<const std::array<float, Net::inputs>> calibration() const { return {rows.data(), 200}; }

  template <class F>
  static void for_each_layer_parameters(Net& net, F&& f) {
    detail::for_each_index<Net::layer_count>([&](auto i) {
      using L = typename Net::template layer_type<decltype(i)::value>;
      if constexpr (L::parameter_count > 0)
        f(net.template layer_parameters<decltype(i)::value>(), L::inputs);
    });
  }
};

template <class Q>
std::array<std::uint8_t, Q::inputs> codes_of(const Q& q, const std::array<float, Q::inputs>& x) {
  std::array<std::uint8_t, Q::inputs> c{};
  for (std::size_t i = 0; i < Q::inputs; ++i) c[i] = q.input_quantization().code(x[i]);
  return c;
}

/// Q's pass on every test row against its scalar reference: equal bit for
/// bit where the last activation is Identity, else within float rounding of
/// the last activation's kernel.
template <class Q>
void check_against_reference(const QuantizedKernels<Q>& k) {
  using Net = typename Q::network_type;
  const Trial<Net> trial(77);
  const auto q = std::make_unique<Q>(quantize(*trial.net, trial.calibration()));
  constexpr bool exact = std::is_same_v<typename Q::output_activation, Identity>;
  std::size_t compared = 0;
  for (std::size_t r = 200; r < trial.rows.size(); ++r) {
    const auto& x = trial.rows[r];
    const auto expected = q->reference_forward(x);
    std::array<float, Q::outputs> from_floats{}, from_codes{};
    k.from_floats(*q, x.data(), from_floats.data());
    const auto codes = codes_of(*q, x);
    k.from_codes(*q, codes.data(), from_codes.data());
    BOOST_TEST_CONTEXT("row " << r) {
      if constexpr (exact) {
        BOOST_TEST(from_floats == expected, boost::test_tools::per_element());
      } else {
        for (std::size_t o = 0; o < Q::outputs; ++o)
          BOOST_TEST(from_floats[o] == expected[o], boost::test_tools::tolerance(1e-6f));
      }
      BOOST_TEST(from_codes == from_floats, boost::test_tools::per_element());
    }
    ++compared;
  }
  BOOST_TEST(compared == 100u);
  // Groups of three samples give what one at a time gives.
  for (std::size_t r = 200; r + 3 <= trial.rows.size(); r += 3) {
    std::array<std::array<float, Q::outputs>, 3> ys{}, from_codes{};
    std::array<std::array<std::uint8_t, Q::inputs>, 3> codes{};
    const float* xs[3];
    const std::uint8_t* cs[3];
    float* out[3];
    float* out_codes[3];
    for (std::size_t s = 0; s < 3; ++s) {
      codes[s] = codes_of(*q, trial.rows[r + s]);
      xs[s] = trial.rows[r + s].data();
      cs[s] = codes[s].data();
      out[s] = ys[s].data();
      out_codes[s] = from_codes[s].data();
    }
    k.three_from_floats(*q, xs, out);
    k.three_from_codes(*q, cs, out_codes);
    for (std::size_t s = 0; s < 3; ++s) {
      std::array<float, Q::outputs> one{};
      k.from_floats(*q, xs[s], one.data());
      BOOST_TEST_CONTEXT("rows " << r << " to " << r + 2 << ", sample " << s) {
        BOOST_TEST(ys[s] == one, boost::test_tools::per_element());
        BOOST_TEST(from_codes[s] == one, boost::test_tools::per_element());
      }
    }
  }
}

/// The largest difference between Q's and Net's outputs on the test rows.
template <class Net>
double worst_difference(const Net& net, const Quantized<Net>& q,
                        const std::vector<std::array<float, Net::inputs>>& rows) {
  double worst = 0;
  for (std::size_t r = 200; r < rows.size(); ++r) {
    const auto y = net.forward(rows[r]);
    const auto yq = q.forward(rows[r]);
    for (std::size_t o = 0; o < Net::outputs; ++o)
      worst = std::max(worst, double(std::abs(y[o] - yq[o])));
  }
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(quantized)

BOOST_AUTO_TEST_CASE(every_target_gives_the_integer_reference_bit_for_bit) {
  FIXNET_ON_EVERY_TARGET(get_kernels, [](const KernelTable& table) {
    for_each_entry(table,
                   []<class Q>(const QuantizedKernels<Q>& k) { check_against_reference(k); });
  });
}

BOOST_AUTO_TEST_CASE(the_static_target_forward_is_the_reference) {
  const Trial<DirectNet> trial(5);
  const auto q = quantize(*trial.net, trial.calibration());
  for (std::size_t r = 200; r < 300; ++r) {
    const auto expected = q.reference_forward(trial.rows[r]);
    BOOST_TEST(q.forward(trial.rows[r]) == expected, boost::test_tools::per_element());
    const auto codes = codes_of(q, trial.rows[r]);
    BOOST_TEST(q.forward(std::span<const std::uint8_t, DirectNet::inputs>(codes)) == expected,
               boost::test_tools::per_element());
  }
  // A batch is its rows one by one (7: groups and a rest, whatever the group).
  std::array<std::array<float, DirectNet::inputs>, 7> xs{};
  std::array<std::array<std::uint8_t, DirectNet::inputs>, 7> codes{};
  for (std::size_t b = 0; b < 7; ++b) {
    xs[b] = trial.rows[200 + b];
    codes[b] = codes_of(q, xs[b]);
  }
  std::array<std::array<float, DirectNet::outputs>, 7> ys{}, from_codes{};
  q.forward(xs, ys);
  q.forward(std::span<const std::array<std::uint8_t, DirectNet::inputs>, 7>(codes), from_codes);
  for (std::size_t b = 0; b < 7; ++b) {
    BOOST_TEST(ys[b] == q.forward(xs[b]), boost::test_tools::per_element());
    BOOST_TEST(from_codes[b] == ys[b], boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(quantized_outputs_are_close_to_the_float_network) {
  // Errors of a few codes' worth: outputs of order 1, codes 1/255 of a range.
  const Trial<TableNet> table(11);
  BOOST_TEST(worst_difference(*table.net, quantize(*table.net, table.calibration()), table.rows) <
             0.05);
  const Trial<DirectNet> direct(12);
  BOOST_TEST(worst_difference(*direct.net, quantize(*direct.net, direct.calibration()),
                              direct.rows) < 0.05);
  const Trial<OddNet> odd(13);
  BOOST_TEST(worst_difference(*odd.net, quantize(*odd.net, odd.calibration()), odd.rows) < 0.05);
  const Trial<SoftmaxNet> softmax(14);
  BOOST_TEST(worst_difference(*softmax.net, quantize(*softmax.net, softmax.calibration()),
                              softmax.rows) < 0.02);
}

BOOST_AUTO_TEST_CASE(weights_are_symmetric_int8_with_a_scale_per_output) {
  const Trial<DirectNet> trial(21);
  const auto q = quantize(*trial.net, trial.calibration());
  const auto& p = trial.net->layer_parameters<0>();
  const auto& l = q.layer<0>();
  for (std::size_t o = 0; o < 33; ++o) {
    float largest = 0;
    int widest = 0;
    for (std::size_t i = 0; i < 20; ++i) {
      largest = std::max(largest, std::abs(p.weight(o, i)));
      widest = std::max(widest, std::abs(int{l.weight(o, i)}));
      BOOST_TEST(std::abs(l.weight_scale(o) * l.weight(o, i) - p.weight(o, i)) <=
                 0.5f * l.weight_scale(o) * 1.0001f);
    }
    BOOST_TEST(widest == 127);
    BOOST_TEST(l.weight_scale(o) == largest / 127, boost::test_tools::tolerance(1e-6f));
  }
  // The dropout layer is left out: layer 1 is the network's layer 2.
  static_assert(Quantized<DirectNet>::layer_count == 3);
  static_assert(Quantized<DirectNet>::network_layer<1> == 2);
  // ReLU outputs start at zero: the codes' zero point is 0.
  BOOST_TEST(q.layer<0>().output().zero_point == 0);
  BOOST_TEST((q.layer<0>().output() == q.layer<1>().input()));
}

BOOST_AUTO_TEST_CASE(codes_round_to_nearest_even_and_clamp) {
  const Quantization q{0.5f, 10};
  BOOST_TEST(q.code(0.0f) == 10);
  BOOST_TEST(q.code(0.25f) == 10);  // 0.5 code: to even
  BOOST_TEST(q.code(0.75f) == 12);  // 1.5 codes: to even
  BOOST_TEST(q.code(-5.0f) == 0);
  BOOST_TEST(q.code(-100.0f) == 0);
  BOOST_TEST(q.code(122.5f) == 255);
  BOOST_TEST(q.code(1e30f) == 255);
  BOOST_TEST(q.value(12) == 1.0f);
  // Just under a half rounds down (adding 0.5 and truncating would not).
  BOOST_TEST(detail::round_clamped(0.49999997f, -100, 100) == 0);
  BOOST_TEST(detail::round_clamped(-2.5f, -100, 100) == -2);
  // Every pixel p / 255 codes back to p.
  for (int p = 0; p < 256; ++p)
    BOOST_TEST(pixels_over_255.code(static_cast<float>(p) / 255.0f) == p);
}

BOOST_AUTO_TEST_CASE(fixed_input_codes_take_raw_pixels) {
  const Trial<TableNet> trial(31);
  const auto q = quantize(*trial.net, trial.calibration(), {.input = pixels_over_255});
  BOOST_TEST((q.input_quantization() == pixels_over_255));
  TestRng rng(3);
  std::array<std::uint8_t, 784> pixels{};
  std::array<float, 784> x{};
  for (std::size_t i = 0; i < 784; ++i) {
    pixels[i] = static_cast<std::uint8_t>(rng() % 256);
    x[i] = static_cast<float>(pixels[i]) / 255.0f;
  }
  BOOST_TEST(q.forward(pixels) == q.forward(x), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(percentile_ranges_clip_outliers) {
  Trial<DirectNet> trial(41);
  // One outlier input among 200 x 20 values.
  trial.rows[7][3] = 50.0f;
  const auto minmax = quantize(*trial.net, trial.calibration());
  const auto clipped = quantize(*trial.net, trial.calibration(),
                                {.ranges = RangeMethod::percentile, .percentile = 99.9});
  BOOST_TEST(minmax.input_quantization().scale == 50.0f / 255, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(clipped.input_quantization().scale < 1.1f / 255);
  BOOST_TEST(clipped.input_quantization().scale > 0.9f / 255);
  // Clipping the outlier helps every other row.
  BOOST_TEST(worst_difference(*trial.net, clipped, trial.rows) <
             worst_difference(*trial.net, minmax, trial.rows));
}

BOOST_AUTO_TEST_CASE(quantize_reports_what_it_cannot_do) {
  Trial<DirectNet> trial(51);
  const auto message_is = [](const std::string& expected) {
    return [expected](const std::invalid_argument& e) {
      BOOST_TEST_INFO("message: " << e.what());
      return std::string(e.what()).find(expected) != std::string::npos;
    };
  };
  const std::vector<std::array<float, 20>> none;
  BOOST_CHECK_EXCEPTION(quantize(*trial.net, none), std::invalid_argument,
                        message_is("no calibration rows"));
  BOOST_CHECK_EXCEPTION(quantize(*trial.net, trial.calibration(),
                                 {.ranges = RangeMethod::percentile, .percentile = 40}),
                        std::invalid_argument, message_is("percentile must be in (50, 100]"));
  BOOST_CHECK_EXCEPTION(quantize(*trial.net, trial.calibration(), {.input = Quantization{0.0f, 0}}),
                        std::invalid_argument, message_is("finite positive scale"));
  trial.rows[3][0] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_EXCEPTION(quantize(*trial.net, trial.calibration()), std::invalid_argument,
                        message_is("non-finite activation"));
  trial.rows[3][0] = 0.0f;
  // The last layer's outputs are not calibrated: its parameters are checked.
  trial.net->layer_parameters<3>().bias(1) = std::numeric_limits<float>::infinity();
  BOOST_CHECK_EXCEPTION(quantize(*trial.net, trial.calibration()), std::invalid_argument,
                        message_is("layer 3: a bias is not finite"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE
