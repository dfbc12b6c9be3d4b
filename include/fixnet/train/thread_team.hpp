// fixnet — a team of threads that runs one job at a time: the caller and
// `threads` - 1 workers created once, which wait for work spinning briefly,
// then asleep. Starting a job allocates nothing and makes no system call
// while the workers are still spinning (between the steps of an epoch).
// Used by DataParallel (fixnet/train/data_parallel.hpp) and the Trainer's
// `threads` option (fixnet/train/trainer.hpp).
#ifndef FIXNET_THREAD_TEAM_HPP
#define FIXNET_THREAD_TEAM_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace fixnet::detail {

/// Lets a spinning core breathe (x86 `pause`, AArch64 `yield`).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Polls `ready` ~20 us, then sleeps in atomic wait until it holds.
template <class Ready, class Sleep>
inline void spin_then_wait(Ready&& ready, Sleep&& sleep) noexcept {
  for (int i = 0; i < 2000; ++i) {
    if (ready()) return;
    cpu_relax();
  }
  while (!ready()) sleep();
}

/// Starts a thread running `body`. `ThreadTeam` takes one so that tests can
/// make the system refuse a thread; the default is std::thread's constructor.
using ThreadStarter = std::thread (*)(std::function<void()> body);

inline std::thread start_thread(std::function<void()> body) { return std::thread(std::move(body)); }

/// `threads` - 1 worker threads and the caller, running one job at a time.
/// A job is a function pointer and a context, so starting one allocates
/// nothing. Inside a job, `barrier()` waits for every thread.
class ThreadTeam {
 public:
  using Job = void (*)(void* context, std::size_t thread) noexcept;

  /// Starts the workers. If the system refuses one (std::thread throws
  /// std::system_error, e.g. EAGAIN under a process or memory limit), the
  /// workers already running are stopped and joined, and a std::system_error
  /// with the same code says how many threads were asked for and how many
  /// had started; another exception from `start` becomes a
  /// std::runtime_error saying the same. Throws std::invalid_argument for
  /// zero threads.
  explicit ThreadTeam(std::size_t threads, ThreadStarter start = &start_thread) : threads_(threads) {
    if (threads == 0) throw std::invalid_argument("fixnet: a thread team needs at least 1 thread, got 0");
    workers_.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t) {
      try {
        workers_.push_back(start([this, t] { work(t); }));
      } catch (...) {
        // The workers already started would otherwise be destroyed
        // joinable, which is std::terminate.
        stop_workers();
        const std::string message = "fixnet: asked for " + std::to_string(threads) + " threads, started " +
                                    std::to_string(t) + " (the caller and " + std::to_string(t - 1) +
                                    " workers) before the system refused thread " + std::to_string(t + 1);
        try {
          throw;
        } catch (const std::system_error& e) {
          throw std::system_error(e.code(), message);
        } catch (const std::exception& e) {
          throw std::runtime_error(message + ": " + e.what());
        }
      }
    }
  }
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;
  ~ThreadTeam() { stop_workers(); }

  std::size_t size() const noexcept { return threads_; }

  /// Runs job(context, t) on every thread t (t = 0 on the caller) and
  /// returns when all have finished.
  void run(Job job, void* context) noexcept {
    job_ = job;
    context_ = context;
    done_.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    job(context, 0);
    const std::size_t others = threads_ - 1;
    spin_then_wait([&] { return done_.load(std::memory_order_acquire) == others; },
                   [&] {
                     const std::uint32_t seen = done_.load(std::memory_order_acquire);
                     if (seen != others) done_.wait(seen, std::memory_order_acquire);
                   });
  }

  /// Waits until every thread of the running job has reached it.
  void barrier() noexcept {
    const std::uint32_t phase = barrier_phase_.load(std::memory_order_acquire);
    if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_) {
      barrier_count_.store(0, std::memory_order_relaxed);
      barrier_phase_.fetch_add(1, std::memory_order_release);
      barrier_phase_.notify_all();
      return;
    }
    spin_then_wait([&] { return barrier_phase_.load(std::memory_order_acquire) != phase; },
                   [&] { barrier_phase_.wait(phase, std::memory_order_acquire); });
  }

 private:
  void stop_workers() noexcept {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

  void work(std::size_t thread) noexcept {
    std::uint32_t seen = 0;
    for (;;) {
      spin_then_wait([&] { return generation_.load(std::memory_order_acquire) != seen; },
                     [&] { generation_.wait(seen, std::memory_order_acquire); });
      seen = generation_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_relaxed)) return;
      job_(context_, thread);
      done_.fetch_add(1, std::memory_order_acq_rel);
      done_.notify_one();
    }
  }

  std::size_t threads_;
  std::vector<std::thread> workers_;
  Job job_ = nullptr;
  void* context_ = nullptr;
  std::atomic<bool> stop_{false};
  alignas(64) std::atomic<std::uint32_t> generation_{0};
  alignas(64) std::atomic<std::uint32_t> done_{0};
  alignas(64) std::atomic<std::uint32_t> barrier_count_{0};
  alignas(64) std::atomic<std::uint32_t> barrier_phase_{0};
};

}  // namespace fixnet::detail

#endif  // FIXNET_THREAD_TEAM_HPP
