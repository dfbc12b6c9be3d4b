// The loss lines and CSV curve that the full-batch examples (blobs, moons)
// print and write, and their message when training diverges.
#ifndef FIXNET_EXAMPLES_LOSS_LOG_HPP
#define FIXNET_EXAMPLES_LOSS_LOG_HPP

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <utility>

#include <fmt/core.h>

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

#endif  // FIXNET_EXAMPLES_LOSS_LOG_HPP
