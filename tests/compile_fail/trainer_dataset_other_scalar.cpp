// expect: fixnet: Trainer::fit: the data set's scalar type differs from the network's
// expect-gcc: NetScalar = float
// expect-gcc: DataScalar = double
//
// Training a float network on a data set of doubles.
#include <fixnet/fixnet.hpp>

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 8, 3>;

int main() {
  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 1);
#ifdef FIXNET_COMPILE_FAIL
  fixnet::data::Dataset<double, 2> data(3);
  data.add({0.0, 1.0}, 1);
#else
  fixnet::data::Dataset<float, 2> data(3);
  data.add({0.f, 1.f}, 1);
#endif
  fixnet::Trainer<Net, 1, fixnet::Sgd<Net>> trainer(
      {.epochs = 1, .progress = fixnet::ProgressStyle::off});
  (void)trainer.fit(net, data);
}
