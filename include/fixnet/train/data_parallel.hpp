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
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "fixnet/core/batch.hpp"
#include "fixnet/optimizers/gradient_descent.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/network.hpp"
#include "fixnet/train/thread_team.hpp"

namespace fixnet {
namespace detail {

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
    return gradient_into(net, xs, targets, loss, net.parameters(), -descent.learning_rate());
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
