// fixnet example: mnist --reference — the tutorial's full-batch gradient
// descent on the 784-50-10 network (see mnist.cpp), in a translation unit of
// its own so that no file of the example takes long to compile.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/core.h>

#include <fixnet/fixnet.hpp>
#include <fixnet/train/trainer.hpp>

#include "mnist_common.hpp"
#include "mnist_networks.hpp"

namespace examples::mnist {
namespace {

using Net = MnistNetwork;
namespace ex = examples::mnist;

/// Images per batch pass of the full-batch gradient: 60 000 images in 600
/// passes. 100 rather than 1000 because the workspace (~4 KiB per image)
/// then stays in the L2 cache: twice the speed on this machine (440 000 vs
/// 230 000 samples/s). Another image count (--limit) goes in as many whole
/// chunks as fit, then one image at a time.
constexpr std::size_t reference_chunk = 100;
constexpr double reference_learning_rate = 0.1;
constexpr std::uint64_t reference_iterations = 100;

}  // namespace

int run_reference(const Options& o) {
  const std::uint64_t iterations = o.epochs ? o.epochs : reference_iterations;
  const double lr = o.learning_rate > 0 ? o.learning_rate : reference_learning_rate;
  const ex::Data data = ex::load<Net>(o, 0);
  ex::check_threads("mnist", o, data.train.size(), reference_chunk, true);
  fmt::print("data: {}: {} training images, {} test images (pixels / 255)\n", data.where,
             data.train.size(), data.test.size());
  fmt::print(
      "reference: weights randn / sqrt(fan_in), biases 0 (seed {}); full-batch gradient descent, "
      "{} iterations, learning rate {:g}, gradient averaged over all {} images (summed over chunks "
      "of {} "
      "through the batch backward pass, then scaled by 1/{}){}\n",
      o.seed, iterations, lr, data.train.size(), reference_chunk, data.train.size(),
      o.threads > 1 ? fmt::format("; the chunks shared between {} threads", o.threads) : "");
  std::fflush(stdout);

  auto net = std::make_unique<Net>();
  fixnet::initialize(*net, fixnet::init::ScaledNormal{}, fixnet::init::Zeros{}, o.seed);

  fixnet::TrainerOptions t;
  t.epochs = iterations;
  t.shuffle = false;       // the order does not change a full-batch sum
  t.batches_per_step = 0;  // every batch (and the tail) into one step
  t.threads = o.threads;   // the chunks of the full batch shared between them
  t.checkpoint_path = ex::checkpoint_path(o);
  t.progress = fixnet::ProgressStyle::run;
  fixnet::Trainer<Net, reference_chunk, fixnet::Sgd<>> trainer(
      std::move(t), {.lr = examples::learning_rate_as_float(lr)});
  // "epoch N" is iteration N (a full-batch epoch is one step): the loss and
  // accuracy over all training images of the parameters before step N,
  // exactly; the test accuracy after it (for the curve). Printed every 10.
  trainer.options().on_epoch.push_back([&](fixnet::EpochRecord& e) {
    const fixnet::Evaluation test = trainer.evaluate(*net, data.test);
    e.add_metric("test_loss", test.loss);
    e.add_metric("test_accuracy", test.accuracy());
    if (e.epoch == 1 || e.epoch % 10 == 0 || e.epoch == iterations)
      fmt::print(
          "epoch {:>3}  loss {:.6f}  acc {:6.2f}%  test acc {:6.2f}%  {:.2f} s  {:.0f} samples/s\n",
          e.epoch, e.train_loss, 100 * e.train_accuracy, 100 * test.accuracy(), e.train_seconds,
          e.samples_per_second);
    std::fflush(stdout);
  });
  // The curves so far in CSV.partial after every iteration: a kill keeps them.
  ex::HistoryCsv csv("mnist", o.csv);
  trainer.options().on_epoch.push_back([&](fixnet::EpochRecord& e) { csv.add(e); });

  fixnet::TrainingHistory history;
  try {
    history = o.resume.empty() ? trainer.fit(*net, data.train) : trainer.resume(*net, o.resume, data.train);
  } catch (const fixnet::TrainingDiverged& e) {
    std::fflush(stdout);
    fmt::print(stderr, "mnist: error: {}\n", csv.with_note(e.what()));
    return EXIT_FAILURE;
  } catch (const std::exception& e) {
    throw std::runtime_error(csv.with_note(e.what()));
  }
  const fixnet::Evaluation train = trainer.evaluate(*net, data.train);
  const fixnet::Evaluation test = trainer.evaluate(*net, data.test);
  fmt::print("after {} iterations: loss {:.6f}\n", history.epochs.size(), train.loss);
  fmt::print("train accuracy: {} (the tutorial: 69.9%)\n", ex::accuracy_text(train));
  fmt::print("test accuracy: {} (the tutorial: 71.1%)\n", ex::accuracy_text(test));
  double train_seconds = 0;
  for (const auto& e : history.epochs) train_seconds += e.train_seconds;
  fmt::print(
      "time: {:.1f} s for {} iterations ({:.3f} s each, {:.0f} samples/s, forward + backward + "
      "update); "
      "{:.1f} s in all with the test curve; data loaded in {:.1f} s\n",
      train_seconds, history.epochs.size(), train_seconds / double(history.epochs.size()),
      double(data.train.size()) * double(history.epochs.size()) / train_seconds, history.seconds,
      data.load_seconds);
  if (csv.active()) {
    csv.finish(history);
    if (!o.no_plot && !o.plot.empty())
      ex::plot_curves(o.csv, o.plot,
                      "fixnet mnist --reference: 784-50-10 sigmoid/softmax, full-batch descent",
                      history, "training (before each step)");
  }
  if (!o.save.empty())
    save_model(*net, o.save,
               {.program = "mnist", .evaluation_batch = reference_chunk, .data = data.where});
  if (ex::quantizing(o)) ex::report_quantized(*net, data, o, "mnist");
  return EXIT_SUCCESS;
}

}  // namespace examples::mnist
