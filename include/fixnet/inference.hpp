// fixnet — the light header for programs that only run networks.
//
//   #include <fixnet/inference.hpp>
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
//   constexpr Net net{parameters};  // or fixnet::load from <fixnet/io/model_file.hpp>
//   std::array<float, 3> y = net.forward(std::array<float, 2>{0.5f, -1.0f});
//
// Networks, their activations and losses, forward and backward passes and
// the argmax of an output; no trainer, data sets, optimisers or files, and
// none of their dependencies (threads, zlib, JSON, Boost.Random), so that a
// translation unit that runs a network compiles quickly. Everything else is
// in <fixnet/fixnet.hpp>.
#ifndef FIXNET_INFERENCE_HPP
#define FIXNET_INFERENCE_HPP

#include "fixnet/core/activation.hpp"
#include "fixnet/core/batch.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/core/simd.hpp"
#include "fixnet/core/workspace.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/train/metrics.hpp"

#endif  // FIXNET_INFERENCE_HPP

// Outside the include guard: under hwy/foreach_target.h this header is
// re-included once per target, and so must be every header below, each of
// which brings its kernels (the activations' and losses' with them, the
// layers' passes, the network walk).
#include "fixnet/activations/identity.hpp"
#include "fixnet/activations/leaky_relu.hpp"
#include "fixnet/activations/relu.hpp"
#include "fixnet/activations/sigmoid.hpp"
#include "fixnet/activations/softmax.hpp"
#include "fixnet/activations/tanh.hpp"
#include "fixnet/layers/dense.hpp"
#include "fixnet/layers/dropout.hpp"
#include "fixnet/losses/binary_cross_entropy.hpp"
#include "fixnet/losses/cross_entropy.hpp"
#include "fixnet/losses/squared_error.hpp"
#include "fixnet/network.hpp"
