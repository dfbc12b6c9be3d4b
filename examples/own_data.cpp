// fixnet example: own_data — training on data of your own, then shipping the
// network with its preprocessing. The data here are made up (which of three
// noisy rings a point lies on, with features of very different scales); yours
// come from a file, a sensor, a simulation: rows of Net::inputs floats and
// a class index each.
//
//   own_data [MODEL_FILE]     (default rings.safetensors)
//
// Prints the validation accuracy of each epoch, the held-out accuracy, where
// the model was saved, and what the reloaded model predicts for one point.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <random>
#include <string>

#include <fixnet/data/dataset.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/train/metrics.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/train/trainer.hpp>

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 16, 16, 3>;

namespace {

// Stands for your data: 3000 points, radius 1, 2 or 3 by class, x in metres
// around 100 and y in kilometres (so they need standardising).
fixnet::data::Dataset<float, 2> make_rings() {
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.15f);
  std::uniform_real_distribution<float> angle(0.0f, 6.2831853f);
  fixnet::data::Dataset<float, 2> data(/*classes=*/3);
  for (int i = 0; i < 3000; ++i) {
    const auto ring = static_cast<std::uint8_t>(i % 3);
    const float r = 1.0f + ring + noise(rng), a = angle(rng);
    data.add({100.0f + 50.0f * r * std::cos(a), 0.001f * r * std::sin(a)}, ring);
  }
  return data;
}

int run(const std::string& path) {
  fixnet::data::Dataset<float, 2> data = make_rings();

  // Hold out 600 samples; standardise with the training part's statistics.
  auto [train, validation] = fixnet::data::split(data, 600, /*seed=*/2);
  const fixnet::Standardization<float, 2> standardization = fixnet::data::fit_standardization(train);
  train.standardize(standardization);
  validation.standardize(standardization);

  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, /*seed=*/3);
  fixnet::Trainer<Net, 32, fixnet::Adam<>> trainer({.epochs = 40, .seed = 4, .patience = 5}, {.lr = 1e-2f});
  trainer.fit(net, train, validation);  // keeps the best epoch's parameters
  std::printf("held-out accuracy: %.2f%%\n", 100.0 * trainer.evaluate(net, validation).accuracy());

  // The network and its preprocessing, in one file.
  fixnet::save(net, standardization, path);
  std::printf("saved to %s\n", path.c_str());

  // Elsewhere (another program, another machine): load both, and standardise
  // each row exactly as training did.
  Net deployed;
  fixnet::Standardization<float, 2> preprocess;
  fixnet::load(deployed, preprocess, path);
  const std::array<float, 3> p = deployed.forward(preprocess({100.0f + 50.0f * 3.0f, 0.0f}));
  std::printf("the point at radius 3 is class %d (p = %.3f %.3f %.3f)\n", static_cast<int>(fixnet::argmax(p)),
              p[0], p[1], p[2]);
  return fixnet::argmax(p) == 2 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc > 1 ? argv[1] : "rings.safetensors");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "own_data: %s\n", e.what());
    return 1;
  }
}
