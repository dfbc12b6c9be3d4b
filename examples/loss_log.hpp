// The loss lines and CSV curve that the full-batch examples (blobs, moons)
// print and write, and their message when training diverges.
#ifndef FIXNET_EXAMPLES_LOSS_LOG_HPP
#define FIXNET_EXAMPLES_LOSS_LOG_HPP

#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

  /// Says that training diverged; returns the exit status.
  int diverged(std::uint64_t epoch, float loss) const {
    std::fflush(stdout);  // keep the lines in order when both go to one terminal
    fmt::print(stderr,
               "{}: error: the loss is {} at epoch {}; training diverged (try a smaller "
               "--learning-rate than {}){}\n",
               program_, loss, epoch, learning_rate_, csv_.partial_note());
    return EXIT_FAILURE;
  }

  /// "; the loss curve ... is in PATH.partial ..." for an error message.
  std::string partial_note() const { return csv_.partial_note(); }

 private:
  std::string program_;
  double learning_rate_;
  examples::CurveFile csv_;
};

#endif  // FIXNET_EXAMPLES_LOSS_LOG_HPP
