// fixnet — statically shaped neural networks, vectorised with Highway.
//
// The umbrella header: networks, initialisation, optimisers, the trainer
// and its history, data sets and their loaders (IDX/MNIST, CSV, synthetic),
// evaluation and metrics, model files. A program that only runs networks
// compiles faster with <fixnet/inference.hpp>. Opt-in extras keep their own
// headers: runtime dispatch (fixnet/dynamic_dispatch.hpp), data-parallel
// steps (fixnet/data_parallel.hpp), full-batch minimisers
// (fixnet/full_batch/), baking weights into a header (fixnet/io/bake.hpp).
//
//   #include <fixnet/fixnet.hpp>
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
//   Net net;
//   fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 42);
//   std::array<float, 3> y = net.forward(std::array<float, 2>{0.5f, -1.0f});
#ifndef FIXNET_FIXNET_HPP
#define FIXNET_FIXNET_HPP

#include "fixnet/callbacks.hpp"
#include "fixnet/checkpoint.hpp"
#include "fixnet/checks.hpp"
#include "fixnet/clipping.hpp"
#include "fixnet/data/blobs.hpp"
#include "fixnet/data/csv.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/idx.hpp"
#include "fixnet/data/mnist.hpp"
#include "fixnet/data/moons.hpp"
#include "fixnet/describe.hpp"
#include "fixnet/evaluate.hpp"
#include "fixnet/finite.hpp"
#include "fixnet/gradient_descent.hpp"
#include "fixnet/history.hpp"
#include "fixnet/init.hpp"
#include "fixnet/io/model_file.hpp"
#include "fixnet/optimizers/adam.hpp"
#include "fixnet/optimizers/any_optimizer.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/optimizers/rmsprop.hpp"
#include "fixnet/optimizers/sgd.hpp"
#include "fixnet/parameters.hpp"
#include "fixnet/progress.hpp"
#include "fixnet/regularization.hpp"
#include "fixnet/schedules.hpp"
#include "fixnet/standardization.hpp"
#include "fixnet/trainer.hpp"
#include "fixnet/version.hpp"

#endif  // FIXNET_FIXNET_HPP

// Outside the include guard: under hwy/foreach_target.h this header is
// re-included once per target, and the kernels must be too (the network's
// come with fixnet/inference.hpp, which holds the networks themselves).
#include "fixnet/inference.hpp"
#include "fixnet/kernels/optimizers-inl.hpp"
