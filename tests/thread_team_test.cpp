// Tests of fixnet/train/thread_team.hpp: jobs run on every thread; a team whose
// workers cannot all start stops and joins those that did and throws a
// fixnet: error naming the counts and the cause, instead of ending in
// std::terminate (issue 15): with a thread starter that refuses the k-th
// thread, and for real, in a child process whose address space is too small
// for the threads' stacks.
#define BOOST_TEST_MODULE thread_team
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include <fixnet/train/thread_team.hpp>

namespace {

using fixnet::detail::ThreadTeam;

// Counts the workers a test starter started and those whose body returned
// (a joined worker has returned).
std::atomic<int> started{0};
std::atomic<int> finished{0};
int refuse_at = 0;  // the worker (1-based) whose start fails

std::thread refusing_starter(std::function<void()> body) {
  if (started.load() + 1 == refuse_at)
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "thread creation refused by the test");
  started.fetch_add(1);
  return std::thread([body = std::move(body)] {
    body();
    finished.fetch_add(1);
  });
}

struct Job {
  std::atomic<int> ran{0};
  static void run(void* context, std::size_t) noexcept { static_cast<Job*>(context)->ran.fetch_add(1); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(thread_team)

BOOST_AUTO_TEST_CASE(a_job_runs_once_on_every_thread) {
  ThreadTeam team(4);
  Job job;
  team.run(&Job::run, &job);
  BOOST_TEST(job.ran.load() == 4);
  BOOST_TEST(team.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_refused_worker_stops_and_joins_the_started_ones_and_throws_a_system_error) {
  for (const int k : {1, 2, 5}) {
    BOOST_TEST_CONTEXT("the system refuses worker " << k) {
      started = 0;
      finished = 0;
      refuse_at = k;
      std::string message;
      std::error_code code;
      try {
        ThreadTeam team(8, &refusing_starter);
        BOOST_FAIL("the team started although a worker was refused");
      } catch (const std::system_error& e) {
        message = e.what();
        code = e.code();
      }
      BOOST_TEST(started.load() == k - 1);
      // Joined: every started worker's body has returned.
      BOOST_TEST(finished.load() == k - 1);
      BOOST_TEST(code == std::make_error_code(std::errc::resource_unavailable_try_again));
      const std::string expected = "fixnet: asked for 8 threads, started " + std::to_string(k) +
                                   " (the caller and " + std::to_string(k - 1) +
                                   " workers) before the system refused thread " + std::to_string(k + 1);
      BOOST_TEST(message.find(expected) == 0u, message);
      BOOST_TEST(message.find(std::make_error_code(std::errc::resource_unavailable_try_again).message()) !=
                     std::string::npos,
                 message);
    }
  }
}

BOOST_AUTO_TEST_CASE(another_error_while_starting_becomes_a_runtime_error_naming_it) {
  started = 0;
  finished = 0;
  const auto throwing = +[](std::function<void()> body) -> std::thread {
    if (started.load() == 2) throw std::bad_alloc();
    started.fetch_add(1);
    return std::thread([body = std::move(body)] {
      body();
      finished.fetch_add(1);
    });
  };
  try {
    ThreadTeam team(6, throwing);
    BOOST_FAIL("the team started");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    BOOST_TEST(message.find("fixnet: asked for 6 threads, started 3") == 0u, message);
    BOOST_TEST(message.find("bad_alloc") != std::string::npos, message);
  }
  BOOST_TEST(finished.load() == 2);
}

BOOST_AUTO_TEST_CASE(zero_threads_are_refused) {
  BOOST_CHECK_THROW(ThreadTeam(0), std::invalid_argument);
}

// The real thing: std::thread's constructor failing for want of address
// space for the new thread's stack (as `ulimit -v` makes it), in a child
// process so that the limit does not reach the test runner. Before the fix
// the child died of SIGABRT (std::terminate from a joinable std::thread).
BOOST_AUTO_TEST_CASE(a_team_too_large_for_the_address_space_throws_instead_of_terminating) {
  std::fflush(nullptr);
  const pid_t child = fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    // Room for the process as it is and a few 8 MiB thread stacks, not 1000.
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (64u << 20);
    const rlimit rl{limit, limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
    try {
      ThreadTeam team(1000);
      _exit(2);  // every thread started: the limit did not bite
    } catch (const std::system_error& e) {
      const std::string message = e.what();
      std::fprintf(stderr, "child: %s\n", message.c_str());
      _exit(message.find("fixnet: asked for 1000 threads, started ") == 0 ? 0 : 4);
    } catch (...) {
      _exit(5);
    }
  }
  int status = 0;
  BOOST_TEST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_TEST_REQUIRE(!WIFSIGNALED(status), "the child died of signal " << WTERMSIG(status));
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) {
    BOOST_TEST_MESSAGE("skipped: 1000 threads started under the address-space limit");
    return;
  }
  BOOST_TEST(WEXITSTATUS(status) == 0, "child exit status " << WEXITSTATUS(status)
                                                            << " (3: setrlimit failed, 4: wrong message, 5: "
                                                               "another exception)");
}

BOOST_AUTO_TEST_SUITE_END()
