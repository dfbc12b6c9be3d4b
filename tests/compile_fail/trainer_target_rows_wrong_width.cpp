// expect: fixnet: the data set's target rows differ in width from the network's output
//
// Training a network of one output on target rows of two values.
#include "fit_one_epoch.hpp"

using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Identity, 2, 8, 1>;

int main() {
#ifdef FIXNET_COMPILE_FAIL
  fixnet::data::RegressionDataset<float, 2, 2> data;
  data.add({0.f, 1.f}, {1.f, 2.f});
#else
  fixnet::data::RegressionDataset<float, 2, 1> data;
  data.add({0.f, 1.f}, {1.f});
#endif
  fit_one_epoch<Net, fixnet::MeanSquaredError>(data);
}
