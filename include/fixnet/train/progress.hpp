// fixnet — progress of long work (an epoch, an evaluation): a bar with rate
// and ETA on a terminal, plain periodic lines in a log.
//
//   fixnet::Progress progress(std::cout, train.size(), {.label = "epoch 1/10"});
//   for (auto batch : train.batches<32>(order)) {
//     ...
//     progress.set_status("loss " + std::to_string(loss));  // optional
//     progress.advance(32);
//   }
//   progress.finish();
//
// On a terminal (redrawn in place, at most every 100 ms):
//   epoch 1/10 [#########---------------]  38% 22784/60000 samples | 45123 samples/s | ETA 0:01 | loss 0.41
// Otherwise (a pipe, a file, CI), one line every 10 s and one at the end:
//   epoch 1/10: 100% 60000/60000 samples in 1.3 s | 45123 samples/s | loss 0.28
#ifndef FIXNET_PROGRESS_HPP
#define FIXNET_PROGRESS_HPP

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#elif defined(_WIN32)
#include <io.h>
#endif

namespace fixnet {

/// How a `Progress` shows itself.
struct ProgressOptions {
  /// Printed first ("epoch 3/10").
  std::string label{};
  /// What is counted ("samples", "batches").
  std::string unit = "samples";
  /// Nothing at all is written when false.
  bool enabled = true;
  /// Draw a bar in place (true) or print plain lines (false); unset, a bar
  /// exactly when the stream is std::cout, std::cerr or std::clog and that
  /// file descriptor is a terminal (isatty).
  std::optional<bool> terminal{};
  /// On a terminal, the least time between two redraws: calling `advance`
  /// per batch costs a clock read and a comparison otherwise.
  std::chrono::milliseconds redraw_interval{100};
  /// Off a terminal, the least time between two lines.
  std::chrono::milliseconds line_interval{10000};
  /// Characters inside the bar's brackets.
  std::size_t bar_width = 24;
};

/// Whether `out` writes to a terminal: std::cout, std::cerr or std::clog on
/// a file descriptor that isatty() says is one. False for any other stream,
/// and where isatty is not available.
inline bool is_terminal(const std::ostream& out) noexcept {
  int fd = -1;
  if (&out == &std::cout)
    fd = 1;
  else if (&out == &std::cerr || &out == &std::clog)
    fd = 2;
  if (fd < 0) return false;
#if defined(__unix__) || defined(__APPLE__)
  return ::isatty(fd) != 0;
#elif defined(_WIN32)
  return ::_isatty(fd) != 0;
#else
  return false;
#endif
}

/// Progress over `total` units of work (0: unknown, then no bar, percentage
/// or ETA), shown on `out` as `ProgressOptions` says. The rate is the mean
/// since construction (units per second), the ETA the remaining units at
/// that rate. The clock is injectable (`now`), for tests.
///
/// Not for the hot path of a single sample, but cheap per batch: `advance`
/// reads the clock and returns unless a redraw is due.
class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFunction = std::function<Clock::time_point()>;

  /// Starts the clock. `now` replaces `Clock::now` (for tests).
  Progress(std::ostream& out, std::size_t total, ProgressOptions options = {},
           NowFunction now = nullptr)
      : out_(&out),
        total_(total),
        options_(std::move(options)),
        now_(now ? std::move(now) : NowFunction(&Clock::now)),
        terminal_(options_.terminal ? *options_.terminal : is_terminal(out)),
        start_(now_()),
        last_draw_(start_) {}

  /// Ends a bar's line if `finish` was not called (an exception, say), so
  /// that what is printed next starts on a line of its own.
  ~Progress() {
    if (options_.enabled && terminal_ && drawn_ && !finished_) {
      try {
        *out_ << '\n' << std::flush;
      } catch (...) {  // a destructor must not throw; the newline is a nicety
      }
    }
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Counts n more units done; redraws (terminal) or prints a line (plain)
  /// if the interval has passed since the last one.
  void advance(std::size_t n = 1) {
    done_ += n;
    if (!options_.enabled || finished_) return;
    const Clock::time_point t = now_();
    if (t - last_draw_ < (terminal_ ? options_.redraw_interval : options_.line_interval)) return;
    draw(t, false);
  }

  /// Text shown after the rate and ETA ("loss 0.231"), from the next redraw.
  void set_status(std::string_view status) { status_.assign(status); }

  /// Shows the final state (total time and mean rate) and ends the line.
  /// Later calls, and later `advance`s, show nothing more.
  void finish() {
    if (finished_) return;
    if (options_.enabled) draw(now_(), true);
    finished_ = true;
  }

  bool enabled() const noexcept { return options_.enabled; }
  /// Whether a bar is drawn in place (else plain lines).
  bool terminal() const noexcept { return terminal_; }
  std::size_t done() const noexcept { return done_; }
  std::size_t total() const noexcept { return total_; }

  /// Seconds since construction.
  double elapsed_seconds() const { return seconds(now_() - start_); }
  /// Units per second since construction (0 before any time has passed).
  double rate() const { return rate_at(now_()); }
  /// Seconds left at the current rate; nothing if the total is unknown or
  /// the rate is still 0.
  std::optional<double> eta_seconds() const { return eta_at(now_()); }

  /// The line as it would be drawn now (without "\r" or padding): for tests
  /// and for callers who print it themselves.
  std::string line(bool final = false) const { return format_line(now_(), final); }

 private:
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

  double rate_at(Clock::time_point t) const {
    const double s = seconds(t - start_);
    return s > 0 ? static_cast<double>(done_) / s : 0.0;
  }

  std::optional<double> eta_at(Clock::time_point t) const {
    const double r = rate_at(t);
    if (total_ == 0 || r <= 0) return std::nullopt;
    return done_ >= total_ ? 0.0 : static_cast<double>(total_ - done_) / r;
  }

  /// "0:07", "12:34", "1:02:03".
  static std::string clock_text(double s) {
    const auto whole = static_cast<long long>(std::llround(std::max(0.0, s)));
    char buf[32];
    if (whole >= 3600)
      std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", whole / 3600, whole / 60 % 60, whole % 60);
    else
      std::snprintf(buf, sizeof buf, "%lld:%02lld", whole / 60, whole % 60);
    return buf;
  }

  /// "4.2 s" under a minute, else as `clock_text`.
  static std::string duration_text(double s) {
    if (s >= 60) return clock_text(s);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
  }

  /// Three significant digits at most below 100, whole numbers above.
  static std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    return buf;
  }

  std::string format_line(Clock::time_point t, bool final) const {
    std::string s = options_.label;
    const bool known = total_ > 0;
    const double fraction =
        known ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 0.0;
    const std::string pct = std::to_string(static_cast<int>(std::floor(fraction * 100.0))) + "%";
    if (terminal_) {
      if (known) {
        const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(options_.bar_width));
        s += (s.empty() ? "[" : " [") + std::string(filled, '#') +
             std::string(options_.bar_width - filled, '-') + "] " +
             std::string(4 - pct.size(), ' ') + pct + " ";  // fixed width: the bar does not jump
      } else if (!s.empty()) {
        s += " ";
      }
    } else {
      if (!s.empty()) s += ": ";
      if (known) s += pct + " ";
    }
    s += std::to_string(done_);
    if (known) s += "/" + std::to_string(total_);
    s += " " + options_.unit;
    if (final) s += " in " + duration_text(seconds(t - start_));
    s += " | " + number_text(rate_at(t)) + " " + options_.unit + "/s";
    if (!final && known) {
      const auto eta = eta_at(t);
      s += " | ETA " + (eta ? clock_text(*eta) : std::string("?"));
    }
    if (!status_.empty()) s += " | " + status_;
    return s;
  }

  void draw(Clock::time_point t, bool final) {
    const std::string text = format_line(t, final);
    if (terminal_) {
      // Spaces over what is left of a longer previous line.
      const std::size_t pad = last_length_ > text.size() ? last_length_ - text.size() : 0;
      *out_ << '\r' << text << std::string(pad, ' ');
      if (final) *out_ << '\n';
      last_length_ = text.size();
    } else {
      *out_ << text << '\n';
    }
    *out_ << std::flush;  // shows at once, also through a pipe
    drawn_ = true;
    last_draw_ = t;
  }

  std::ostream* out_;
  std::size_t total_;
  ProgressOptions options_;
  NowFunction now_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  std::size_t done_ = 0;
  std::size_t last_length_ = 0;
  std::string status_;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace fixnet

#endif  // FIXNET_PROGRESS_HPP
