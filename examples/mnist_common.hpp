// What the MNIST examples (mnist.cpp, deep.cpp) share: their flags, loading
// and splitting the data, the choice of batch size and optimiser at run
// time (both are types), the training run with its per-epoch lines, the
// final evaluation, and the curves as CSV and, through gnuplot when it is
// installed, as a PNG.
#ifndef FIXNET_EXAMPLES_MNIST_COMMON_HPP
#define FIXNET_EXAMPLES_MNIST_COMMON_HPP

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <fixnet/data/mnist.hpp>
#include <fixnet/evaluate.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/history.hpp>
#include <fixnet/trainer.hpp>

#include "flags.hpp"

namespace examples::mnist {

/// The command line shared by both examples (each adds its own).
struct Options {
  std::string data;
  std::uint64_t epochs = 0;  // 0: the example's default
  std::string batch_size = "32";
  double learning_rate = 0;  // 0: the optimiser's default
  std::string optimizer = "adam";
  std::string schedule = "cosine";
  std::uint64_t seed = 1;
  std::uint64_t validation = 5000;
  std::uint64_t patience = 5;
  double l2 = 0;
  double clip = 0;
  std::uint64_t limit = 0;       // 0: all
  std::uint64_t test_limit = 0;  // 0: all
  std::string csv;
  std::string plot;
  bool no_plot = false;
  std::uint64_t threads = 1;
};

/// What differs between the examples.
struct Defaults {
  const char* name;  // "mnist": the program, and the CSV/PNG file names
  std::uint64_t epochs;
  const char* batch_size;
  /// Learning rates when --learning-rate is not given, by optimiser.
  double sgd, momentum, rmsprop, adam;
  double l2 = 0;
};

inline double default_learning_rate(const Defaults& d, const std::string& optimizer) {
  if (optimizer == "sgd") return d.sgd;
  if (optimizer == "momentum" || optimizer == "nesterov") return d.momentum;
  if (optimizer == "rmsprop") return d.rmsprop;
  return d.adam;
}

/// Registers the shared flags, with `d`'s defaults.
inline void add_flags(Flags& flags, Options& o, const Defaults& d) {
  o.batch_size = d.batch_size;
  o.l2 = d.l2;
  o.csv = std::string(d.name) + "_curves.csv";
  o.plot = std::string(d.name) + "_curves.png";
  flags.add_text(
      "--data", o.data,
      "Directory of the MNIST-format files (train-images-idx3-ubyte[.gz], ...). Not given: "
      "$FIXNET_DATA, then /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
  flags.add_count("--epochs", o.epochs,
                  fmt::format("Passes over the training images (0: the default, {})", d.epochs));
  flags.add_choice(
      "--batch-size", o.batch_size, {"16", "32", "64", "128"},
      "Images per batch. The batch size is a template parameter (batches are statically "
      "shaped), so only these sizes are compiled in");
  flags.add_non_negative(
      "--learning-rate,--lr", o.learning_rate,
      fmt::format("Step size (0: the optimiser's default here: sgd {}, momentum and "
                  "nesterov {}, rmsprop {}, adam and adamw {})",
                  d.sgd, d.momentum, d.rmsprop, d.adam));
  flags.add_choice(
      "--optimizer", o.optimizer, {"sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"},
      "sgd (plain), momentum / nesterov (SGD with momentum 0.9), rmsprop, adam, adamw (weight "
      "decay 0.01)");
  flags.add_choice(
      "--schedule", o.schedule, {"constant", "cosine", "step"},
      "Learning rate over the epochs: constant, cosine (down to 1/100 of it at the last "
      "epoch), step (halved every 3 epochs)");
  flags.add_count("--seed", o.seed,
                  "Seed of the initial weights, the validation split and the shuffling");
  flags.add_count("--validation", o.validation,
                  "Training images held out for validation (early stopping, best epoch); 0: none");
  flags.add_count("--patience", o.patience,
                  "Stop when the validation loss has not improved for this many epochs (0: never)");
  flags.add_non_negative("--l2", o.l2,
                         "L2 regularisation strength lambda on the weights (0: none)");
  flags.add_non_negative("--clip", o.clip,
                         "Clip the gradient's global norm to this (0: no clipping)");
  flags.add_count("--limit", o.limit,
                  "Load only the first N training images (0: all), for quick runs");
  flags.add_count("--test-limit", o.test_limit,
                  "Evaluate on the first N test images only (0: all)");
  flags.add_text("--csv", o.csv, "Where to write the per-epoch curves as CSV ('' for nowhere)");
  flags.add_text("--plot", o.plot,
                 "Where to render the curves as a PNG with gnuplot, if installed");
  flags.add_switch("--no-plot", o.no_plot, "Do not render the PNG");
  flags.add_count("--threads", o.threads,
                  "Training threads: 1 (data-parallel training is not implemented yet)", 1);
}

/// Checks the flags that CLI11 cannot; throws std::invalid_argument.
inline void check_options(const Options& o) {
  if (o.threads > 1)
    throw std::invalid_argument(
        fmt::format("--threads: expected 1, got {}: training runs on one thread for now "
                    "(data-parallel training is planned)",
                    o.threads));
}

using Images = fixnet::data::Dataset<float, 784>;

struct Data {
  Images train;       // what the optimiser sees
  Images validation;  // held out from the training images (maybe empty)
  Images test;
  std::string where;
  double load_seconds = 0;
};

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// Finds the data (--data, $FIXNET_DATA, Debian's Fashion-MNIST), loads it
/// with pixels / 255, and holds `validation` training images out (stratified,
/// seeded). Throws fixnet::data::DataError with the places it looked.
template <class Net>
Data load(const Options& o, std::size_t validation) {
  const auto start = std::chrono::steady_clock::now();
  const fixnet::data::DataLocation where = fixnet::data::locate_data(o.data);
  Data d;
  d.where = where.describe();
  fixnet::data::IdxOptions train_options, test_options;
  if (o.limit > 0) train_options.max_samples = o.limit;
  if (o.test_limit > 0) test_options.max_samples = o.test_limit;
  Images all =
      fixnet::data::load_mnist<Net>(where.files, fixnet::data::MnistPart::train, train_options);
  d.test = fixnet::data::load_mnist<Net>(where.files, fixnet::data::MnistPart::test, test_options);
  if (validation >= all.size())
    throw std::invalid_argument(fmt::format(
        "--validation: expected fewer validation images than the {} training images, got {}",
        all.size(), validation));
  if (validation > 0) {
    auto parts = fixnet::data::split(all, validation, o.seed, fixnet::data::Stratify::by_class);
    d.train = std::move(parts.train);
    d.validation = std::move(parts.validation);
  } else {
    d.train = std::move(all);
  }
  d.load_seconds = seconds_since(start);
  return d;
}

/// Whether an executable `name` is on $PATH.
inline bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return true;
    start = end + 1;
  }
  return false;
}

/// A path as a gnuplot single-quoted string ('' stands for ').
inline std::string gnuplot_string(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// The 1-based index of each CSV column, from the file's header line.
inline std::vector<std::string> csv_header(const std::string& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= line.size()) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    names.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

/// Renders the CSV's loss and accuracy curves (training, validation and
/// test, those present) side by side into a PNG with gnuplot. Returns false,
/// having said why, when gnuplot is missing or fails.
/// `training` names the training curve: a running mean over each epoch's
/// mini-batches, or, for full-batch descent, the exact loss before each step.
inline bool plot_curves(const std::string& csv, const std::string& png, const std::string& title,
                        const fixnet::TrainingHistory& history,
                        const std::string& training = "training (running mean)") {
  if (!on_path("gnuplot")) {
    fmt::print("gnuplot is not installed (not on $PATH): no plot; the curves are in {} "
               "(apt install gnuplot)\n",
               csv);
    return false;
  }
  const std::vector<std::string> names = csv_header(csv);
  const auto column = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return i + 1;
    return 0;
  };
  const bool validated = !history.empty() && history.last().has_validation();
  const bool tested = !history.empty() && history.last().metric("test_loss").has_value();
  const std::string style = history.epochs.size() > 30 ? "lines" : "linespoints";
  const std::string file = gnuplot_string(csv);
  std::string losses = fmt::format("{} using 1:{} skip 1 with {} lw 2 title {}", file,
                                   column("loss"), style, gnuplot_string(training));
  std::string accuracies = fmt::format("{} using 1:(100*${}) skip 1 with {} lw 2 title {}", file,
                                       column("accuracy"), style, gnuplot_string(training));
  if (validated) {
    losses += fmt::format(", '' using 1:{} skip 1 with {} lw 2 title 'validation'",
                          column("validation_loss"), style);
    accuracies += fmt::format(", '' using 1:(100*${}) skip 1 with {} lw 2 title 'validation'",
                              column("validation_accuracy"), style);
  }
  if (tested) {
    losses +=
        fmt::format(", '' using 1:{} skip 1 with {} lw 2 title 'test'", column("test_loss"), style);
    accuracies += fmt::format(", '' using 1:(100*${}) skip 1 with {} lw 2 title 'test'",
                              column("test_accuracy"), style);
  }
  const std::string script = fmt::format(
      "set terminal pngcairo size 1200,480 noenhanced font ',11'\n"
      "set output {}\n"
      "set datafile separator ','\n"
      "set multiplot layout 1,2 title {}\n"
      "set grid\n"
      "set key top right\n"
      "set xlabel 'epoch'\n"
      "set ylabel 'mean cross-entropy (log scale)'\n"
      "set logscale y\n"
      "plot {}\n"
      "unset logscale y\n"
      "set key bottom right\n"
      "set ylabel 'accuracy (%)'\n"
      "plot {}\n"
      "unset multiplot\n",
      gnuplot_string(png), gnuplot_string(title), losses, accuracies);
  std::fflush(stdout);
  FILE* pipe = ::popen("gnuplot", "w");
  if (pipe == nullptr) {
    fmt::print("could not start gnuplot: no plot; the curves are in {}\n", csv);
    return false;
  }
  std::fputs(script.c_str(), pipe);
  const int status = ::pclose(pipe);
  if (status != 0) {
    fmt::print("gnuplot failed (status {}): no plot; the curves are in {}\n", status, csv);
    return false;
  }
  fmt::print("plot written to {}\n", png);
  return true;
}

/// "C/T = P%".
inline std::string accuracy_text(const fixnet::Evaluation& e) {
  return fmt::format("{}/{} = {:.2f}%", e.confusion.correct(), e.samples, 100.0 * e.accuracy());
}

/// How a run is set up, for `train`.
struct Run {
  const char* name;
  std::string title;  // for the plot
  std::size_t epochs;
  bool print_report = true;  // the per-class report of the test set
};

/// Trains `net` on `data` with batches of B and optimiser Opt: prints a line
/// per epoch ("epoch N  loss X ..."), then the stop reason, the accuracies on
/// the training and test images, the speed; writes the CSV and the PNG.
/// Returns the exit code.
template <std::size_t B, class Opt, class Net>
int train(Net& net, const Data& data, const Options& o, const Run& run,
          const typename Opt::options_type& optimizer_options) {
  const double lr = static_cast<double>(optimizer_options.lr);
  fixnet::TrainerOptions t;
  t.epochs = run.epochs;
  t.seed = o.seed + 1;  // the weights took seed
  t.l2 = o.l2;
  t.clip_norm = o.clip;
  t.patience = data.validation.empty() ? 0 : o.patience;
  if (o.schedule == "cosine")
    t.schedule =
        fixnet::CosineAnnealing<double>{lr, std::max<std::size_t>(run.epochs - 1, 1), lr / 100};
  else if (o.schedule == "step")
    t.schedule = fixnet::StepDecay<double>{lr, 3, 0.5};

  // The test set's curve, for the CSV and the plot (early stopping and the
  // best epoch look only at the validation set).
  fixnet::Trainer<Net, B, Opt> trainer(std::move(t), optimizer_options);
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

  fmt::print(
      "training: {} epochs of {} batches of {} ({} images; the last {} sit out each epoch), {}, "
      "learning rate {:g}{}, averaged gradients{}{}\n",
      run.epochs, data.train.size() / B, B, data.train.size(), data.train.size() % B, o.optimizer,
      lr,
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
    history = trainer.fit(net, data.train, data.validation);
  } catch (const fixnet::TrainingDiverged& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: error: {}\n", run.name, e.what());
    return EXIT_FAILURE;
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

  if (!o.csv.empty()) {
    fixnet::write_csv(o.csv, history);
    fmt::print("loss curve written to {}\n", o.csv);
    if (!o.no_plot && !o.plot.empty()) plot_curves(o.csv, o.plot, run.title, history);
  } else if (!o.no_plot && !o.plot.empty()) {
    fmt::print("no plot: it is drawn from the CSV, and --csv is ''\n");
  }
  return EXIT_SUCCESS;
}

/// Calls `run.template operator()<B, Opt>(optimizer options)` with the batch
/// size and the optimiser the flags name: each pair is its own
/// instantiation, since both are types.
template <class Net, class F>
int dispatch(const Options& o, float lr, F&& f) {
  const auto with_batch = [&]<std::size_t B>() {
    if (o.optimizer == "sgd")
      return f.template operator()<B, fixnet::Sgd<Net>>(fixnet::SgdOptions<float>{.lr = lr});
    if (o.optimizer == "momentum")
      return f.template operator()<B, fixnet::Sgd<Net>>(
          fixnet::SgdOptions<float>{.lr = lr, .momentum = 0.9f});
    if (o.optimizer == "nesterov")
      return f.template operator()<B, fixnet::Sgd<Net>>(
          fixnet::SgdOptions<float>{.lr = lr, .momentum = 0.9f, .nesterov = true});
    if (o.optimizer == "rmsprop")
      return f.template operator()<B, fixnet::RmsProp<Net>>(
          fixnet::RmsPropOptions<float>{.lr = lr});
    if (o.optimizer == "adamw")
      return f.template operator()<B, fixnet::AdamW<Net>>(fixnet::AdamWOptions<float>{.lr = lr});
    return f.template operator()<B, fixnet::Adam<Net>>(fixnet::AdamOptions<float>{.lr = lr});
  };
  if (o.batch_size == "16") return with_batch.template operator()<16>();
  if (o.batch_size == "64") return with_batch.template operator()<64>();
  if (o.batch_size == "128") return with_batch.template operator()<128>();
  return with_batch.template operator()<32>();
}

}  // namespace examples::mnist

#endif  // FIXNET_EXAMPLES_MNIST_COMMON_HPP
