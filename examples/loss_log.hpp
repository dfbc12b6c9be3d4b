// The loss lines and CSV curve that the full-batch examples (blobs, moons)
// print and write, and their message when training diverges.
#ifndef FIXNET_EXAMPLES_LOSS_LOG_HPP
#define FIXNET_EXAMPLES_LOSS_LOG_HPP

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <fmt/core.h>
#include <fmt/os.h>

class LossLog {
 public:
  /// Opens the CSV (unless `csv_path` is empty) before training, so that a
  /// bad path fails at once.
  LossLog(std::string program, const std::string& csv_path, double learning_rate)
      : program_(std::move(program)), learning_rate_(learning_rate) {
    if (!csv_path.empty()) {
      csv_ = std::make_unique<fmt::ostream>(fmt::output_file(csv_path));
      csv_->print("epoch,loss\n");
    }
  }

  /// One progress line and CSV row.
  void report(std::uint64_t epoch, float loss) {
    fmt::print("epoch {:>9}  loss {:>14.7g}\n", epoch, loss);
    if (csv_) csv_->print("{},{}\n", epoch, loss);
    std::fflush(stdout);  // progress shows at once, also through a pipe
  }

  /// Closes the CSV and says where it went.
  void finish(const std::string& what, const std::string& csv_path) {
    if (!csv_) return;
    csv_->close();
    fmt::print("{} written to {}\n", what, csv_path);
  }

  /// Says that training diverged; returns the exit status.
  int diverged(std::uint64_t epoch, float loss) const {
    std::fflush(stdout);  // keep the lines in order when both go to one terminal
    fmt::print(stderr,
               "{}: error: the loss is {} at epoch {}; training diverged (try a smaller "
               "--learning-rate than {})\n",
               program_, loss, epoch, learning_rate_);
    return EXIT_FAILURE;
  }

 private:
  std::string program_;
  double learning_rate_;
  std::unique_ptr<fmt::ostream> csv_;
};

#endif  // FIXNET_EXAMPLES_LOSS_LOG_HPP
