// fixnet benchmarks — batched inference (issue 3, scenario 2): 784-50-10 at
// batch 8, 32, 64 and 128, against Eigen and fixnet's scalar reference on the
// same parameters.
#include "forward.hpp"

namespace fixnet_bench {
namespace {

using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

}  // namespace

void verify_baselines() {
  forward::verify_batch<Mnist, 8>();
  forward::verify_batch<Mnist, 128>();
}

void register_benchmarks() {
  forward::register_batch<Mnist, 8>();
  forward::register_batch<Mnist, 32>();
  forward::register_batch<Mnist, 64>();
  forward::register_batch<Mnist, 128>();
}

}  // namespace fixnet_bench
