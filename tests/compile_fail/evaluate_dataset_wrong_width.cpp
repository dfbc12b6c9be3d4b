// expect: fixnet: evaluate: the data set's row width differs from the network's input width
// expect-gcc: NetInputs = 2
// expect-gcc: DatasetWidth = 3
//
// Evaluating a 2-input network on rows of 3 values.
#include <fixnet/train/evaluate.hpp>
#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

int main() {
  Net net;
#ifdef FIXNET_COMPILE_FAIL
  const fixnet::data::Dataset<float, 3> data(3);
#else
  const fixnet::data::Dataset<float, 2> data(3);
#endif
  (void)fixnet::evaluate<8>(net, data, fixnet::CrossEntropy{});
}
