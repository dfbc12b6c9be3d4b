// What the Trainer::fit cases share: a new network trained for one epoch on
// the data set that the case gets wrong, so that a case holds only that data
// set. Included with quotes, from beside the case (check.py compiles a case
// by its absolute path).
#pragma once

#include <fixnet/fixnet.hpp>

/// The 2-8-3 classifier that the data set cases train.
using Classifier = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 8, 3>;

/// Trains a new, initialised Net on `data` for one epoch of batches of 1,
/// with Sgd and Loss and no progress display: Trainer::fit's checks of the
/// data set against the network fail or pass here.
template <class Net, class Loss = fixnet::CrossEntropy, class Data>
void fit_one_epoch(const Data& data) {
  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 1);
  fixnet::Trainer<Net, 1, fixnet::Sgd<Net>, Loss> trainer(
      {.epochs = 1, .progress = fixnet::ProgressStyle::off});
  (void)trainer.fit(net, data);
}
