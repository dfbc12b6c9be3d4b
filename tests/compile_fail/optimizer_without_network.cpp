// expect: fixnet: an optimiser outside a Trainer names its network or parameter set: Adam<Net>
//
// `Adam<>` stands for the trainer's network only inside Trainer<Net, B,
// Adam<>>; an optimiser made on its own must name its model.
#include <fixnet/inference.hpp>
#include <fixnet/optimizers/adam.hpp>

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 8, 3>;

int main() {
#ifdef FIXNET_COMPILE_FAIL
  fixnet::Adam<> adam;
#else
  fixnet::Adam<Net> adam;
#endif
  (void)adam;
}
