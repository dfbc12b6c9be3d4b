// Tests of fixnet/train/progress.hpp, on a clock the test moves by hand: the bar
// redraws in place at most every redraw interval, with rate and ETA; plain
// mode prints whole lines at its own interval; a disabled progress writes
// nothing at all.
#define BOOST_TEST_MODULE progress
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>

#include <fixnet/train/progress.hpp>

namespace fixnet::tests {
namespace {

using namespace std::chrono_literals;

/// A clock that moves only when told.
struct ManualClock {
  Progress::Clock::time_point now{};
  void wait(Progress::Clock::duration d) { now += d; }
  Progress::NowFunction function() {
    return [this] { return now; };
  }
};

std::size_t count(const std::string& s, char c) {
  std::size_t n = 0;
  for (const char x : s) n += x == c;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(a_terminal_bar_redraws_in_place_at_most_every_interval) {
  ManualClock clock;
  std::ostringstream out;
  Progress p(out, 1000, {.label = "epoch 1/3", .terminal = true}, clock.function());
  BOOST_TEST(p.terminal());
  clock.wait(50ms);
  p.advance(100);
  BOOST_TEST(out.str().empty());  // 50 ms < 100 ms: no redraw yet
  clock.wait(50ms);
  p.advance(100);  // 200 done after 0.1 s: 2000 samples/s, 800 left: 0.4 s
  BOOST_TEST(out.str() ==
             "\repoch 1/3 [####--------------------]  20% 200/1000 samples | 2000 samples/s | ETA 0:00");
  out.str("");
  clock.wait(10ms);
  p.advance(10);
  BOOST_TEST(out.str().empty());  // 10 ms after the last redraw
  p.set_status("loss 0.25");
  clock.wait(1900ms);  // 2.01 s, 210 done
  p.advance(290);      // 500 done: 248.8 samples/s, ETA 2 s
  BOOST_TEST(out.str() ==
             "\repoch 1/3 [############------------]  50% 500/1000 samples | 249 samples/s | ETA 0:02 | "
             "loss 0.25");
  BOOST_TEST(count(out.str(), '\n') == 0u);
}

BOOST_AUTO_TEST_CASE(finishing_draws_the_total_time_and_ends_the_line_once) {
  ManualClock clock;
  std::ostringstream out;
  {
    Progress p(out, 40, {.unit = "batches", .terminal = true}, clock.function());
    clock.wait(4s);
    p.advance(40);
    out.str("");
    clock.wait(1s);
    p.finish();
    p.finish();
    p.advance(1);
  }
  // Redrawn over the previous, longer line (with its ETA): spaces blank the rest.
  const std::string final_line = "\r[########################] 100% 40/40 batches in 5.0 s | 8.00 batches/s";
  const std::string s = out.str();
  BOOST_TEST(s.substr(0, final_line.size()) == final_line);
  BOOST_TEST(s.find_first_not_of(' ', final_line.size()) == s.size() - 1);
  BOOST_TEST(s.back() == '\n');
}

BOOST_AUTO_TEST_CASE(a_shorter_line_blanks_what_is_left_of_the_longer_one) {
  ManualClock clock;
  std::ostringstream out;
  Progress p(out, 10, {.terminal = true}, clock.function());
  p.set_status("a long status text");
  clock.wait(1s);
  p.advance(1);
  const std::size_t long_length = out.str().size() - 1;  // without "\r"
  out.str("");
  p.set_status("");
  clock.wait(1s);
  p.advance(1);
  const std::string line = out.str();
  BOOST_TEST(line.size() - 1 == long_length);
  BOOST_TEST(line.find("ETA") != std::string::npos);
  BOOST_TEST(line.back() == ' ');
}

BOOST_AUTO_TEST_CASE(plain_mode_prints_whole_lines_at_its_own_interval) {
  ManualClock clock;
  std::ostringstream out;
  Progress p(out, 60000, {.label = "epoch 2/10", .terminal = false, .line_interval = 10s},
             clock.function());
  BOOST_TEST(!p.terminal());
  for (int i = 0; i < 100; ++i) {
    clock.wait(100ms);
    p.advance(300);  // every call after the first 10 s, only one line
  }
  BOOST_TEST(out.str() == "epoch 2/10: 50% 30000/60000 samples | 3000 samples/s | ETA 0:10\n");
  for (int i = 0; i < 100; ++i) {
    clock.wait(100ms);
    p.advance(300);
  }
  p.finish();
  BOOST_TEST(out.str() ==
             "epoch 2/10: 50% 30000/60000 samples | 3000 samples/s | ETA 0:10\n"
             "epoch 2/10: 100% 60000/60000 samples | 3000 samples/s | ETA 0:00\n"
             "epoch 2/10: 100% 60000/60000 samples in 20.0 s | 3000 samples/s\n");
  BOOST_TEST(out.str().find('\r') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_disabled_progress_writes_nothing) {
  ManualClock clock;
  std::ostringstream out;
  for (const bool terminal : {true, false}) {
    Progress p(out, 100, {.enabled = false, .terminal = terminal}, clock.function());
    for (int i = 0; i < 100; ++i) {
      clock.wait(1s);
      p.advance();
    }
    p.finish();
    BOOST_TEST(p.done() == 100u);  // it still counts
  }
  BOOST_TEST(out.str().empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_total_shows_count_and_rate_only) {
  ManualClock clock;
  std::ostringstream out;
  Progress p(out, 0, {.label = "reading", .unit = "files", .terminal = false, .line_interval = 1s},
             clock.function());
  clock.wait(2s);
  p.advance(5);
  BOOST_TEST(out.str() == "reading: 5 files | 2.50 files/s\n");
  BOOST_TEST(!p.eta_seconds().has_value());
}

BOOST_AUTO_TEST_CASE(rate_and_eta_are_measured_from_the_start) {
  ManualClock clock;
  std::ostringstream out;
  Progress p(out, 1000, {.enabled = false}, clock.function());
  BOOST_TEST(p.rate() == 0.0);
  BOOST_TEST(!p.eta_seconds().has_value());
  clock.wait(2s);
  p.advance(250);
  BOOST_TEST(p.elapsed_seconds() == 2.0);
  BOOST_TEST(p.rate() == 125.0);
  BOOST_TEST(*p.eta_seconds() == 6.0);
  clock.wait(3600s);
  // 250 in 3602 s, 750 to go: 10806 s.
  BOOST_TEST(p.line().find("ETA 3:00:06") != std::string::npos, p.line());
}

BOOST_AUTO_TEST_CASE(an_unfinished_bar_ends_its_line_when_destroyed) {
  ManualClock clock;
  std::ostringstream out;
  {
    Progress p(out, 10, {.terminal = true}, clock.function());
    clock.wait(1s);
    p.advance(3);
  }
  BOOST_TEST(out.str().back() == '\n');
  BOOST_TEST(count(out.str(), '\n') == 1u);
}

BOOST_AUTO_TEST_CASE(only_standard_streams_can_be_terminals) {
  std::ostringstream out;
  BOOST_TEST(!is_terminal(out));
  Progress p(out, 1);
  BOOST_TEST(!p.terminal());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
