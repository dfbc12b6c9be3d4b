// expect: fixnet: GradientDescent<T>::step: T differs from the network's scalar type
//
// A double step on a float network.
#include <fixnet/fixnet.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

void update(Net& net, const fixnet::Gradients<Net>& grads) {
#ifdef FIXNET_COMPILE_FAIL
  const fixnet::GradientDescent<double> sgd{0.1};
#else
  const fixnet::GradientDescent<float> sgd{0.1f};
#endif
  sgd.step(net, grads);
}
