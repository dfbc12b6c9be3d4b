// fixnet example: galaxy_style — a three-class network trained by nonlinear
// conjugate gradient on its flattened parameters, as the galaxy tutorial does.
//
// The reference: a 3-layer network with 8 sigmoid hidden units and one
// sigmoid unit per class, binary cross-entropy on one-hot targets summed over
// the outputs and averaged over the samples, L2 regularisation lambda = 1 on
// the weights (not the biases) as lambda / (2m) sum w^2, minimised by scipy's
// `fmin_cg` (Polak–Ribière conjugate gradient) on the flat parameter vector,
// the held-out set's cost watched for overfitting. Its galaxy catalogue is
// not available here; three classes of MNIST (or Fashion-MNIST) stand in:
// 784 pixels in [0, 1], classes chosen with --classes.
//
//   galaxy_style [--data DIR] [--classes 0,1,2] [--method cg|lbfgs|adam]
//                [--iterations 600] [--lambda 1] [--seed 1] [--report-every 50]
//                [--csv FILE] [--plot FILE] [--no-plot] [--limit N]
//                [--test-limit N] [--patience N] [--time-limit S]
//                [--learning-rate X] [--save FILE] [--force]
//
// Prints the Highway target, the train and test cost and accuracy every
// --report-every iterations, why the minimiser stopped, and the iteration
// where the test cost was lowest (with its accuracy). Writes both learning
// curves to --csv ("iteration,train_cost,test_cost,objective,seconds", the
// seconds of training so far) and, when
// gnuplot is installed, draws them into --plot (PNG). The CSV grows in
// FILE.partial, a row per iteration (a killed run's curves are there), and
// is renamed to FILE at the end; the PNG is drawn into a temporary file and
// renamed; every output path is checked before the data are read, and an
// existing file is replaced only if it is of its own kind (a curve CSV with
// this header, a PNG, a model file) or with --force. --save FILE writes the
// final network (the one whose test accuracy is printed; the iteration with
// the lowest test cost is reported, not kept: the test set chooses nothing)
// as a model file for `classify`, its classes recorded in it. The costs are the mean
// binary cross-entropy per sample, without the L2 term (so that train and
// test compare); "objective" is what the minimiser minimises, J = train cost
// + lambda / (2m) sum w^2.
//
// --method adam trains the same network on the same cost by mini-batch Adam
// (batches of 64, lr --learning-rate, one iteration = one epoch), for
// comparison; --time-limit gives every method the same training time (the
// time spent measuring the test cost is not counted).
//
// Data: --data DIR, else $FIXNET_DATA, else Debian's Fashion-MNIST (see
// fixnet/data/locate.hpp). Exits non-zero with a message when the data are
// missing, a flag is wrong, a file cannot be written, or the cost is not
// finite.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/core.h>

#include <fixnet/data/locate.hpp>
#include <fixnet/data/mnist.hpp>
#include <fixnet/train/evaluate.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/train/full_batch/conjugate_gradient.hpp>
#include <fixnet/train/full_batch/lbfgs.hpp>
#include <fixnet/train/objective.hpp>

#include "flags.hpp"
#include "mnist_networks.hpp"
#include "output_files.hpp"

namespace {

// 784-8-3, sigmoid hidden and output units (mnist_networks.hpp).
using Net = examples::mnist::GalaxyNetwork;
using Loss = fixnet::BinaryCrossEntropy;
using Data = fixnet::data::Dataset<float, Net::inputs>;
constexpr std::size_t parameter_count = Net::parameter_count;
using Theta = std::array<float, parameter_count>;
using Objective = fixnet::Objective<Net, Loss>;
using Clock = std::chrono::steady_clock;

// Mini-batch size of --method adam (a compile-time extent, like every batch).
constexpr std::size_t adam_batch = 64;
// Batch of the accuracies' forward passes (recorded in --save's file, so that
// classify evaluates the same way).
constexpr std::size_t evaluation_batch = 256;

struct Options {
  std::string data;
  std::string classes = "0,1,2";
  std::string method = "cg";
  std::uint64_t iterations = 600;
  double lambda = 1.0;
  std::uint64_t seed = 1;
  std::uint64_t report_every = 50;
  std::string csv = "galaxy_style_curves.csv";
  std::string plot = "galaxy_style_curves.png";
  bool no_plot = false;
  std::uint64_t limit = 0;
  std::uint64_t test_limit = 0;
  std::uint64_t patience = 0;
  double time_limit = 0;
  double learning_rate = 3e-3;
  std::string save;
  bool force = false;
};

/// The CSV's header: an existing file that starts with it is a previous
/// run's curves, which a new run replaces.
constexpr const char* csv_header = "iteration,train_cost,test_cost,objective,seconds";

// Beyond this lambda / (2m) sum w^2 forces every weight to zero on any data
// set this example reads; the bound keeps J far inside the range of a float.
constexpr double max_lambda = 1e6;

/// `count` * `factor`, or the largest size_t if that overflows (a --limit
/// that large means "all").
std::size_t saturating_product(std::uint64_t count, std::size_t factor) {
  const std::size_t max = std::numeric_limits<std::size_t>::max();
  return count > max / factor ? max : static_cast<std::size_t>(count) * factor;
}

/// "0,1,2" -> {0, 1, 2}: three distinct classes 0-9.
std::array<std::uint8_t, 3> parse_classes(const std::string& text) {
  std::array<std::uint8_t, 3> classes{};
  std::size_t count = 0;
  std::size_t start = 0;
  const auto fail = [&] {
    return std::invalid_argument(fmt::format(
        "--classes: expected three distinct classes from 0 to 9 separated by commas (e.g. 0,1,2), got '{}'",
        text));
  };
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    if (item.size() != 1 || item[0] < '0' || item[0] > '9' || count == 3) throw fail();
    classes[count++] = static_cast<std::uint8_t>(item[0] - '0');
    start = comma + 1;
  }
  if (count != 3 || classes[0] == classes[1] || classes[0] == classes[2] || classes[1] == classes[2])
    throw fail();
  return classes;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One point of the learning curves.
struct CurvePoint {
  std::size_t iteration;
  double train_cost;
  double test_cost;
  double objective;
  /// Training time so far, monitoring excluded.
  double seconds;
};

/// Watches the run: the test cost of every iteration, the curves, the
/// periodic report with accuracies, the best iteration (its parameters
/// kept), and the stopping rules of the example's own (patience, time).
class Monitor {
 public:
  Monitor(const Options& options, const Data& train, const Data& test, Objective& train_objective,
          examples::CurveFile& csv)
      : options_(options),
        csv_(csv),
        train_(train),
        test_(test),
        train_objective_(train_objective),
        test_objective_(test),
        net_(std::make_unique<Net>()),
        workspace_(std::make_unique<fixnet::Workspace<Net, evaluation_batch>>()),
        best_theta_(std::make_unique<Theta>()) {}

  /// Records iteration k at theta, whose objective J is known; returns
  /// false when the run should stop (patience or time limit).
  bool record(std::size_t k, double objective, std::span<const float, parameter_count> theta) {
    const auto start = Clock::now();
    const double trained = training_seconds();
    if (!std::isfinite(objective))
      throw std::runtime_error(fmt::format("the cost is {} at iteration {}: expected a finite value", objective, k));
    const double train_cost = objective - train_objective_.penalty(theta);
    const double test_cost = test_objective_.value(theta);
    curve_.push_back({k, train_cost, test_cost, objective, trained});
    // In the partial file at once: a kill keeps every finished iteration.
    csv_.append(fmt::format("{},{:.9g},{:.9g},{:.9g},{:.4f}\n", k, train_cost, test_cost, objective, trained));
    if (k == 0 || test_cost < best_test_cost_) {
      best_test_cost_ = test_cost;
      best_iteration_ = k;
      std::copy(theta.begin(), theta.end(), best_theta_->begin());
    }
    if (k % options_.report_every == 0) report(k, theta);
    monitoring_seconds_ += seconds_since(start);
    if (options_.patience > 0 && k - best_iteration_ >= options_.patience) {
      stop_message_ = fmt::format("no lower test cost for {} iterations (--patience)", options_.patience);
      return false;
    }
    if (options_.time_limit > 0 && trained >= options_.time_limit) {
      stop_message_ = fmt::format("training time limit of {} s reached (--time-limit)", options_.time_limit);
      return false;
    }
    return true;
  }

  /// Prints the last iteration's line if it was not a report iteration.
  void finish(std::span<const float, parameter_count> theta) {
    if (!curve_.empty() && curve_.back().iteration % options_.report_every != 0)
      report(curve_.back().iteration, theta);
  }

  void start_clock() { start_ = Clock::now(); }
  void count_as_monitoring(double seconds) { monitoring_seconds_ += seconds; }
  double elapsed_seconds() const { return seconds_since(start_); }
  double monitoring_seconds() const { return monitoring_seconds_; }
  double training_seconds() const { return elapsed_seconds() - monitoring_seconds_; }
  const std::vector<CurvePoint>& curve() const { return curve_; }
  std::size_t best_iteration() const { return best_iteration_; }
  double best_test_cost() const { return best_test_cost_; }
  const Theta& best_theta() const { return *best_theta_; }
  const std::string& stop_message() const { return stop_message_; }

  fixnet::Evaluation evaluate(const Data& data, std::span<const float, parameter_count> theta) {
    net_->set_parameters(theta);
    return fixnet::evaluate(*net_, data, Loss{}, *workspace_);
  }

 private:
  void report(std::size_t k, std::span<const float, parameter_count> theta) {
    const CurvePoint& p = curve_.back();
    const fixnet::Evaluation train = evaluate(train_, theta);
    const fixnet::Evaluation test = evaluate(test_, theta);
    fmt::print(
        "iteration {:>5}  train cost {:.6f}  test cost {:.6f}  train accuracy {:6.2f}%  test accuracy "
        "{:6.2f}%  J {:.6f}  {:.1f} s\n",
        k, p.train_cost, p.test_cost, 100 * train.accuracy(), 100 * test.accuracy(), p.objective, p.seconds);
    std::fflush(stdout);
  }

  const Options& options_;
  examples::CurveFile& csv_;
  const Data& train_;
  const Data& test_;
  Objective& train_objective_;
  Objective test_objective_;  // lambda 0: the mean loss
  std::unique_ptr<Net> net_;
  std::unique_ptr<fixnet::Workspace<Net, evaluation_batch>> workspace_;
  std::unique_ptr<Theta> best_theta_;
  std::vector<CurvePoint> curve_;
  std::size_t best_iteration_ = 0;
  double best_test_cost_ = std::numeric_limits<double>::infinity();
  double monitoring_seconds_ = 0;
  Clock::time_point start_ = Clock::now();
  std::string stop_message_;
};

/// Minimises with CG or L-BFGS; returns why it stopped.
template <class Minimizer>
std::string run_full_batch(Minimizer& minimizer, Objective& objective, Theta& theta, Monitor& monitor,
                           std::size_t& evaluations) {
  Theta gradient;
  monitor.start_clock();
  if (!monitor.record(0, objective(theta, gradient), theta)) return monitor.stop_message();
  const auto result = minimizer.minimize(objective, theta, [&](const auto& it) {
    return monitor.record(it.iteration, it.cost, it.theta) ? fixnet::full_batch::Control::proceed
                                                           : fixnet::full_batch::Control::stop;
  });
  evaluations = result.evaluations + 1;  // and the one of iteration 0 above
  if (result.reason == fixnet::full_batch::StopReason::callback) return monitor.stop_message();
  return fmt::format("{} after {} iterations ({} restarts with steepest descent)",
                     fixnet::full_batch::to_string(result.reason), result.iterations, result.restarts);
}

/// Mini-batch Adam on the same cost: per batch, the mean loss over the batch
/// plus the L2 gradient (lambda / m) w, so that an epoch's expected step
/// follows grad J.
std::string run_adam(const Options& options, float learning_rate, const Data& train, Objective& objective, Theta& theta,
                     Monitor& monitor, std::size_t& evaluations) {
  auto net = std::make_unique<Net>();
  net->set_parameters(theta);
  auto grads = std::make_unique<fixnet::Gradients<Net>>();
  auto workspace = std::make_unique<fixnet::Workspace<Net, adam_batch>>();
  auto adam = std::make_unique<fixnet::Adam<Net>>(
      fixnet::AdamOptions<float>{.lr = learning_rate});
  const fixnet::L2<float> l2{static_cast<float>(options.lambda / static_cast<double>(train.size()))};
  fixnet::Rng rng(options.seed + 2);
  std::vector<std::size_t> order = fixnet::data::identity_order(train.size());

  monitor.start_clock();
  if (!monitor.record(0, objective.value(theta), theta)) return monitor.stop_message();
  for (std::size_t epoch = 1; epoch <= options.iterations; ++epoch) {
    fixnet::data::shuffle(order, rng);
    for (const auto batch : train.batches<adam_batch>(order)) {
      grads->zero();
      net->backward(batch.inputs, batch.labels, Loss{}, *grads, *workspace);
      grads->scale(1.0f / adam_batch);
      l2.add_gradient(*net, *grads);
      adam->step(*net, *grads);
      evaluations += 1;
    }
    net->get_parameters(theta);
    // The objective over the whole training set: monitoring, not training.
    const auto start = Clock::now();
    const double j = objective.value(theta);
    monitor.count_as_monitoring(seconds_since(start));
    if (!monitor.record(epoch, j, theta)) return monitor.stop_message();
  }
  return fmt::format("iteration limit reached after {} epochs", options.iterations);
}

/// Draws the curves of `csv` into the PNG `png` with gnuplot, the best
/// iteration marked. Returns false (having said why) if gnuplot is missing
/// or fails.
bool plot(const std::string& csv, const std::string& png, const std::string& title, std::size_t best) {
  // The curves: one CSV row per iteration from 0, so row K is iteration K.
  const std::string body = fmt::format(
      "set datafile separator ','\n"
      "set title {1}\n"
      "set xlabel 'iteration'\n"
      "set ylabel 'mean binary cross-entropy per sample'\n"
      "set logscale y\n"
      "set grid\n"
      "set arrow from {0}, graph 0 to {0}, graph 1 nohead dashtype 2\n"
      "plot {2} using 1:2 skip 1 with lines linewidth 2 title 'train', \\\n"
      "     '' using 1:3 skip 1 with lines linewidth 2 title 'test', \\\n"
      "     '' using 1:3 skip 1 every ::{0}::{0} with points pointtype 7 pointsize 1.5 \\\n"
      "        title 'lowest test cost (iteration {0})'\n",
      best, examples::gnuplot_string(title), examples::gnuplot_string(csv));
  return examples::plot_png(png, "pngcairo size 960,600 noenhanced", body);
}

int run(const Options& options) {
  const auto classes = parse_classes(options.classes);
  if (options.report_every == 0) throw std::invalid_argument("--report-every: expected a whole number >= 1, got 0");
  const float learning_rate = examples::learning_rate_as_float(options.learning_rate);
  const std::string method_name = options.method == "cg"      ? "nonlinear conjugate gradient (Polak-Ribiere+)"
                                  : options.method == "lbfgs" ? "L-BFGS (history 10)"
                                                              : "mini-batch Adam";
  fmt::print("fixnet galaxy_style: 784-8-3 sigmoid network, binary cross-entropy + L2 on the weights\n");
  fmt::print("Highway target: {}\n", fixnet::simd_target());

  // Every output is checked before anything long: a typo must not cost a training run.
  const bool plotting = !options.no_plot && !options.plot.empty() && !options.csv.empty();
  const examples::Output outputs[] = {
      {"--csv", options.csv, examples::OutputKind::csv, csv_header},
      {"--plot", plotting ? options.plot : std::string(), examples::OutputKind::png},
      {"--save", options.save, examples::OutputKind::model}};
  examples::check_outputs(outputs, options.force);
  const fixnet::data::DataLocation where = fixnet::data::locate_data(options.data);
  examples::mnist::check_not_inputs(outputs, where.files);
  fmt::print("data: {}\n", where.describe());
  // With --limit, only the first images are read: enough for the three
  // classes (each about a tenth of the data) with room to spare.
  fixnet::data::IdxOptions read;
  if (options.limit > 0) read.max_samples = saturating_product(options.limit, 6);
  const Data all_train = fixnet::data::load_mnist<Net>(where.files, fixnet::data::MnistPart::train, read);
  read.max_samples = options.test_limit > 0 ? saturating_product(options.test_limit, 6)
                                            : std::numeric_limits<std::size_t>::max();
  const Data all_test = fixnet::data::load_mnist<Net>(where.files, fixnet::data::MnistPart::test, read);
  Data train = all_train.keep_classes(std::span<const std::uint8_t>(classes));
  Data test = all_test.keep_classes(std::span<const std::uint8_t>(classes));
  if (options.limit > 0) train = train.head(options.limit);
  if (options.test_limit > 0) test = test.head(options.test_limit);
  const auto counts = train.class_counts();
  fmt::print("classes {},{},{} as outputs 0,1,2: {} training images ({} / {} / {}), {} test images\n", classes[0],
             classes[1], classes[2], train.size(), counts[0], counts[1], counts[2], test.size());

  Net net;
  // Uniform on [-0.12, 0.12], biases too: the reference's randInitializeWeights.
  fixnet::initialize(net, fixnet::init::Uniform{-0.12, 0.12}, fixnet::init::Uniform{-0.12, 0.12}, options.seed);
  auto theta = std::make_unique<Theta>();
  net.get_parameters(*theta);

  Objective objective(train, Loss{}, fixnet::L2<float>{static_cast<float>(options.lambda)});
  examples::CurveFile csv("galaxy_style", "--csv", options.csv, "learning curves of the finished iterations",
                          std::string(csv_header) + "\n");
  Monitor monitor(options, train, test, objective, csv);

  fmt::print("method: {}, {} {}, lambda {}, seed {}{}\n", method_name, options.iterations,
             options.method == "adam" ? "epochs" : "iterations", options.lambda, options.seed,
             options.method == "adam" ? fmt::format(", batch {}, learning rate {}", adam_batch, options.learning_rate)
                                      : std::string());
  fmt::print("costs: mean binary cross-entropy per sample (train without the L2 term); J = train cost + "
             "lambda/(2m) sum w^2\n");
  std::fflush(stdout);

  std::size_t evaluations = 0;
  std::string stopped;
  try {
    if (options.method == "cg") {
      fixnet::full_batch::ConjugateGradient<float, parameter_count> cg({.max_iterations = options.iterations});
      stopped = run_full_batch(cg, objective, *theta, monitor, evaluations);
    } else if (options.method == "lbfgs") {
      fixnet::full_batch::Lbfgs<float, parameter_count> lbfgs({.max_iterations = options.iterations});
      stopped = run_full_batch(lbfgs, objective, *theta, monitor, evaluations);
    } else {
      stopped = run_adam(options, learning_rate, train, objective, *theta, monitor, evaluations);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(csv.with_note(e.what()));
  }
  monitor.finish(*theta);
  const double training = monitor.training_seconds();

  const fixnet::Evaluation final_train = monitor.evaluate(train, *theta);
  const fixnet::Evaluation final_test = monitor.evaluate(test, *theta);
  const fixnet::Evaluation best_test = monitor.evaluate(test, monitor.best_theta());
  const std::size_t last = monitor.curve().back().iteration;
  fmt::print("stopped: {}\n", stopped);
  if (options.method == "adam")
    fmt::print("training time: {:.2f} s for {} mini-batch gradients of {} samples ({:.3f} ms each)\n", training,
               evaluations, adam_batch, evaluations ? 1e3 * training / double(evaluations) : 0.0);
  else
    fmt::print("training time: {:.2f} s for {} evaluations of cost and gradient over {} images ({:.1f} ms each)\n",
               training, evaluations, train.size(), evaluations ? 1e3 * training / double(evaluations) : 0.0);
  fmt::print("monitoring time (test cost every iteration, accuracies every {}): {:.2f} s\n", options.report_every,
             monitor.monitoring_seconds());
  fmt::print("final (iteration {}): train cost {:.6f}, test cost {:.6f}\n", last, final_train.loss,
             final_test.loss);
  fmt::print("train accuracy: {}/{} = {:.2f}%\n", final_train.confusion.correct(), final_train.samples,
             100 * final_train.accuracy());
  fmt::print("accuracy: {}/{} = {:.2f}% (test)\n", final_test.confusion.correct(), final_test.samples,
             100 * final_test.accuracy());
  fmt::print("lowest test cost: {:.6f} at iteration {} (test accuracy there {:.2f}%)\n", monitor.best_test_cost(),
             monitor.best_iteration(), 100 * best_test.accuracy());

  if (csv.active()) {
    csv.commit();
    fmt::print("learning curves written to {}\n", options.csv);
  }
  if (!options.no_plot && !options.plot.empty()) {
    if (!csv.active()) {
      fmt::print("no plot: it is drawn from the CSV, and --csv is empty\n");
    } else {
      const std::string title = fmt::format("784-8-3 on classes {},{},{}: {}, lambda {}", classes[0], classes[1],
                                            classes[2], method_name, options.lambda);
      if (plot(options.csv, options.plot, title, monitor.best_iteration()))
        fmt::print("plot written to {}\n", options.plot);
    }
  }
  if (!options.save.empty()) {
    net.set_parameters(*theta);
    examples::mnist::save_model(net, options.save,
                                {.program = "galaxy_style",
                                 .classes = fmt::format("{},{},{}", classes[0], classes[1], classes[2]),
                                 .evaluation_batch = evaluation_batch,
                                 .data = where.describe()});
  }
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  examples::Flags flags(
      "fixnet galaxy_style: the galaxy tutorial's 3-class network (784-8-3 sigmoid, binary cross-entropy, "
      "L2 lambda = 1) trained by nonlinear conjugate gradient or L-BFGS on its flat parameter vector, on three "
      "classes of MNIST or Fashion-MNIST; prints and plots the train and test learning curves.");
  flags.add_text("--data", options.data,
                 "Directory of the MNIST-format files (else $FIXNET_DATA, else /usr/share/datasets/fashion-mnist)");
  flags.add_text("--classes", options.classes, "The three classes, e.g. 0,1,2 (outputs 0, 1, 2 in that order)");
  flags.add_choice("--method", options.method, {"cg", "lbfgs", "adam"},
                   "Conjugate gradient, L-BFGS, or mini-batch Adam (for comparison)");
  flags.add_count("--iterations", options.iterations, "Iterations (epochs for adam)", 1);
  flags.add_non_negative("--lambda", options.lambda, "L2 strength: lambda/(2m) sum w^2, biases excluded",
                         max_lambda);
  flags.add_count("--seed", options.seed, "Seed of the initial weights (and of adam's shuffling, seed + 2)", 0,
                  std::numeric_limits<std::uint64_t>::max() - 2);
  flags.add_count("--report-every", options.report_every, "Print costs and accuracies every N iterations", 1);
  flags.add_text("--csv", options.csv,
                 "Where to write the learning curves; '' for nowhere. They grow in FILE.partial during the run "
                 "(a killed run's curves are there) and replace FILE at the end; an existing FILE is replaced "
                 "only if it is a curve CSV of this program (else --force)");
  flags.add_text("--plot", options.plot,
                 "Where to draw the learning curves (PNG, needs gnuplot); an existing FILE is replaced only if it "
                 "is a PNG (else --force)");
  flags.add_switch("--no-plot", options.no_plot, "Do not draw the plot");
  flags.add_count("--limit", options.limit, "Use only the first N training images of the classes (0: all)");
  flags.add_count("--test-limit", options.test_limit, "Use only the first N test images of the classes (0: all)");
  flags.add_count("--patience", options.patience,
                  "Stop when the test cost has not fallen for N iterations (0: never)");
  flags.add_non_negative("--time-limit", options.time_limit,
                         "Stop after this many seconds of training (0: no limit)");
  flags.add_positive("--learning-rate,--lr", options.learning_rate, "Adam's learning rate (--method adam; a float)",
                     examples::float_max);
  flags.add_text("--save", options.save,
                 "Write the final network, with its classes, to this safetensors file for `classify` (e.g. "
                 "galaxy.safetensors), atomically. Checked before training: its directory must exist and be "
                 "writable, and an existing file is replaced only if it is a model file (else --force)");
  flags.add_switch("--force", options.force, examples::force_help);
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;

  return examples::run_program("galaxy_style", [&] { return run(options); });
}
