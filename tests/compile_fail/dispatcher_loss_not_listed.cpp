// expect: fixnet: this Dispatcher was not compiled for this loss; list it in
// expect: list it in FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...)
// expect-gcc: L = fixnet::MeanSquaredError
//
// Only the losses listed in the macro are compiled for every target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE __BASE_FILE__  // this file; a program writes its own name
#include <hwy/foreach_target.h>
#include <fixnet/dispatch/dynamic_dispatch.hpp>
#include <fixnet/inference.hpp>

using Blobs = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, 2, fixnet::CrossEntropy);

#if HWY_ONCE
#include <array>

float train(const Blobs& net, fixnet::Gradients<Blobs>& grads, fixnet::Workspace<Blobs, 2>& ws) {
  const std::array<std::array<float, 2>, 2> xs{};
  const std::array<std::array<float, 3>, 2> targets{};
#ifdef FIXNET_COMPILE_FAIL
  return blobs_dispatcher().backward(net, xs, targets, fixnet::MeanSquaredError{}, grads, ws);
#else
  return blobs_dispatcher().backward(net, xs, targets, fixnet::CrossEntropy{}, grads, ws);
#endif
}
#endif
