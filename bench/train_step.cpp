// fixnet benchmarks — one training step (issue 3, scenario 3): forward,
// backward and gradient-descent update, for one sample and a batch of 32,
// for 2-4-3 and 784-50-10, against Eigen and fixnet's scalar reference
// (see bench/train.hpp).
#include "train.hpp"

namespace fixnet_bench {
namespace {

using fixnet::Sigmoid;
using fixnet::Softmax;

using Blobs = fixnet::Mlp<Sigmoid, Softmax, 2, 4, 3>;
using Mnist = fixnet::Mlp<Sigmoid, Softmax, 784, 50, 10>;

}  // namespace

void verify_baselines() {
  train::verify_step<Blobs, 1>();
  train::verify_step<Blobs, 32>();
  train::verify_step<Mnist, 1>();
  train::verify_step<Mnist, 32>();
}

void register_benchmarks() {
  train::register_step<Blobs, 1>();
  train::register_step<Blobs, 32>();
  train::register_step<Mnist, 1>();
  train::register_step<Mnist, 32>();
}

}  // namespace fixnet_bench
