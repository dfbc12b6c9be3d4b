// fixnet benchmarks — one sample through a network (issue 3, scenario 1):
// 2-4-3 and 784-50-10, and a width sweep (16-16-16, 64-64-64, 256-256-10),
// each as throughput and as latency (see bench/forward.hpp), against Eigen
// and fixnet's scalar reference on the same parameters.
#include "forward.hpp"

namespace fixnet_bench {
namespace {

using Sweep16 = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 16, 16, 16>;
using Sweep64 = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 64, 64, 64>;
using Sweep256 = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 256, 256, 10>;

/// The networks, in the order of their checks and benchmarks.
using Networks = forward::OneSample<Blobs, Sweep16, Sweep64, Sweep256, Mnist>;

}  // namespace

void verify_baselines() { Networks::verify(); }

void register_benchmarks() { Networks::add(); }

}  // namespace fixnet_bench
