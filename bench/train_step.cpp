// fixnet benchmarks — one training step: forward, backward and
// gradient-descent update, for one sample and a batch of 32, and an Adam
// step on one sample, for 2-4-3 and 784-50-10, against Eigen and fixnet's
// scalar reference (see bench/train.hpp).
#include "train.hpp"

namespace fixnet_bench {

void verify_baselines() {
  train::verify_steps<Blobs, 1, 32>();
  train::verify_steps<Mnist, 1, 32>();
  train::verify_adam_step<Blobs>();
  train::verify_adam_step<Mnist>();
}

void register_benchmarks() {
  train::register_steps<Blobs, 1, 32>();
  train::register_steps<Mnist, 1, 32>();
  train::register_adam_step<Blobs>();
  train::register_adam_step<Mnist>();
}

}  // namespace fixnet_bench
