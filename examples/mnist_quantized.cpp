// --quantize and --save-quantized of the MNIST examples (mnist_common.hpp):
// the trained network quantized to int8 (fixnet/quantized.hpp), its test
// accuracy and speed against the float network's, and its model file.
// A translation unit of its own, linked by mnist and deep.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <fixnet/quantized.hpp>
#include <fixnet/train/evaluate.hpp>

#include "mnist_common.hpp"
#include "mnist_networks.hpp"

namespace examples::mnist {
namespace {

/// Images calibrating the activations' ranges: enough to see their spread.
constexpr std::size_t calibration_images = 1000;

/// Where the timed passes' outputs go, so that they are computed.
volatile float timing_sink = 0;

/// Best of three passes of `forward(i)` over `count` images, in seconds per image.
template <class Forward>
double seconds_per_image(std::size_t count, Forward&& forward) {
  double best = 1e300;
  float sink = 0;
  for (int pass = 0; pass < 3; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < count; ++i) sink += forward(i)[0];
    best = std::min(best, seconds_since(start) / static_cast<double>(count));
  }
  timing_sink = timing_sink + sink;
  return best;
}

template <class Net>
void report(const Net& net, const Data& data, const Options& o, const char* program) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t n = std::min(calibration_images, data.train.size());
  const auto q = std::make_unique<fixnet::Quantized<Net>>(
      fixnet::quantize(net, std::span<const std::array<float, 784>>(data.train.rows().data(), n),
                       {.input = fixnet::pixels_over_255}));
  fmt::print(
      "quantized to int8 weights and uint8 activations in {:.3f} s (calibrated on {} training "
      "images, raw pixels as input codes)\n",
      seconds_since(start), n);

  const fixnet::Evaluation f = fixnet::evaluate<32>(net, data.test, fixnet::CrossEntropy{});
  const fixnet::Evaluation e = fixnet::evaluate(*q, data.test, fixnet::CrossEntropy{});
  double worst = 0;
  for (std::size_t i = 0; i < data.test.size(); ++i) {
    const auto y = net.forward(data.test.row(i));
    const auto yq = q->forward(data.test.row(i));
    for (std::size_t k = 0; k < Net::outputs; ++k)
      worst = std::max(worst, double(std::abs(y[k] - yq[k])));
  }
  fmt::print("int8 test accuracy: {} (loss {:.4f})\n", accuracy_text(e), e.loss);
  fmt::print(
      "float -> int8: test accuracy {:.2f}% -> {:.2f}% ({:+.2f} points), loss {:.4f} -> {:.4f}; "
      "largest output difference {:.4f}\n",
      100.0 * f.accuracy(), 100.0 * e.accuracy(), 100.0 * (e.accuracy() - f.accuracy()), f.loss,
      e.loss, worst);

  // One image at a time, as a real-time caller would: float inputs for both,
  // and raw pixels (the codes) for the quantized network.
  const std::size_t count = data.test.size();
  std::vector<std::array<std::uint8_t, 784>> pixels(count);
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t p = 0; p < 784; ++p)
      pixels[i][p] = q->input_quantization().code(data.test.row(i)[p]);
  const double float_time =
      seconds_per_image(count, [&](std::size_t i) { return net.forward(data.test.row(i)); });
  const double int8_time =
      seconds_per_image(count, [&](std::size_t i) { return q->forward(data.test.row(i)); });
  const double pixel_time =
      seconds_per_image(count, [&](std::size_t i) { return q->forward(pixels[i]); });
  fmt::print(
      "one-image forward pass: float {:.2f} us, int8 {:.2f} us from floats ({:.1f}x), {:.2f} us "
      "from "
      "raw pixels ({:.1f}x) [{}]\n",
      float_time * 1e6, int8_time * 1e6, float_time / int8_time, pixel_time * 1e6,
      float_time / pixel_time, fixnet::simd_target());
  if (!o.save_quantized.empty())
    save_model(*q, o.save_quantized,
               {.program = program, .evaluation_batch = 1, .data = data.where});
}

}  // namespace

void report_quantized(const MnistNetwork& net, const Data& data, const Options& o,
                      const char* program) {
  report(net, data, o, program);
}
void report_quantized(const DeepNetwork& net, const Data& data, const Options& o,
                      const char* program) {
  report(net, data, o, program);
}

}  // namespace examples::mnist
