// fixnet benchmarks — one sample through a network (issue 3, scenario 1):
// 2-4-3 and 784-50-10, and a width sweep (16-16-16, 64-64-64, 256-256-10),
// each as throughput and as latency (see bench/forward.hpp), against Eigen
// and fixnet's scalar reference on the same parameters.
#include "forward.hpp"

namespace fixnet_bench {
namespace {

using fixnet::Sigmoid;
using fixnet::Softmax;

using Blobs = fixnet::Mlp<Sigmoid, Softmax, 2, 4, 3>;
using Sweep16 = fixnet::Mlp<Sigmoid, Softmax, 16, 16, 16>;
using Sweep64 = fixnet::Mlp<Sigmoid, Softmax, 64, 64, 64>;
using Sweep256 = fixnet::Mlp<Sigmoid, Softmax, 256, 256, 10>;
using Mnist = fixnet::Mlp<Sigmoid, Softmax, 784, 50, 10>;

}  // namespace

void verify_baselines() {
  forward::verify_one_sample<Blobs>();
  forward::verify_one_sample<Sweep16>();
  forward::verify_one_sample<Sweep64>();
  forward::verify_one_sample<Sweep256>();
  forward::verify_one_sample<Mnist>();
}

void register_benchmarks() {
  forward::register_one_sample<Blobs>();
  forward::register_one_sample<Sweep16>();
  forward::register_one_sample<Sweep64>();
  forward::register_one_sample<Sweep256>();
  forward::register_one_sample<Mnist>();
}

}  // namespace fixnet_bench
