// What the MNIST examples (mnist.cpp, deep.cpp) share: their flags, loading
// and splitting the data, the choice of batch size and optimiser at run
// time (both are types), the training run with its per-epoch lines, the
// final evaluation, the curves as CSV and, through gnuplot when it is
// installed, as a PNG, the checks of the outputs' paths (output_files.hpp)
// and of --threads against the data (the model files themselves:
// mnist_networks.hpp).
#ifndef FIXNET_EXAMPLES_MNIST_COMMON_HPP
#define FIXNET_EXAMPLES_MNIST_COMMON_HPP

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <fixnet/data/mnist.hpp>
#include <fixnet/train/evaluate.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/train/history.hpp>
#include <fixnet/train/trainer.hpp>

#include "flags.hpp"
#include "mnist_networks.hpp"
#include "output_files.hpp"

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
  std::string save;        // "": no model file
  std::string checkpoint;  // "": no checkpoints
  std::string resume;      // "": a new run
  bool force = false;
  bool quantize = false;       // --quantize
  std::string save_quantized;  // "": no quantized model file
};

/// The start of the CSV's header (fixnet::write_csv): an existing file that
/// starts with it is a previous run's curves, which a new run replaces.
inline constexpr const char* csv_header = "epoch,loss,accuracy,";

/// --epochs at most: the trainer counts samples x epochs for its progress,
/// and keeps a record per epoch.
inline constexpr std::uint64_t max_epochs = 1'000'000;

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
                  fmt::format("Passes over the training images (0: the default, {})", d.epochs), 0,
                  max_epochs);
  flags.add_choice(
      "--batch-size", o.batch_size, {"16", "32", "64", "128"},
      "Images per batch. The batch size is a template parameter (batches are statically "
      "shaped), so only these sizes are compiled in");
  flags.add_non_negative(
      "--learning-rate,--lr", o.learning_rate,
      fmt::format("Step size (0: the optimiser's default here: sgd {}, momentum and "
                  "nesterov {}, rmsprop {}, adam and adamw {}); a float",
                  d.sgd, d.momentum, d.rmsprop, d.adam),
      float_max);
  flags.add_choice(
      "--optimizer", o.optimizer, {"sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"},
      "sgd (plain), momentum / nesterov (SGD with momentum 0.9), rmsprop, adam, adamw (weight "
      "decay 0.01)");
  flags.add_choice(
      "--schedule", o.schedule, {"constant", "cosine", "step"},
      "Learning rate over the epochs: constant, cosine (down to 1/100 of it at the last "
      "epoch), step (halved every 3 epochs)");
  flags.add_count("--seed", o.seed,
                  "Seed of the initial weights, the validation split and the shuffling (seed + 1)", 0,
                  std::numeric_limits<std::uint64_t>::max() - 1);
  flags.add_count("--validation", o.validation,
                  "Training images held out for validation (early stopping, best epoch); 0: none");
  flags.add_count("--patience", o.patience,
                  "Stop when the validation loss has not improved for this many epochs (0: never)");
  flags.add_non_negative("--l2", o.l2,
                         "L2 regularisation strength lambda on the weights (0: none; a float)",
                         float_max);
  flags.add_non_negative("--clip", o.clip,
                         "Clip the gradient's global norm to this (0: no clipping; a float)",
                         float_max);
  flags.add_count("--limit", o.limit,
                  "Load only the first N training images (0: all), for quick runs");
  flags.add_count("--test-limit", o.test_limit,
                  "Evaluate on the first N test images only (0: all)");
  flags.add_text("--csv", o.csv,
                 "Where to write the per-epoch curves as CSV ('' for nowhere). They grow in "
                 "FILE.partial, rewritten whole after every epoch (a killed run's curves are there; "
                 "after --resume, those of the epochs since), and replace FILE at the end; an "
                 "existing FILE is replaced only if it is a curve CSV (else --force)");
  flags.add_text("--plot", o.plot,
                 "Where to render the curves as a PNG with gnuplot, if installed; an existing FILE "
                 "is replaced only if it is a PNG (else --force)");
  flags.add_switch("--no-plot", o.no_plot, "Do not render the PNG");
  flags.add_count(
      "--threads", o.threads,
      "Training threads (fixnet::TrainerOptions::threads). With T > 1, each thread computes "
      "batches of --batch-size and a step averages T of them (T x B images per step, as "
      "PyTorch's DistributedDataParallel); --reference splits its full batch between them. At "
      "most one thread per batch of the training images",
      1, 1024);
  flags.add_text(
      "--save", o.save,
      fmt::format("Write the trained model (the best epoch's parameters when --validation keeps "
                  "them) to this safetensors file, for `classify` (e.g. {}.safetensors). Checked "
                  "before training: its directory must exist and be writable, and an existing "
                  "file is replaced only if it is a model file (else --force)",
                  d.name));
  flags.add_text("--checkpoint", o.checkpoint,
                 "Write the whole training state (parameters, optimiser, position, random streams, "
                 "best epoch, history) to this file after every epoch and at the end, atomically; "
                 "carry the run on with --resume");
  flags.add_text("--resume", o.resume,
                 "Carry on the run a --checkpoint file holds, up to --epochs, exactly as if it had "
                 "not stopped: give the flags of the first run (the checkpoint refuses another "
                 "batch size, seed, optimiser, thread count or data). Checkpoints go on being "
                 "written to it, or to --checkpoint");
  flags.add_switch("--force", o.force, force_help);
  flags.add_switch(
      "--quantize", o.quantize,
      "After training, quantize the network to int8 weights and uint8 activations "
      "(fixnet::quantize, calibrated on 1000 training images, raw pixels as input codes) "
      "and report both test accuracies, the largest output difference and both "
      "one-sample forward times");
  flags.add_text(
      "--save-quantized", o.save_quantized,
      fmt::format("Write the quantized network (implies --quantize) to this safetensors "
                  "file, for `classify` (e.g. {}-int8.safetensors); checked before training "
                  "as --save is",
                  d.name));
}

/// Where the trainer writes checkpoints: --checkpoint, or else the file
/// --resume carries on from ("": none).
inline std::filesystem::path checkpoint_path(const Options& o) {
  return o.checkpoint.empty() ? o.resume : o.checkpoint;
}

/// The outputs of a run, for examples::check_outputs.
inline std::vector<Output> outputs(const Options& o) {
  const bool plotting = !o.no_plot && !o.plot.empty() && !o.csv.empty();
  const std::string checkpoint = checkpoint_path(o).string();
  return {{"--csv", o.csv, OutputKind::csv, csv_header},
          {"--plot", plotting ? o.plot : std::string(), OutputKind::png},
          {"--save", o.save, OutputKind::model},
          {"--save-quantized", o.save_quantized, OutputKind::model},
          {o.checkpoint.empty() ? "--resume" : "--checkpoint", checkpoint, OutputKind::model}};
}

/// --threads against the data: T threads each take whole batches of B (a
/// step on up to T x B images; --reference: the chunks of its full batch).
/// More threads than batches is refused (the extra threads would have
/// nothing to do, and a user who asked for them expects another run); fewer
/// than 10 steps per epoch is warned about on stderr. Throws
/// std::invalid_argument naming the numbers.
inline void check_threads(const char* program, const Options& o, std::size_t images,
                          std::size_t batch, bool full_batch) {
  const std::size_t batches = images / batch;
  if (!full_batch && batches == 0)
    throw std::invalid_argument(fmt::format(
        "--batch-size {}: the {} training images do not make one batch; expected at least {} "
        "(--limit, --validation)",
        batch, images, batch));
  const std::size_t usable = std::max<std::size_t>(batches, 1);
  if (o.threads > usable)
    throw std::invalid_argument(
        full_batch
            ? fmt::format("--threads {}: the full batch of {} images goes through in {} chunk{} of "
                          "{}, one per thread at a time, so at most {} thread{} would have work; "
                          "expected --threads {} or fewer",
                          o.threads, images, batches, batches == 1 ? "" : "s", batch, usable,
                          usable == 1 ? "" : "s", usable)
            : fmt::format("--threads {}: a step takes one batch of {} per thread ({} images), but "
                          "the {} training images make {} batch{}; expected --threads {} or fewer "
                          "(or more images: --limit, --validation)",
                          o.threads, batch, o.threads * batch, images, batches,
                          batches == 1 ? "" : "es", batches));
  if (!full_batch && o.threads > 1) {
    const std::size_t steps = (batches + o.threads - 1) / o.threads;
    if (steps < 10) {
      std::fflush(stdout);
      fmt::print(stderr,
                 "{}: warning: --threads {}: only {} step{} per epoch ({} batches of {} shared by "
                 "{} threads, {} images per step); fewer threads take more, smaller steps\n",
                 program, o.threads, steps, steps == 1 ? "" : "s", batches, batch, o.threads,
                 o.threads * batch);
    }
  }
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
  // The outputs are checked before anything long: a typo must not cost a training run.
  if (!o.resume.empty() && !std::filesystem::is_regular_file(o.resume))
    throw std::invalid_argument(fmt::format("--resume: {} is not a checkpoint file (no such file)", o.resume));
  const std::vector<Output> files = outputs(o);
  check_outputs(files, o.force);
  const fixnet::data::DataLocation where = fixnet::data::locate_data(o.data);
  check_not_inputs(files, where.files);
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

/// The 1-based index of each CSV column, from the file's header line.
inline std::vector<std::string> csv_columns(const std::string& csv) {
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
/// test, those present) side by side into a PNG with gnuplot (written to a
/// temporary file, then renamed). Returns false, having said why, when
/// gnuplot is missing or fails.
/// `training` names the training curve: a running mean over each epoch's
/// mini-batches, or, for full-batch descent, the exact loss before each step.
inline bool plot_curves(const std::string& csv, const std::string& png, const std::string& title,
                        const fixnet::TrainingHistory& history,
                        const std::string& training = "training (running mean)") {
  const std::vector<std::string> names = csv_columns(csv);
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
  const std::string body = fmt::format(
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
      gnuplot_string(title), losses, accuracies);
  if (!plot_png(png, "pngcairo size 1200,480 noenhanced font ',11'", body)) return false;
  fmt::print("plot written to {}\n", png);
  return true;
}

/// The --csv curves of a Trainer run: PATH.partial rewritten whole (and
/// atomically) after every epoch, since the columns are known only once the
/// callbacks have added their metrics; PATH, from the whole history, at the
/// end.
class HistoryCsv {
 public:
  HistoryCsv(const char* program, const std::string& path)
      : file_(program, "--csv", path, "curves of the finished epochs", "") {}

  /// For an on_epoch callback, after those that add metrics.
  void add(const fixnet::EpochRecord& e) {
    if (!file_.active()) return;
    curve_.epochs.push_back(e);
    file_.replace(text(curve_));
  }

  /// Writes PATH from `history` (a resumed run's includes the epochs before
  /// the resume) and says so.
  void finish(const fixnet::TrainingHistory& history) {
    if (!file_.active()) return;
    file_.replace(text(history));
    file_.commit();
    fmt::print("loss curve written to {}\n", file_.path());
  }

  bool active() const noexcept { return file_.active(); }
  std::string partial_note() const { return file_.partial_note(); }
  std::string with_note(std::string_view message) const { return file_.with_note(message); }

 private:
  static std::string text(const fixnet::TrainingHistory& history) {
    std::ostringstream out;
    fixnet::write_csv(out, history);
    return std::move(out).str();
  }

  CurveFile file_;
  fixnet::TrainingHistory curve_;
};

/// "C/T = P%".
inline std::string accuracy_text(const fixnet::Evaluation& e) {
  return fmt::format("{}/{} = {:.2f}%", e.confusion.correct(), e.samples, 100.0 * e.accuracy());
}

/// --quantize and --save-quantized, after training (mnist_quantized.cpp):
/// quantizes `net`, prints the int8 test accuracy as "int8 test accuracy:
/// C/T = P% (loss X)", the change from float, the largest output difference
/// and both one-sample forward times, and writes --save-quantized.
void report_quantized(const MnistNetwork& net, const Data& data, const Options& o,
                      const char* program);
void report_quantized(const DeepNetwork& net, const Data& data, const Options& o,
                      const char* program);

/// Whether the run quantizes its network at the end.
inline bool quantizing(const Options& o) { return o.quantize || !o.save_quantized.empty(); }

/// How a run is set up, for `train`.
struct Run {
  const char* name;
  std::string title;  // for the plot
  std::size_t epochs;
  bool print_report = true;  // the per-class report of the test set
};

/// Trains `net` on `data` with batches of B and the optimiser --optimizer
/// names: prints a line per epoch, then the stop reason, the accuracies, the
/// speed; writes the CSV and the PNG. Returns the exit code. Defined in
/// mnist_train.hpp and instantiated for each network and batch size in a
/// translation unit of its own (train_batch.cpp, examples/meson.build): a
/// (batch size, optimiser) pair is a Trainer type of its own, and 16 of them
/// in one file took 24 s to compile; one batch size per file keeps each under
/// 10 s and lets the build use every core.
template <class Net, std::size_t B>
int train_with_batch(Net& net, const Data& data, const Options& o, const Run& run, float lr);

/// train_with_batch for the batch size --batch-size names.
template <class Net>
int train_with_flags(Net& net, const Data& data, const Options& o, const Run& run, float lr) {
  if (o.batch_size == "16") return train_with_batch<Net, 16>(net, data, o, run, lr);
  if (o.batch_size == "64") return train_with_batch<Net, 64>(net, data, o, run, lr);
  if (o.batch_size == "128") return train_with_batch<Net, 128>(net, data, o, run, lr);
  return train_with_batch<Net, 32>(net, data, o, run, lr);
}

/// The mini-batch run of both examples: --epochs and --learning-rate (or
/// `d`'s defaults), the data, a network on the heap (deep's holds ~1 MiB of
/// parameters) that `initialize(net)` initialises and describes, training
/// with the flags, then --save. `description` names the network in the
/// plot's title ("784-50-10 sigmoid/softmax"). Returns the exit code.
template <class Net, class Initialize>
int run_mini_batches(const Options& o, const Defaults& d, const std::string& description,
                     Initialize&& initialize) {
  const std::size_t epochs = o.epochs ? o.epochs : d.epochs;
  const float lr = learning_rate_as_float(
      o.learning_rate > 0 ? o.learning_rate : default_learning_rate(d, o.optimizer));
  const Data data = load<Net>(o, o.validation);
  fmt::print("data: {}: {} training images, {} validation, {} test (pixels / 255)\n", data.where,
             data.train.size(), data.validation.size(), data.test.size());
  auto net = std::make_unique<Net>();
  initialize(*net);
  const Run run{d.name,
                fmt::format("fixnet {}: {}, {}, batch {}", d.name, description, o.optimizer,
                            o.batch_size),
                epochs};
  const int status = train_with_flags(*net, data, o, run, lr);
  if (status == EXIT_SUCCESS && !o.save.empty())
    save_model(*net, o.save,
               {.program = d.name, .evaluation_batch = std::stoul(o.batch_size), .data = data.where});
  if (status == EXIT_SUCCESS && quantizing(o)) report_quantized(*net, data, o, d.name);
  return status;
}

}  // namespace examples::mnist

#endif  // FIXNET_EXAMPLES_MNIST_COMMON_HPP
