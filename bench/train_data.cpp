// fixnet benchmarks — training over whole data sets (issue 3, scenarios 4
// and 5), against Eigen and fixnet's scalar reference (see bench/train.hpp):
//
// - blobs: the reference experiment, 2-4-3 on 2100 points of three Gaussian
//   blobs, full-batch gradient descent on the summed gradient, lr 1e-3:
//   one epoch per iteration, and the whole 50 000 epochs in one iteration.
// - mnist: 784-50-10 on 60 000 MNIST-shaped samples (uniform random pixels
//   and labels: the timing does not depend on the values): one epoch of
//   mini-batch SGD (batch 32, mean gradient, lr 0.1, in data order), and one
//   full-batch iteration. A workspace for 60 000 samples would be ~250 MB, so
//   the full batch is summed over chunks with the batch backward (the
//   gradient of a sum is the sum of the chunks' gradients), then one update
//   with lr 0.1 / 60 000. Chunks of 1000 (a 4 MB workspace, past L2) and of
//   100 (400 KB, inside it): the chunk size is the user's choice, and the
//   two show how each implementation's batch kernels cope with data that
//   does not stay in cache.
//
// The scalar reference would take tens of seconds for the MNIST scenarios
// and the 50 000 epochs; it runs on a subset (its label says which) or only
// per epoch, and its time per sample, which is what the table compares, does
// not depend on how many samples it sees.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <fixnet/data/blobs.hpp>

#include "train.hpp"

#include <fixnet/train/data_parallel.hpp>

namespace fixnet_bench {
namespace {

using train::Row;

// --- Blobs (scenario 4) -------------------------------------------------------

constexpr int kBlobsPoints = 2100;
constexpr long kBlobsEpochs = 50000;
/// Of the reference experiment, on the summed (not mean) gradient.
constexpr float kBlobsLearningRate = 1e-3f;

const fixnet::data::LabelledPoints& blobs_points() {
  static const fixnet::data::LabelledPoints points = [] {
    auto p = fixnet::data::make_blobs(42);
    if (p.size() != std::size_t(kBlobsPoints)) fail("make_blobs did not give 2100 points");
    return p;
  }();
  return points;
}

std::string loss_label(float first, float last) {
  return "summed loss " + std::to_string(first) + " -> " + std::to_string(last);
}

/// Times Epochs calls of `epoch()` (one full-batch step on the blobs,
/// returning its loss) per iteration; a run of more than one epoch is
/// labelled with its first and last loss.
template <long Epochs, class Epoch>
void time_blobs_epochs(benchmark::State& state, Epoch&& epoch) {
  float first = 0, loss = 0;
  for (auto _ : state) {
    for (long e = 0; e < Epochs; ++e) {
      loss = epoch();
      if (e == 0) first = loss;
    }
    benchmark::DoNotOptimize(loss);
  }
  if (Epochs > 1) state.SetLabel(loss_label(first, loss));
  set_sample_counters(state, double(Epochs) * kBlobsPoints, training_flops<Blobs>());
}

template <long Epochs>
void blobs_fixnet(benchmark::State& state) {
  const auto& data = blobs_points();
  train::Trainer<Blobs, kBlobsPoints> t;
  const std::span<const Row<2>, kBlobsPoints> xs(data.features.data(), kBlobsPoints);
  const std::span<const std::uint8_t, kBlobsPoints> labels(data.labels.data(), kBlobsPoints);
  const fixnet::GradientDescent<float> sgd{kBlobsLearningRate};
  time_blobs_epochs<Epochs>(state,
                            [&] { return sgd.step(*t.net, xs, labels, train::Loss{}, *t.ws); });
}

template <long Epochs>
void blobs_eigen(benchmark::State& state) {
  const auto& data = blobs_points();
  train::Trainer<Blobs, kBlobsPoints> t;
  const auto x = input_columns<2, kBlobsPoints>(data.features.data());
  time_blobs_epochs<Epochs>(state, [&] {
    return eigen_sgd_step(*t.eigen, x, data.labels.data(), *t.batch, kBlobsLearningRate);
  });
}

void blobs_reference(benchmark::State& state) {
  const auto& data = blobs_points();
  train::Trainer<Blobs, 1> t;
  const fixnet::GradientDescent<float> sgd{kBlobsLearningRate};
  train::time_training<Blobs>(state, kBlobsPoints, [&] {
    return train::reference_sgd_step(*t.net, data.features.data(), data.labels.data(),
                                     kBlobsPoints, sgd, *t.grads);
  });
}

// --- MNIST-shaped (scenario 5) ------------------------------------------------

constexpr std::size_t kMnistSamples = 60000;
constexpr int kMiniBatch = 32;
static_assert(kMnistSamples % kMiniBatch == 0);
/// The reference's subsets: 60 mini-batches, and 2000 samples of the full
/// batch.
constexpr std::size_t kReferenceEpochSamples = 60 * kMiniBatch;
constexpr std::size_t kReferenceFullBatchSamples = 2000;

struct MnistData {
  AlignedVector<Row<784>> xs;
  std::vector<std::uint8_t> labels;
};

/// 188 MB of inputs: made on first use only, so that runs that filter the
/// MNIST scenarios out (the CI smoke) do not pay for them.
const MnistData& mnist_data() {
  static const MnistData data{random_inputs<784>(kMnistSamples, 11),
                              random_labels<10>(kMnistSamples, 12)};
  return data;
}

/// The loss summed over `chunk(first)` for the runs of Chunk samples that
/// start below `samples`, in order.
template <std::size_t Chunk, class F>
float over_chunks(std::size_t samples, F&& chunk) {
  float loss = 0;
  for (std::size_t first = 0; first < samples; first += Chunk) loss += chunk(first);
  return loss;
}

void mnist_epoch_fixnet(benchmark::State& state) {
  const auto& d = mnist_data();
  train::Trainer<Mnist, kMiniBatch> t;
  train::time_training<Mnist>(state, kMnistSamples, [&] {
    return over_chunks<kMiniBatch>(kMnistSamples, [&](std::size_t first) {
      return train::fixnet_sgd_step<Mnist, kMiniBatch>(*t.net, &d.xs[first], &d.labels[first],
                                                       train::kLearningRate / kMiniBatch, *t.ws);
    });
  });
}

void mnist_epoch_eigen(benchmark::State& state) {
  const auto& d = mnist_data();
  train::Trainer<Mnist, kMiniBatch> t;
  train::time_training<Mnist>(state, kMnistSamples, [&] {
    return over_chunks<kMiniBatch>(kMnistSamples, [&](std::size_t first) {
      return eigen_sgd_step(*t.eigen, input_columns<784, kMiniBatch>(&d.xs[first]),
                            &d.labels[first], *t.batch, train::kLearningRate / kMiniBatch);
    });
  });
}

void mnist_epoch_reference(benchmark::State& state) {
  const auto& d = mnist_data();
  train::Trainer<Mnist, 1> t;
  const fixnet::GradientDescent<float> sgd{train::kLearningRate / kMiniBatch};
  train::time_training<Mnist>(state, kReferenceEpochSamples, [&] {
    return over_chunks<kMiniBatch>(kReferenceEpochSamples, [&](std::size_t first) {
      return train::reference_sgd_step(*t.net, &d.xs[first], &d.labels[first], kMiniBatch, sgd,
                                       *t.grads);
    });
  });
  state.SetLabel("first " + std::to_string(kReferenceEpochSamples) + " samples");
}

/// One full-batch iteration per benchmark iteration: the summed gradient of
/// the 60 000 samples, chunk by chunk (`chunk(first)` adds that of the Chunk
/// samples from `first` to `t.grads` and returns their loss), then one step.
template <int Chunk, class F>
void time_full_batches(benchmark::State& state, train::Trainer<Mnist, Chunk>& t, F&& chunk) {
  static_assert(kMnistSamples % Chunk == 0);
  const fixnet::GradientDescent<float> sgd{train::kLearningRate / kMnistSamples};
  train::time_training<Mnist>(state, kMnistSamples, [&] {
    t.grads->zero();
    const float loss = over_chunks<Chunk>(kMnistSamples, chunk);
    sgd.step(*t.net, *t.grads);
    return loss;
  });
}

template <int Chunk>
void mnist_full_batch_fixnet(benchmark::State& state) {
  const auto& d = mnist_data();
  train::Trainer<Mnist, Chunk> t;
  time_full_batches<Chunk>(state, t, [&](std::size_t first) {
    return train::fixnet_backward<Mnist, Chunk>(*t.net, &d.xs[first], &d.labels[first], *t.grads,
                                                *t.ws);
  });
}

/// The mini-batch epoch on two threads (fixnet::DataParallel), steps on
/// batches of Step samples, Step / 2 per thread: Step = 32 splits every
/// batch of the one-thread epoch in two (the same steps); Step = 64 gives
/// each thread a batch of 32 and steps on both (PyTorch's
/// DistributedDataParallel, fixnet's TrainerOptions::threads): half the
/// steps, each on twice the samples.
template <int Step>
void mnist_epoch_fixnet_two_threads(benchmark::State& state) {
  // Whole steps only: at Step = 64 the last 32 samples sit out.
  constexpr std::size_t kSamples = kMnistSamples / Step * Step;
  const auto& d = mnist_data();
  train::Trainer<Mnist, kMiniBatch> t;
  fixnet::DataParallel<Mnist, Step, 2> team;
  const fixnet::GradientDescent<float> sgd{train::kLearningRate / Step};
  train::time_training<Mnist>(state, kSamples, [&] {
    return over_chunks<Step>(kSamples, [&](std::size_t first) {
      return team.step(*t.net, std::span<const Row<784>, Step>(&d.xs[first], Step),
                       std::span<const std::uint8_t, Step>(&d.labels[first], Step), train::Loss{},
                       sgd);
    });
  });
}

/// The full-batch iteration on two threads, chunks of Chunk samples (half
/// per thread).
template <int Chunk>
void mnist_full_batch_fixnet_two_threads(benchmark::State& state) {
  const auto& d = mnist_data();
  train::Trainer<Mnist, Chunk> t;
  fixnet::DataParallel<Mnist, Chunk, 2> team;
  time_full_batches<Chunk>(state, t, [&](std::size_t first) {
    return team.backward(*t.net, std::span<const Row<784>, Chunk>(&d.xs[first], Chunk),
                         std::span<const std::uint8_t, Chunk>(&d.labels[first], Chunk),
                         train::Loss{}, *t.grads);
  });
}

template <int Chunk>
void mnist_full_batch_eigen(benchmark::State& state) {
  static_assert(kMnistSamples % Chunk == 0);
  const auto& d = mnist_data();
  train::Trainer<Mnist, Chunk> t;
  train::time_training<Mnist>(state, kMnistSamples, [&] {
    t.eigen_grads->set_zero();
    const float loss = over_chunks<Chunk>(kMnistSamples, [&](std::size_t first) {
      return eigen_accumulate_gradients(*t.eigen, input_columns<784, Chunk>(&d.xs[first]),
                                        &d.labels[first], *t.batch, *t.eigen_grads);
    });
    t.eigen->subtract_scaled(train::kLearningRate / kMnistSamples, *t.eigen_grads);
    return loss;
  });
}

void mnist_full_batch_reference(benchmark::State& state) {
  const auto& d = mnist_data();
  train::Trainer<Mnist, 1> t;
  const fixnet::GradientDescent<float> sgd{train::kLearningRate / kMnistSamples};
  train::time_training<Mnist>(state, kReferenceFullBatchSamples, [&] {
    return train::reference_sgd_step(*t.net, d.xs.data(), d.labels.data(),
                                     kReferenceFullBatchSamples, sgd, *t.grads);
  });
  state.SetLabel("first " + std::to_string(kReferenceFullBatchSamples) + " samples");
}

/// Registers a scenario whose iterations take milliseconds.
benchmark::internal::Benchmark* add_slow(const std::string& name, void (*fn)(benchmark::State&)) {
  return add(name, fn)->Unit(benchmark::kMillisecond);
}

/// Registers a scenario that runs on two threads: wall-clock time (the
/// default, CPU time of the calling thread, would leave the other thread's
/// work out).
void add_two_threads(const std::string& name, void (*fn)(benchmark::State&)) {
  add_slow(name, fn)->UseRealTime();
}

}  // namespace

void verify_baselines() {
  const auto& blobs = blobs_points();
  train::verify_training<Blobs, kBlobsPoints>("blobs, 2100 points", blobs.features.data(),
                                              blobs.labels.data(), kBlobsLearningRate, true);
  // A small stand-in for the 60 000 samples, which are only made when used.
  const auto xs = random_inputs<784>(1000, 21);
  const auto labels = random_labels<10>(1000, 22);
  train::verify_training<Mnist, kMiniBatch>("784-50-10, mini-batch", xs.data(), labels.data(),
                                            train::kLearningRate / kMiniBatch, true);
  // The reference is checked on the mini-batch; on 1000 samples it would
  // slow every start-up (sanitizer builds most).
  train::verify_training<Mnist, 1000>("784-50-10, chunk of 1000", xs.data(), labels.data(),
                                      train::kLearningRate / kMnistSamples, false);
  train::verify_training<Mnist, 100>("784-50-10, chunk of 100", xs.data(), labels.data(),
                                     train::kLearningRate / kMnistSamples, false);
}

void register_benchmarks() {
  add("blobs/2-4-3/epoch/fixnet", blobs_fixnet<1>);
  add("blobs/2-4-3/epoch/eigen", blobs_eigen<1>);
  add("blobs/2-4-3/epoch/reference", blobs_reference);
  // One iteration is the whole experiment: seconds, from a fresh network.
  add_slow("blobs/2-4-3/experiment_50000_epochs/fixnet", blobs_fixnet<kBlobsEpochs>)->Iterations(1);
  add_slow("blobs/2-4-3/experiment_50000_epochs/eigen", blobs_eigen<kBlobsEpochs>)->Iterations(1);

  const std::string epoch = "mnist/784-50-10/sgd_epoch_60000_batch_32";
  add_slow(epoch + "/fixnet", mnist_epoch_fixnet);
  add_slow(epoch + "/eigen", mnist_epoch_eigen);
  add_slow(epoch + "/reference", mnist_epoch_reference);
  add_two_threads(epoch + "_two_threads/fixnet", mnist_epoch_fixnet_two_threads<kMiniBatch>);
  add_two_threads(epoch + "_per_thread_two_threads/fixnet",
                  mnist_epoch_fixnet_two_threads<2 * kMiniBatch>);
  const std::string full = "mnist/784-50-10/full_batch_60000";
  add_slow(full + "_chunks_1000/fixnet", mnist_full_batch_fixnet<1000>);
  add_slow(full + "_chunks_1000/eigen", mnist_full_batch_eigen<1000>);
  add_slow(full + "_chunks_100/fixnet", mnist_full_batch_fixnet<100>);
  add_slow(full + "_chunks_100/eigen", mnist_full_batch_eigen<100>);
  add_two_threads(full + "_chunks_200_two_threads/fixnet", mnist_full_batch_fixnet_two_threads<200>);
  add_two_threads(full + "_chunks_1000_two_threads/fixnet",
                  mnist_full_batch_fixnet_two_threads<1000>);
  add_slow(full + "_chunks_1000/reference", mnist_full_batch_reference);
}

}  // namespace fixnet_bench
