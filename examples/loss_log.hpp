// The loss lines and CSV curve that the full-batch examples (blobs, moons)
// print and write, and their message when training diverges.
#ifndef FIXNET_EXAMPLES_LOSS_LOG_HPP
#define FIXNET_EXAMPLES_LOSS_LOG_HPP

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

// fmt/core.h only: fmt/os.h (fmt::output_file) brings fmt/format.h, whose
// templates cost each example ~1 s of compile time; fmt::print writes to a
// std::FILE* as well.
#include <fmt/core.h>

class LossLog {
 public:
  /// Opens the CSV (unless `csv_path` is empty) before training, so that a
  /// bad path fails at once.
  LossLog(std::string program, const std::string& csv_path, double learning_rate)
      : program_(std::move(program)), learning_rate_(learning_rate) {
    if (!csv_path.empty()) {
      csv_.reset(std::fopen(csv_path.c_str(), "w"));
      if (!csv_)
        throw std::runtime_error(
            fmt::format("cannot write the CSV {}: {}", csv_path, std::strerror(errno)));
      fmt::print(csv_.get(), "epoch,loss\n");
    }
  }

  /// One progress line and CSV row.
  void report(std::uint64_t epoch, float loss) {
    fmt::print("epoch {:>9}  loss {:>14.7g}\n", epoch, loss);
    if (csv_) fmt::print(csv_.get(), "{},{}\n", epoch, loss);
    std::fflush(stdout);  // progress shows at once, also through a pipe
  }

  /// Closes the CSV and says where it went.
  void finish(const std::string& what, const std::string& csv_path) {
    if (!csv_) return;
    const bool written = std::ferror(csv_.get()) == 0 && std::fclose(csv_.release()) == 0;
    if (!written) throw std::runtime_error(fmt::format("could not finish writing {}", csv_path));
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
  struct Close {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Close> csv_;
};

#endif  // FIXNET_EXAMPLES_LOSS_LOG_HPP
