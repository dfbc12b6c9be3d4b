// What the full-batch examples (blobs, moons) share: the loss lines and CSV
// curve they print and write, their message when training diverges, the
// flags of their descent and the descent itself.
#ifndef FIXNET_EXAMPLES_LOSS_LOG_HPP
#define FIXNET_EXAMPLES_LOSS_LOG_HPP

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include <fmt/core.h>

#include <fixnet/fixnet.hpp>

#include "flags.hpp"
#include "output_files.hpp"

class LossLog {
 public:
  /// The header of the CSV: an existing file starting with it is a previous
  /// curve, which a new run replaces (output_files.hpp).
  static constexpr const char* csv_header = "epoch,loss";

  /// Starts the CSV's partial file (unless `csv_path` is empty) before
  /// training; the path was checked (examples::check_outputs).
  LossLog(std::string program, const std::string& csv_path, double learning_rate)
      : program_(std::move(program)),
        learning_rate_(learning_rate),
        csv_(program_, "--csv", csv_path, "loss curve of the finished epochs",
             std::string(csv_header) + "\n") {}

  /// One progress line and CSV row; the row is in the partial file at once.
  void report(std::uint64_t epoch, float loss) {
    fmt::print("epoch {:>9}  loss {:>14.7g}\n", epoch, loss);
    csv_.append(fmt::format("{},{}\n", epoch, loss));
    std::fflush(stdout);  // progress shows at once, also through a pipe
  }

  /// Renames the partial CSV to its path and says where it went.
  void finish(const std::string& what) {
    if (!csv_.active()) return;
    csv_.commit();
    fmt::print("{} written to {}\n", what, csv_.path());
  }

  /// Whether training has diverged at this loss: it is not finite, or more
  /// than `divergence_factor` times the lowest loss so far (the Trainer's
  /// default, fixnet::TrainerOptions::divergence_factor). Call once per
  /// epoch, in order.
  bool diverging(float loss) {
    if (!std::isfinite(loss)) return true;
    if (loss > divergence_factor * lowest_) return true;
    lowest_ = std::min(lowest_, static_cast<double>(loss));
    return false;
  }

  /// Says that training diverged; returns the exit status.
  int diverged(std::uint64_t epoch, float loss) const {
    std::fflush(stdout);  // keep the lines in order when both go to one terminal
    const std::string how =
        std::isfinite(loss) ? fmt::format(", more than {:g} times the lowest so far ({:.7g})",
                                          divergence_factor, lowest_)
                            : std::string();
    fmt::print(stderr,
               "{}: error: the loss is {} at epoch {}{}; training diverged (try a smaller "
               "--learning-rate than {}){}\n",
               program_, loss, epoch, how, learning_rate_, csv_.partial_note());
    return EXIT_FAILURE;
  }

  static constexpr double divergence_factor = 1e4;

  /// "; the loss curve ... is in PATH.partial ..." for an error message.
  std::string partial_note() const { return csv_.partial_note(); }

 private:
  std::string program_;
  double learning_rate_;
  double lowest_ = HUGE_VAL;
  examples::CurveFile csv_;
};

/// Registers the flags of the descent, on the fields of `o` that bear their
/// names: --seed, --epochs, --learning-rate, --report-every and --csv.
/// `quantity` is what the curve holds ("loss", "error").
template <class Options>
void add_descent_flags(examples::Flags& flags, Options& o, const std::string& quantity) {
  flags.add_count("--seed", o.seed, "Seed of the data (seed) and of the initial weights (seed + 1)",
                  0, std::numeric_limits<std::uint64_t>::max() - 1);
  flags.add_count("--epochs", o.epochs, "Full-batch gradient descent steps");
  flags.add_positive("--learning-rate,--lr", o.learning_rate, "Step size (a float)",
                     examples::float_max);
  flags.add_count("--report-every", o.report_every,
                  fmt::format("Print (and write to the CSV) the {0} every N epochs; the final {0} "
                              "always",
                              quantity),
                  1);
  flags.add_text("--csv", o.csv,
                 fmt::format("Where to write the {} curve (epoch,loss); '' for nowhere. It grows in "
                             "FILE.partial during the run (a killed run's curve is there) and "
                             "replaces FILE at the end; an existing FILE is replaced only if it is "
                             "a loss curve (else --force)",
                             quantity));
}

/// How a descent ended.
struct Descent {
  /// EXIT_FAILURE when training diverged (said on stderr), else EXIT_SUCCESS.
  int status = EXIT_SUCCESS;
  /// The loss after the last step.
  float loss = 0;
  std::uint64_t epochs = 0;
  /// Of the steps, without the final loss.
  double seconds = 0;

  /// The last lines of a run: the accuracy on the `samples` training points
  /// (`correct` of them right), the training time per sample-epoch, and the
  /// curve's file, which `log` then commits.
  void finish(LossLog& log, std::size_t correct, std::size_t samples) const {
    fmt::print("accuracy: {}/{} = {:.2f}%\n", correct, samples, 100.0 * double(correct) / samples);
    const double sample_epochs = double(samples) * double(epochs);
    fmt::print(
        "training time: {:.3f} s for {} epochs ({:.1f} ns per sample-epoch, forward + backward + "
        "update)\n",
        seconds, epochs, epochs ? seconds * 1e9 / sample_epochs : 0.0);
    log.finish("loss curve");
  }
};

/// Full-batch gradient descent as --epochs, --report-every and --gradients
/// (of `o`) ask: each step zeroes the gradients, lets `backward(grads)`
/// accumulate the data set's into them and return the loss to log (every
/// --report-every epochs, and checked for divergence), averages them over
/// the `samples` for --gradients mean, and takes a step of `descent`. Then
/// the loss after the last step, `loss()`, is checked and logged: "epoch N"
/// means N updates done.
template <class Options, class Net, class Backward, class Loss>
Descent descend(const Options& o, std::size_t samples, LossLog& log, Net& net,
                const fixnet::GradientDescent<float>& descent, Backward&& backward, Loss&& loss) {
  const bool mean = o.gradients == "mean";
  fixnet::Gradients<Net> grads;
  Descent d{.epochs = o.epochs};
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t epoch = 0; epoch < o.epochs; ++epoch) {
    grads.zero();
    const float l = backward(grads);
    if (log.diverging(l)) return {.status = log.diverged(epoch, l)};
    if (epoch % o.report_every == 0) log.report(epoch, l);
    if (mean) grads.scale(1.0f / samples);
    descent.step(net, grads);
  }
  d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  d.loss = loss();
  if (log.diverging(d.loss)) return {.status = log.diverged(o.epochs, d.loss)};
  log.report(o.epochs, d.loss);
  return d;
}

#endif  // FIXNET_EXAMPLES_LOSS_LOG_HPP
