// The MNIST examples' mini-batch training (mnist.cpp's default mode and
// deep.cpp): the training run for one batch size, with the optimiser the
// flags choose. Included only by train_batch.cpp, which
// instantiates it for one network and one batch size per translation unit
// (see train_with_batch in mnist_common.hpp).
#ifndef FIXNET_EXAMPLES_MNIST_TRAIN_HPP
#define FIXNET_EXAMPLES_MNIST_TRAIN_HPP

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/core.h>

#include <fixnet/fixnet.hpp>
#include <fixnet/train/trainer.hpp>

#include "mnist_common.hpp"

namespace examples::mnist {

/// The optimiser --optimizer names, at learning rate `lr`: one Trainer type
/// (fixnet::AnyOptimizer) serves all six choices.
template <class Net>
typename fixnet::AnyOptimizer<Net>::options_type optimizer_options(const Options& o, float lr) {
  if (o.optimizer == "sgd") return fixnet::SgdOptions<float>{.lr = lr};
  if (o.optimizer == "momentum") return fixnet::SgdOptions<float>{.lr = lr, .momentum = 0.9f};
  if (o.optimizer == "nesterov")
    return fixnet::SgdOptions<float>{.lr = lr, .momentum = 0.9f, .nesterov = true};
  if (o.optimizer == "rmsprop") return fixnet::RmsPropOptions<float>{.lr = lr};
  if (o.optimizer == "adamw") return fixnet::AdamWOptions<float>{.lr = lr};
  return fixnet::AdamOptions<float>{.lr = lr};
}

template <class Net, std::size_t B>
int train_with_batch(Net& net, const Data& data, const Options& o, const Run& run, float rate) {
  const double lr = static_cast<double>(rate);
  check_threads(run.name, o, data.train.size(), B, false);
  fixnet::TrainerOptions t;
  t.epochs = run.epochs;
  t.seed = o.seed + 1;  // the weights took seed
  t.l2 = o.l2;
  t.clip_norm = o.clip;
  t.patience = data.validation.empty() ? 0 : o.patience;
  // T threads: each computes a batch of B, a step averages T of them.
  t.threads = o.threads;
  t.batches_per_step = o.threads;
  t.checkpoint_path = checkpoint_path(o);
  if (o.schedule == "cosine")
    t.schedule =
        fixnet::CosineAnnealing<double>{lr, std::max<std::size_t>(run.epochs - 1, 1), lr / 100};
  else if (o.schedule == "step")
    t.schedule = fixnet::StepDecay<double>{lr, 3, 0.5};

  // The test set's curve, for the CSV and the plot (early stopping and the
  // best epoch look only at the validation set).
  fixnet::Trainer<Net, B, fixnet::AnyOptimizer<Net>> trainer(std::move(t),
                                                             optimizer_options<Net>(o, rate));
  trainer.options().on_epoch.push_back([&](fixnet::EpochRecord& e) {
    if (!data.test.empty()) {
      const fixnet::Evaluation test = trainer.evaluate(net, data.test);
      e.add_metric("test_loss", test.loss);
      e.add_metric("test_accuracy", test.accuracy());
    }
    std::string line = fmt::format("epoch {:>3}  loss {:.6f}  acc {:6.2f}%", e.epoch, e.train_loss,
                                   100 * e.train_accuracy);
    if (e.has_validation())
      line += fmt::format("  val loss {:.4f} acc {:6.2f}%{}", e.validation_loss,
                          100 * e.validation_accuracy, e.improved ? "*" : " ");
    if (const auto a = e.metric("test_accuracy"))
      line += fmt::format("  test acc {:6.2f}%", 100 * *a);
    line += fmt::format("  lr {:.3g}  {:.1f} s  {:.0f} samples/s", e.learning_rate, e.train_seconds,
                        e.samples_per_second);
    fmt::print("{}\n", line);
    std::fflush(stdout);
  });
  // The curves so far in CSV.partial after every epoch: a kill keeps them.
  HistoryCsv csv(run.name, o.csv);
  trainer.options().on_epoch.push_back([&](fixnet::EpochRecord& e) { csv.add(e); });

  fmt::print(
      "training: {} epochs of {} batches of {} ({} images; the last {} sit out each epoch){}, {}, "
      "learning rate {:g}{}, averaged gradients{}{}\n",
      run.epochs, data.train.size() / B, B, data.train.size(), data.train.size() % B,
      o.threads > 1 ? fmt::format(" on {} threads, a step on {} images ({} per thread)", o.threads,
                                  o.threads * B, B)
                    : "",
      o.optimizer, lr,
      o.schedule == "cosine" ? " (cosine schedule to 1/100)"
      : o.schedule == "step" ? " (halved every 3 epochs)"
                             : "",
      o.l2 > 0 ? fmt::format(", L2 {:g}", o.l2) : "",
      o.clip > 0 ? fmt::format(", clipped to norm {:g}", o.clip) : "");
  if (!data.validation.empty())
    fmt::print("validation: {} images held out; {} keeps the parameters of the best epoch{}\n",
               data.validation.size(), run.name,
               o.patience > 0
                   ? fmt::format(" and stops after {} epochs without improvement", o.patience)
                   : "");
  fmt::print("(* marks a new best validation loss; progress on stderr)\n");
  std::fflush(stdout);

  fixnet::TrainingHistory history;
  try {
    history = o.resume.empty() ? trainer.fit(net, data.train, data.validation)
                               : trainer.resume(net, o.resume, data.train, data.validation);
  } catch (const fixnet::TrainingDiverged& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", run.name, csv.with_note(e.what()));
    return EXIT_FAILURE;
  } catch (const std::exception& e) {
    throw std::runtime_error(csv.with_note(e.what()));
  }

  fmt::print("{}\n", history.stop_message);
  const fixnet::Evaluation train_eval = trainer.evaluate(net, data.train);
  const fixnet::Evaluation test_eval = trainer.evaluate(net, data.test);
  fmt::print("train accuracy: {} (loss {:.4f})\n", accuracy_text(train_eval), train_eval.loss);
  if (!data.validation.empty()) {
    const fixnet::Evaluation v = trainer.evaluate(net, data.validation);
    fmt::print("validation accuracy: {} (loss {:.4f})\n", accuracy_text(v), v.loss);
  }
  fmt::print("test accuracy: {} (loss {:.4f})\n", accuracy_text(test_eval), test_eval.loss);
  if (run.print_report)
    fmt::print("per class on the test images:\n{}", fixnet::format_report(test_eval.confusion));

  double train_seconds = 0;
  std::size_t samples = 0;
  for (const auto& e : history.epochs) {
    train_seconds += e.train_seconds;
    samples += e.samples;
  }
  const std::size_t epochs = history.epochs.size();
  fmt::print(
      "time: {:.1f} s training ({} epochs, {:.2f} s per epoch, {:.0f} samples/s), {:.1f} s in all "
      "with validation and test curves; data loaded in {:.1f} s\n",
      train_seconds, epochs, epochs ? train_seconds / double(epochs) : 0.0,
      train_seconds > 0 ? double(samples) / train_seconds : 0.0, history.seconds,
      data.load_seconds);

  if (csv.active()) {
    csv.finish(history);
    if (!o.no_plot && !o.plot.empty()) plot_curves(o.csv, o.plot, run.title, history);
  } else if (!o.no_plot && !o.plot.empty()) {
    fmt::print("no plot: it is drawn from the CSV, and --csv is ''\n");
  }
  return EXIT_SUCCESS;
}

}  // namespace examples::mnist

#endif  // FIXNET_EXAMPLES_MNIST_TRAIN_HPP
