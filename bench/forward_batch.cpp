// fixnet benchmarks — batched inference (issue 3, scenario 2): 784-50-10 at
// batch 8, 32, 64 and 128, against Eigen and fixnet's scalar reference on the
// same parameters.
#include "forward.hpp"

#include <fixnet/train/data_parallel.hpp>

namespace fixnet_bench {
namespace {

/// The batch split over two threads (fixnet::DataParallel); wall-clock time.
template <class Net, int B>
void batch_fixnet_two_threads(benchmark::State& state) {
  forward::Fixture<Net, B> f;
  fixnet::DataParallel<Net, B, 2> team;
  AlignedVector<std::array<float, Net::outputs>> ys(B);
  const std::span<const std::array<float, Net::inputs>, B> xs(f.xs.data(), B);
  forward::time_batches<Net, B>(state, [&] {
    team.forward(*f.net, xs, std::span<std::array<float, Net::outputs>, B>(ys.data(), B));
    benchmark::DoNotOptimize(ys.data());
  });
}

}  // namespace

void verify_baselines() { forward::verify_batches<Mnist, 8, 128>(); }

void register_benchmarks() {
  forward::register_batches<Mnist, 8, 32, 64, 128>();
  add("forward_batch/784-50-10/batch_128_two_threads/fixnet", batch_fixnet_two_threads<Mnist, 128>)->UseRealTime();
}

}  // namespace fixnet_bench
