// fixnet example: regression — a 1-16-16-1 tanh network learns a function
// from noisy samples: y = sin(3x) exp(-x^2 / 2) on [-3, 3], the shape of a
// damped response (a control loop's or an audio effect's curve; yours come
// from measurements, a CSV file through fixnet::data::load_regression_csv).
//
//   regression [--epochs 400] [--samples 2000] [--noise 0.05] [--seed 1]
//
// Trains with Adam on the mean squared error, with early stopping on the
// validation loss, and prints the validation RMSE and MAE (against the noisy
// targets) and the largest error against the noise-free function.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include <fmt/core.h>

#include <fixnet/fixnet.hpp>

#include "flags.hpp"
#include "output_files.hpp"

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Identity, 1, 16, 16, 1>;

namespace {

float response(float x) { return std::sin(3 * x) * std::exp(-x * x / 2); }

int run(int argc, char** argv) {
  std::uint64_t epochs = 400, samples = 2000, seed = 1, report_every = 50;
  double noise = 0.05;
  examples::Flags flags("Trains a 1-16-16-1 tanh network to approximate a damped sine from noisy samples.");
  flags.add_count("--epochs", epochs, "Passes over the training part (at most)", 1);
  flags.add_count("--samples", samples, "Samples drawn, a fifth held out for validation", 10,
                  10'000'000);
  flags.add_non_negative("--noise", noise, "Standard deviation of the noise added to the targets",
                         10);
  flags.add_count("--seed", seed, "Seed of the data, the initialisation and the shuffling");
  flags.add_count("--report-every", report_every, "Print every N-th epoch", 1);
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;
  fmt::print("Highway target: {}\n", fixnet::simd_target());

  // Rows of one input, each with a row of one target.
  fixnet::data::RegressionDataset<float, 1, 1> data;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> x(-3.0f, 3.0f);
  std::normal_distribution<float> error(0.0f, static_cast<float>(noise));
  for (std::uint64_t i = 0; i < samples; ++i) {
    const float xi = x(rng);
    data.add({xi}, {response(xi) + error(rng)});
  }
  const auto [train, validation] = fixnet::data::split(data, samples / 5, seed);

  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, seed);
  fixnet::TrainerOptions options{.epochs = epochs, .seed = seed, .patience = 40,
                                 .progress = fixnet::ProgressStyle::off};
  options.on_epoch.push_back([&](const fixnet::EpochRecord& e) {
    if (e.epoch % report_every == 0 || e.epoch == 1)
      fmt::print("epoch {:4}  loss {:.6f}  validation RMSE {:.4f}\n", e.epoch, e.train_loss,
                 e.metric("validation_rmse").value_or(0));
    return fixnet::TrainingControl::proceed;
  });
  fixnet::Trainer<Net, 32, fixnet::Adam<>, fixnet::MeanSquaredError> trainer(options, {.lr = 3e-3f});
  const fixnet::TrainingHistory history = trainer.fit(net, train, validation);
  fmt::print("{}\n", history.stop_message);

  const fixnet::Evaluation e = trainer.evaluate(net, validation);
  double worst = 0;
  for (int i = 0; i <= 600; ++i) {
    const float xi = -3.0f + 0.01f * static_cast<float>(i);
    worst = std::max(worst, double(std::abs(net.forward(std::array<float, 1>{xi})[0] - response(xi))));
  }
  fmt::print("validation RMSE {:.4f}, MAE {:.4f} (noise {:.3f})\n", e.rmse, e.mae, noise);
  fmt::print("largest error against the noise-free function on [-3, 3]: {:.4f}\n", worst);
  fmt::print("rmse: {:.6f}\n", e.rmse);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::run_tutorial("regression", [&] { return run(argc, argv); });
}
