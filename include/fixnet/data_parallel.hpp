// fixnet — data-parallel training and inference: one batch split over
// several threads.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   fixnet::DataParallel<Net, 32> team;                 // 2 threads: the caller + 1
//   const fixnet::GradientDescent<float> sgd{0.1f / 32};
//   float loss = team.step(net, xs, labels, fixnet::CrossEntropy{}, sgd);
//
// Each of the `Threads` threads runs forward and backward on B / Threads
// samples with its own workspace and gradient set; after a barrier each
// thread adds its share of every gradient set (disjoint cache lines of the
// parameters) to the destination. The calling thread is thread 0; the
// others are created once, by the constructor, and wait for work spinning
// briefly, then asleep. Starting a pass allocates nothing and makes no
// system call while the workers are spinning (between the steps of an
// epoch).
//
// Worth it for large batches of wide layers (784-50-10 at batch 32: each
// half is ~13 us of work, the hand-over ~2-3 us); small networks stay on one
// thread (a 2-4-3 step is ~100 ns, less than waking a thread).
#ifndef FIXNET_DATA_PARALLEL_HPP
#define FIXNET_DATA_PARALLEL_HPP

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "fixnet/batch.hpp"
#include "fixnet/gradient_descent.hpp"
#include "fixnet/loss.hpp"
#include "fixnet/network.hpp"

namespace fixnet {
namespace detail {

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

/// `threads` - 1 worker threads and the caller, running one job at a time.
/// A job is a function pointer and a context, so starting one allocates
/// nothing. Inside a job, `barrier()` waits for every thread.
class ThreadTeam {
 public:
  using Job = void (*)(void* context, std::size_t thread) noexcept;

  explicit ThreadTeam(std::size_t threads) : threads_(threads) {
    workers_.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t) workers_.emplace_back([this, t] { work(t); });
  }
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;
  ~ThreadTeam() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

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

/// Rows [first, first + N) of a batch, as a fixed-extent span.
template <std::size_t N, class Batch>
auto batch_part(Batch& batch, std::size_t first) noexcept {
  using Row = std::remove_reference_t<decltype(batch[0])>;
  return std::span<Row, N>(&batch[first], N);
}

}  // namespace detail

/// Batches of B samples of Net split over `Threads` threads (the caller and
/// Threads - 1 workers created by the constructor, joined by the
/// destructor). The object owns one workspace and one gradient set per
/// thread; it is not itself thread-safe (one pass at a time).
template <class Net, std::size_t B, std::size_t Threads = 2>
class DataParallel {
  // Fix: choose a batch size that is a multiple of the thread count.
  static_assert(Threads >= 1 && B % Threads == 0,
                "fixnet: DataParallel<Net, B, Threads> needs B to be a multiple of Threads");

 public:
  using network_type = Net;
  using scalar_type = typename Net::scalar_type;
  static constexpr std::size_t batch_size = B;
  static constexpr std::size_t threads = Threads;
  /// Samples per thread.
  static constexpr std::size_t part_size = B / Threads;

  /// Creates the workers. Dropout masks differ per thread: thread t's
  /// workspace is seeded with `dropout_seed` + t.
  explicit DataParallel(std::uint64_t dropout_seed = 0) : team_(Threads) {
    for (std::size_t t = 0; t < Threads; ++t) {
      parts_[t] = std::make_unique<Part>();
      parts_[t]->ws.dropout_seed = dropout_seed + t;
    }
  }

  /// ys[b] = net.forward(xs[b]) for the B samples, each thread on its share.
  template <FixedBatch Xs, FixedBatch Ys>
  void forward(const Net& net, const Xs& xs, Ys&& ys) noexcept {
    auto job = [&](std::size_t t) noexcept {
      net.forward(detail::batch_part<part_size>(xs, t * part_size),
                  detail::batch_part<part_size>(ys, t * part_size), parts_[t]->ws);
    };
    run(job);
  }

  /// Adds `scale` times the summed gradient of the B samples to `grads` and
  /// returns the summed loss, as net.backward(xs, targets, loss, grads, ws,
  /// scale) does on one thread.
  template <FixedBatch Xs, FixedBatch Ts, Loss L>
  scalar_type backward(const Net& net, const Xs& xs, const Ts& targets, L loss,
                       typename Net::parameters_type& grads, scalar_type scale = 1) noexcept {
    return gradient_into(net, xs, targets, loss, grads, scale);
  }

  /// One step of plain gradient descent on the batch, theta -= learning_rate
  /// * (summed gradient), as GradientDescent::step(net, xs, targets, loss,
  /// ws) does on one thread. Returns the summed loss before the step.
  template <FixedBatch Xs, FixedBatch Ts, Loss L>
  scalar_type step(Net& net, const Xs& xs, const Ts& targets, L loss,
                   GradientDescent<scalar_type> descent) noexcept {
    return gradient_into(net, xs, targets, loss, net.parameters(), -descent.learning_rate);
  }

 private:
  struct Part {
    Workspace<Net, part_size> ws;
    Gradients<Net> grads;
    scalar_type loss = 0;
  };

  template <class F>
  void run(F& f) noexcept {
    team_.run([](void* context, std::size_t t) noexcept { (*static_cast<F*>(context))(t); }, &f);
  }

  // Each thread: its share's gradient into its own set; a barrier; then its
  // lines of `out` += scale * every thread's set. `out` may be the
  // network's parameters: they are only written after the barrier, when
  // every thread's backward pass (which reads them) is over.
  template <class Xs, class Ts, class L>
  scalar_type gradient_into(const Net& net, const Xs& xs, const Ts& targets, L loss,
                            typename Net::parameters_type& out, scalar_type scale) noexcept {
    static_assert(batch_size_v<Xs> == B && batch_size_v<Ts> == B,
                  "fixnet: DataParallel<Net, B> takes batches of exactly B samples");
    auto job = [&](std::size_t t) noexcept {
      Part& part = *parts_[t];
      part.grads.zero();
      part.loss = net.backward(detail::batch_part<part_size>(xs, t * part_size),
                               detail::batch_part<part_size>(targets, t * part_size), loss,
                               part.grads, part.ws);
      team_.barrier();
      for (std::size_t j = 0; j < Threads; ++j) out.add_scaled(scale, parts_[j]->grads, t, Threads);
    };
    run(job);
    scalar_type total = 0;
    for (const auto& part : parts_) total += part->loss;
    return total;
  }

  detail::ThreadTeam team_;
  std::array<std::unique_ptr<Part>, Threads> parts_;
};

}  // namespace fixnet

#endif  // FIXNET_DATA_PARALLEL_HPP
