// fixnet — statically shaped neural networks, vectorised with Highway.
//
// The umbrella header: networks, initialisation, optimisers, the trainer
// and its history, data sets and their loaders (IDX/MNIST, CSV, synthetic),
// evaluation and metrics, model files. A program that only runs networks
// compiles faster with <fixnet/inference.hpp>. Opt-in extras keep their own
// headers: runtime dispatch (fixnet/dispatch/dynamic_dispatch.hpp), data-parallel
// steps (fixnet/train/data_parallel.hpp), full-batch minimisers
// (fixnet/full_batch/), baking weights into a header (fixnet/io/bake.hpp),
// int8 inference (fixnet/quantized.hpp; its model files:
// fixnet/io/quantized_model_file.hpp).
//
//   #include <fixnet/fixnet.hpp>
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
//   Net net;
//   fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 42);
//   std::array<float, 3> y = net.forward(std::array<float, 2>{0.5f, -1.0f});
#ifndef FIXNET_FIXNET_HPP
#define FIXNET_FIXNET_HPP

#include "fixnet/train/callbacks.hpp"
#include "fixnet/train/checkpoint.hpp"
#include "fixnet/train/checks.hpp"
#include "fixnet/train/clipping.hpp"
#include "fixnet/data/blobs.hpp"
#include "fixnet/data/csv.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/idx.hpp"
#include "fixnet/data/mnist.hpp"
#include "fixnet/data/moons.hpp"
#include "fixnet/io/describe.hpp"
#include "fixnet/train/evaluate.hpp"
#include "fixnet/train/finite.hpp"
#include "fixnet/optimizers/gradient_descent.hpp"
#include "fixnet/train/history.hpp"
#include "fixnet/train/init.hpp"
#include "fixnet/io/model_file.hpp"
#include "fixnet/optimizers/adam.hpp"
#include "fixnet/optimizers/any_optimizer.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/optimizers/rmsprop.hpp"
#include "fixnet/optimizers/sgd.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/train/progress.hpp"
#include "fixnet/train/regularization.hpp"
#include "fixnet/train/schedules.hpp"
#include "fixnet/data/standardization.hpp"
#include "fixnet/train/trainer.hpp"
#include "fixnet/core/version.hpp"

#endif  // FIXNET_FIXNET_HPP

// Outside the include guard: under hwy/foreach_target.h this header is
// re-included once per target, and the kernels must be too (the network's
// come with fixnet/inference.hpp, which holds the networks themselves).
#include "fixnet/inference.hpp"
#include "fixnet/dispatch/target_kernels-inl.hpp"
