// fixnet example: blobs — the 2-4-3 classifier of three Gaussian blobs.
//
// The reference experiment: 2100 points in three blobs (700 each, unit
// variance, centres (0,-3), (3,3), (-3,3)), a 2-4-3 network with sigmoid
// hidden units and a softmax output, weights uniform on [0, 1) and biases
// standard normal, trained by full-batch gradient descent on the SUMMED
// cross-entropy (gradients summed over the 2100 samples, not averaged) with
// learning rate 1e-3 for 50 000 epochs. The reference reports a final summed
// loss of about 0.5.
//
//   blobs [--seed N] [--epochs N] [--learning-rate X] [--report-every N]
//         [--csv FILE] [--gradients sum|mean] [--spread X] [--save MODEL]
//         [--force]
//
// Prints the Highway target, the loss every --report-every epochs, the final
// summed cross-entropy, the accuracy on the training points and the wall
// time; writes the loss curve to --csv as "epoch,loss" lines and the trained
// network to --save (a model file: blobs_predict loads it, fixnet-bake turns
// it into a header, blobs_baked compiles that). Both paths are checked before
// training; the curve grows in FILE.partial (a kill keeps the finished
// rows) and becomes FILE at the end; an existing FILE is replaced only if it
// is a previous curve (or with --force; output_files.hpp). Exits non-zero
// with a message on a bad flag, a file that cannot be written, or a loss that
// becomes NaN or infinite. To see the curve:
//
//   gnuplot -p -e "set datafile separator ','; set key autotitle columnhead;
//                  set logscale y; plot 'blobs_loss.csv' using 1:2 with lines"
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <fixnet/data/blobs.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>

#include "flags.hpp"
#include "loss_log.hpp"
#include "output_files.hpp"

namespace {

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

constexpr std::size_t points_per_blob = 700;
constexpr std::size_t blob_count = 3;
// The batch size is part of the types below (spans, workspace): the whole
// data set is one batch.
constexpr std::size_t samples = blob_count * points_per_blob;

struct Options {
  std::uint64_t seed = 42;
  std::uint64_t epochs = 50'000;
  double learning_rate = 1e-3;
  std::uint64_t report_every = 5'000;
  std::string csv = "blobs_loss.csv";
  std::string gradients = "sum";
  double spread = 1.0;
  std::string save;
  bool force = false;
};

// Beyond this the blobs are noise alone (their centres are 6 apart); the
// bound keeps every point and every sum over the data set far inside the
// range of a float.
constexpr double max_spread = 1e6;

/// Index of the largest output: the predicted class.
std::size_t argmax(const std::array<float, Net::outputs>& y) {
  std::size_t best = 0;
  for (std::size_t k = 1; k < y.size(); ++k)
    if (y[k] > y[best]) best = k;
  return best;
}

int run(const Options& options) {
  const fixnet::GradientDescent<float> descent{examples::learning_rate_as_float(options.learning_rate)};
  fmt::print("fixnet blobs: 2-4-3 sigmoid/softmax network, {} points in {} Gaussian blobs\n",
             samples, blob_count);
  fmt::print("Highway target: {}\n", fixnet::simd_target());
  // Checked before any work, so that a bad path fails at once.
  const examples::Output outputs[] = {
      {"--csv", options.csv, examples::OutputKind::csv, LossLog::csv_header},
      {"--save", options.save, examples::OutputKind::model}};
  examples::check_outputs(outputs, options.force);

  fixnet::data::BlobsOptions blobs;
  blobs.points_per_centre = points_per_blob;
  blobs.stddev = static_cast<float>(options.spread);
  fixnet::data::LabelledPoints points;
  try {
    points = fixnet::data::make_blobs(blobs, options.seed);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("--spread {}: {}", options.spread, e.what()));
  }
  const std::span<const std::array<float, 2>, samples> xs(points.features.data(), samples);
  const std::span<const std::uint8_t, samples> labels(points.labels.data(), samples);

  // Weights uniform on [0, 1), biases standard normal, as the reference.
  // The data takes the seed, the network the next one, so that the two
  // draws are independent.
  Net net;
  fixnet::initialize(net, fixnet::init::Uniform{}, fixnet::init::Normal{}, options.seed + 1);

  LossLog log("blobs", options.csv, options.learning_rate);

  fmt::print("seed {}, {} epochs, learning rate {}, full batch, {} gradients, blob spread {}\n",
             options.seed, options.epochs, options.learning_rate,
             options.gradients == "mean" ? "averaged" : "summed", options.spread);
  fmt::print("loss: cross-entropy summed over the {} points\n", samples);

  // 919 KiB of activations, targets and gradients for 2100 samples (each row
  // padded to a 64-byte line): the heap, not the stack. Allocated once; the
  // training loop allocates nothing.
  auto workspace = std::make_unique<fixnet::Workspace<Net, samples>>();
  // The summed loss of the current parameters, and its summed gradient.
  const Descent trained = descend(
      options, samples, log, net, descent,
      [&](fixnet::Gradients<Net>& grads) {
        return net.backward(xs, labels, fixnet::CrossEntropy{}, grads, *workspace);
      },
      [&] { return net.loss(xs, labels, fixnet::CrossEntropy{}, *workspace); });
  if (trained.status != EXIT_SUCCESS) return trained.status;
  const float loss = trained.loss;

  std::vector<std::array<float, Net::outputs>> probabilities(samples);
  net.forward(xs, std::span<std::array<float, Net::outputs>, samples>(probabilities.data(), samples),
              *workspace);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < samples; ++i) correct += argmax(probabilities[i]) == labels[i];

  fmt::print("final summed cross-entropy: {:.7g} (mean {:.3e} per sample)\n", loss, loss / samples);
  trained.finish(log, correct, samples);
  if (!options.save.empty()) {
    fixnet::save(net, options.save);
    fmt::print("model saved to {} ({})\n", options.save, fixnet::describe_network<Net>());
  }
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  examples::Flags flags(
      "fixnet blobs: trains the 2-4-3 sigmoid/softmax network on three Gaussian blobs (2100 "
      "points) by full-batch gradient descent, as the reference tutorial does.");
  add_descent_flags(flags, options, "loss");
  flags.add_choice("--gradients", options.gradients, {"sum", "mean"},
                   "Summed over the batch (the reference) or averaged (then --lr 2.1 takes the "
                   "same steps)");
  flags.add_non_negative("--spread", options.spread, "Standard deviation of each blob",
                         max_spread);
  flags.add_text("--save", options.save,
                 "Write the trained network to this model file (.safetensors), atomically. Checked "
                 "before training; an existing file is replaced only if it is a model file (else "
                 "--force)");
  flags.add_switch("--force", options.force, examples::force_help);
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;

  return examples::run_program("blobs", [&] { return run(options); });
}
