// fixnet example: iris — training on a CSV file: Fisher's iris measurements
// (examples/data/iris.csv, written by examples/data/make_iris.py), four
// features in centimetres and the species by name.
//
//   iris [--data examples/data/iris.csv] [--epochs 300] [--seed 1]
//
// Loads the file with fixnet::data::load_csv (the label column by name, the
// species names as classes), holds out 30 flowers with the class
// proportions kept, standardises the features with the training part's
// statistics, trains a 4-8-3 network with early stopping, and prints the
// held-out accuracy and confusion matrix.
#include <cstdint>
#include <iostream>
#include <string>

#include <fmt/core.h>

#include <fixnet/fixnet.hpp>

#include "flags.hpp"
#include "output_files.hpp"

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 4, 8, 3>;

namespace {

int run(int argc, char** argv) {
  std::string path = FIXNET_EXAMPLES_DATA "/iris.csv";
  std::uint64_t epochs = 300, seed = 1, report_every = 50;
  examples::Flags flags("Trains a 4-8-3 network on Fisher's iris flowers, read from a CSV file.");
  flags.add_text("--data", path, "The CSV file: 4 measurement columns and a 'species' column");
  flags.add_count("--epochs", epochs, "Passes over the training part (at most)", 1);
  flags.add_count("--seed", seed, "Seed of the initialisation, the split and the shuffling");
  flags.add_count("--report-every", report_every, "Print every N-th epoch", 1);
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;
  fmt::print("Highway target: {}\n", fixnet::simd_target());

  // Your own data: name the label column and, if it holds names, the classes.
  fixnet::data::Dataset<float, 4> flowers = fixnet::data::load_csv<Net>(
      path, {.targets = {"species"}, .class_names = {"setosa", "versicolor", "virginica"}});
  fmt::print("{}: {} flowers of {} species\n", path, flowers.size(), flowers.classes());

  auto [train, validation] =
      fixnet::data::split(flowers, 30, seed, fixnet::data::Stratify::by_class);
  const auto standardization = fixnet::data::fit_standardization(train);
  train.standardize(standardization);
  validation.standardize(standardization);

  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, seed);
  fixnet::TrainerOptions options{.epochs = epochs, .seed = seed, .patience = 30,
                                 .progress = fixnet::ProgressStyle::off};
  options.on_epoch.push_back([&](const fixnet::EpochRecord& e) {
    if (e.epoch % report_every == 0 || e.epoch == 1)
      fmt::print("epoch {:4}  loss {:.4f}  validation accuracy {:.1f}%\n", e.epoch, e.train_loss,
                 100 * e.validation_accuracy);
    return fixnet::TrainingControl::proceed;
  });
  fixnet::Trainer<Net, 8, fixnet::Adam<>> trainer(options, {.lr = 1e-2f});
  const fixnet::TrainingHistory history = trainer.fit(net, train, validation);
  fmt::print("{}\n", history.stop_message);

  const fixnet::Evaluation held_out = trainer.evaluate(net, validation);
  fmt::print("accuracy: {}/{} = {:.2f}%\n", held_out.confusion.correct(), held_out.samples,
             100 * held_out.accuracy());
  std::cout << held_out.confusion;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return examples::run_tutorial("iris", [&] { return run(argc, argv); });
}
