// expect: constraints not satisfied
// expect-gcc: requires (TrainerOptimizer<Opt, Net>)
// expect-gcc: the required expression 'o.step(params, grads)' is invalid
// expect-clang: constraints not satisfied for class template 'Trainer'
//
// A Trainer of a float network with the optimiser of the double network of
// the same shape. Trainer's Opt is constrained by the concept
// fixnet::TrainerOptimizer<Opt, Net> (optimizers/stateful_optimizer.hpp): the compiler's own
// message names the concept and the step that does not fit; there is no
// `fixnet:` static_assert for this mistake (yet).
#include <fixnet/fixnet.hpp>

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 8, 3>;
using NetDouble = fixnet::BasicMlp<double, fixnet::Tanh, fixnet::Softmax, 2, 8, 3>;

int main() {
#ifdef FIXNET_COMPILE_FAIL
  fixnet::Trainer<Net, 1, fixnet::Adam<NetDouble>> trainer(
      {.epochs = 1, .progress = fixnet::ProgressStyle::off});
#else
  fixnet::Trainer<Net, 1, fixnet::Adam<Net>> trainer(
      {.epochs = 1, .progress = fixnet::ProgressStyle::off});
#endif
  (void)trainer;
}
