// fixnet — statically shaped neural networks, vectorised with Highway.
//
// The umbrella header: everything a user needs.
//
//   #include <fixnet/fixnet.hpp>
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
//   Net net;
//   fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 42);
//   std::array<float, 3> y = net.forward(std::array<float, 2>{0.5f, -1.0f});
#ifndef FIXNET_FIXNET_HPP
#define FIXNET_FIXNET_HPP

#include "fixnet/activation.hpp"
#include "fixnet/activations/identity.hpp"
#include "fixnet/activations/leaky_relu.hpp"
#include "fixnet/activations/relu.hpp"
#include "fixnet/activations/sigmoid.hpp"
#include "fixnet/activations/softmax.hpp"
#include "fixnet/activations/tanh.hpp"
#include "fixnet/batch.hpp"
#include "fixnet/checks.hpp"
#include "fixnet/clipping.hpp"
#include "fixnet/config.hpp"
#include "fixnet/dense.hpp"
#include "fixnet/dropout.hpp"
#include "fixnet/finite.hpp"
#include "fixnet/gradient_descent.hpp"
#include "fixnet/init.hpp"
#include "fixnet/loss.hpp"
#include "fixnet/losses/binary_cross_entropy.hpp"
#include "fixnet/losses/cross_entropy.hpp"
#include "fixnet/losses/squared_error.hpp"
#include "fixnet/network.hpp"
#include "fixnet/optimizers/adam.hpp"
#include "fixnet/optimizers/any_optimizer.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/optimizers/rmsprop.hpp"
#include "fixnet/optimizers/sgd.hpp"
#include "fixnet/parameters.hpp"
#include "fixnet/regularization.hpp"
#include "fixnet/schedules.hpp"
#include "fixnet/simd.hpp"
#include "fixnet/workspace.hpp"

#endif  // FIXNET_FIXNET_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/kernels/network-inl.hpp"
#include "fixnet/kernels/optimizers-inl.hpp"
