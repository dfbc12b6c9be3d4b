// End to end on real data: load the files (fixnet/data/mnist.hpp), train the
// tutorial's 784-50-10 sigmoid/softmax network by mini-batch gradient
// descent over shuffled batches (fixnet/data/dataset.hpp), and evaluate it on
// the whole test set (fixnet/train/evaluate.hpp): on MNIST above 90% after two
// epochs over 10 000 training images (92.4-92.8% over seeds 1-3; one epoch
// reaches only 89-91%); on Fashion-MNIST, harder, above 70% (77.3%).
//
// The data comes only through the environment variables FIXNET_DATA and
// FIXNET_DATA_SET ("mnist" or "fashion-mnist"), set by the root meson.build.
// Without them the test says so and exits with 77, which Meson reports as
// SKIP. With FIXNET_QUICK set (the sanitizer build), it trains on 2 000
// images and asks for 80% (Fashion-MNIST: 65%, reached 74.0%), to stay fast
// without optimisation. The network, and a deeper 784-256-128-10 with
// dropout trained the same way, are then quantized to int8 and must keep
// their test accuracy within 0.3 and 0.5 points of the float network's.
#define BOOST_TEST_MODULE mnist
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <ratio>
#include <span>
#include <string>

#include <fixnet/data/mnist.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/quantized.hpp>
#include <fixnet/train/evaluate.hpp>

namespace fixnet::tests {
namespace {

using Net = Mlp<Sigmoid, Softmax, 784, 50, 10>;

bool skipped = false;

/// The files through $FIXNET_DATA only (never a system-wide copy found by
/// chance, whose thresholds FIXNET_DATA_SET would not name); nothing when
/// the variable is unset. A variable that names a directory without the
/// files is an error (locate_data throws).
std::optional<data::MnistFiles> mnist_from_environment() {
  const char* dir = std::getenv("FIXNET_DATA");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  return data::locate_data({}, {.environment_variable = "FIXNET_DATA", .system_directories = {}}).files;
}

bool fashion() {
  const char* set = std::getenv("FIXNET_DATA_SET");
  return set != nullptr && std::string(set) == "fashion-mnist";
}

bool quick() {
  const char* q = std::getenv("FIXNET_QUICK");
  return q != nullptr && *q != '\0' && std::string(q) != "0";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Quantizes `net` (calibrated on the first 1000 training images, inputs
/// coded as raw pixels) and checks that its test accuracy is at most
/// `max_loss` below the float network's; reports both and the largest
/// difference of an output.
template <class Net, class Data>
void check_quantized(const std::string& name, const Net& net, const Data& train, const Data& test,
                     const Evaluation& float_result, double max_loss) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto q = std::make_unique<Quantized<Net>>(
      quantize(net,
               std::span<const std::array<float, Net::inputs>>(
                   train.rows().data(), std::min<std::size_t>(1000, train.size())),
               {.input = pixels_over_255}));
  const double quantize_seconds = seconds_since(t0);
  const Evaluation quantized = evaluate(*q, test, CrossEntropy{});
  double worst = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    const auto y = net.forward(test.row(i));
    const auto yq = q->forward(test.row(i));
    for (std::size_t o = 0; o < Net::outputs; ++o)
      worst = std::max(worst, double(std::abs(y[o] - yq[o])));
  }
  const std::string report = name + " quantized (int8 weights, uint8 activations): test accuracy " +
                             std::to_string(float_result.accuracy()) + " (float) -> " +
                             std::to_string(quantized.accuracy()) +
                             " (int8); largest output difference " + std::to_string(worst) +
                             "; quantize " + std::to_string(quantize_seconds) + " s";
  BOOST_TEST_MESSAGE(report);
  std::cout << report << std::endl;
  BOOST_TEST(quantized.samples == test.size());
  BOOST_TEST(quantized.loss < float_result.loss + 0.02,
             "quantized loss " << quantized.loss << ", float " << float_result.loss);
  BOOST_TEST(
      quantized.accuracy() >= float_result.accuracy() - max_loss,
      "quantized accuracy " << quantized.accuracy() << ", float " << float_result.accuracy());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mnist)

BOOST_AUTO_TEST_CASE(two_epochs_of_mini_batch_descent_on_10000_images_beat_90_percent) {
  const auto files = mnist_from_environment();
  if (!files) {
    skipped = true;
    const char* why = "SKIPPED: no data: FIXNET_DATA is not set (meson.build sets it to MNIST beside the "
                      "project, or to Debian's Fashion-MNIST: apt-get install dataset-fashion-mnist)";
    BOOST_TEST_MESSAGE(why);
    std::cout << why << std::endl;
    return;
  }
  const bool fast = quick();
  const std::size_t train_images = fast ? 2000 : 10000;
  const double threshold = fashion() ? (fast ? 0.65 : 0.70) : (fast ? 0.80 : 0.90);
  constexpr std::size_t B = 32;
    // Averaged gradients. Test accuracy after two epochs, seeds 1-3: lr 0.5:
  // 91.1-91.6%, 1: 92.0-92.5%, 1.5: 92.7-92.8%, 2: 92.4-92.9%, 3: 90.4-91.7%.
  const float learning_rate = 1.5f;
  const int epochs = 2;
  const std::uint64_t seed = 1;

  const auto t0 = std::chrono::steady_clock::now();
  const auto train = data::load_mnist<Net>(*files, data::MnistPart::train, {.max_samples = train_images});
  const auto test = data::load_mnist<Net>(*files, data::MnistPart::test);
  const double load_seconds = seconds_since(t0);
  BOOST_TEST_REQUIRE(train.size() == train_images);
  BOOST_TEST_REQUIRE(test.size() == 10000u);

  // The tutorial's initialisation: weights randn / sqrt(fan_in), biases 0.
  auto net = std::make_unique<Net>();
  initialize(*net, init::ScaledNormal{}, init::Zeros{}, seed);
  auto ws = std::make_unique<Workspace<Net, B>>();
  auto grads = std::make_unique<Gradients<Net>>();
  const GradientDescent<float> descent{learning_rate};

  const Evaluation before = evaluate(*net, test, CrossEntropy{}, *ws);

  const auto t1 = std::chrono::steady_clock::now();
  Rng rng(seed + 1);
  std::vector<std::size_t> order = data::identity_order(train.size());
  double epoch_loss = 0;  // of the last epoch
  std::size_t seen = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    data::shuffle(order, rng);  // a new permutation each epoch
    epoch_loss = 0;
    seen = 0;
    for (const auto batch : train.batches<B>(order)) {
      grads->zero();
      const float loss = net->backward(batch.inputs, batch.labels, CrossEntropy{}, *grads, *ws);
      BOOST_TEST_REQUIRE(std::isfinite(loss), "loss " << loss << " at batch " << batch.index);
      grads->scale(1.0f / B);
      descent.step(*net, *grads);
      epoch_loss += loss;
      seen += B;
    }
  }
  const double train_seconds = seconds_since(t1);

  const Evaluation after = evaluate(*net, test, CrossEntropy{}, *ws);
  const std::string report =
      "MNIST 784-50-10, " + std::to_string(train_images) + " training images (" +
      std::to_string(seen) + " in " + std::to_string(train.batches<B>(order).size()) +
      " batches of 32 per epoch), " + std::to_string(epochs) + " epochs, lr " +
      std::to_string(learning_rate) + ": last epoch's train loss " +
      std::to_string(epoch_loss / double(seen)) + ", test loss " + std::to_string(before.loss) +
      " -> " + std::to_string(after.loss) + ", test accuracy " + std::to_string(before.accuracy()) +
      " -> " + std::to_string(after.accuracy()) + "; load " + std::to_string(load_seconds) +
      " s, train " + std::to_string(train_seconds) + " s";
  BOOST_TEST_MESSAGE(report);
  std::cout << report << std::endl;
  BOOST_TEST(after.samples == 10000u);
  BOOST_TEST(after.loss < before.loss);
  BOOST_TEST(after.accuracy() > threshold, "test accuracy " << after.accuracy() << ", expected above "
                                                            << threshold << "\n" << after.confusion);
  check_quantized("784-50-10", *net, train, test, after, 0.003);
}

BOOST_AUTO_TEST_CASE(the_deep_network_quantized_loses_at_most_half_a_point) {
  const auto files = mnist_from_environment();
  if (!files) return;  // reported by the first case
  using Deep = Network<Dense<784, 256, Relu>, Dropout<256, std::ratio<1, 5>>, Dense<256, 128, Relu>,
                       Dropout<128, std::ratio<1, 5>>, Dense<128, 10, Softmax>>;
  const std::size_t train_images = quick() ? 2000 : 10000;
  const auto train =
      data::load_mnist<Deep>(*files, data::MnistPart::train, {.max_samples = train_images});
  const auto test = data::load_mnist<Deep>(*files, data::MnistPart::test);
  auto net = std::make_unique<Deep>();
  initialize(*net, init::HeNormal{}, init::Zeros{}, 3);
  constexpr std::size_t B = 32;
  auto ws = std::make_unique<Workspace<Deep, B>>();
  auto grads = std::make_unique<Gradients<Deep>>();
  const GradientDescent<float> descent{0.1f};
  Rng rng(4);
  std::vector<std::size_t> order = data::identity_order(train.size());
  for (int epoch = 0; epoch < 2; ++epoch) {
    data::shuffle(order, rng);
    for (const auto batch : train.batches<B>(order)) {
      grads->zero();
      net->backward(batch.inputs, batch.labels, CrossEntropy{}, *grads, *ws);
      grads->scale(1.0f / B);
      descent.step(*net, *grads);
    }
  }
  const Evaluation trained = evaluate(*net, test, CrossEntropy{}, *ws);
  // 93.0 % (FIXNET_QUICK: 87.4 %); Fashion-MNIST is harder.
  const double threshold = fashion() ? (quick() ? 0.65 : 0.70) : (quick() ? 0.80 : 0.90);
  BOOST_TEST(trained.accuracy() > threshold);
  check_quantized("784-256-128-10", *net, train, test, trained, 0.005);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

// Boost.Test's own main, except that a skipped run exits with 77: Meson's
// code for "skipped", so that the skip shows in the test summary.
int main(int argc, char* argv[]) {
  const int status = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
  return status == 0 && fixnet::tests::skipped ? 77 : status;
}
