// The mini-batch training of one MNIST example network at one batch size:
// compiled once per (network, batch size) pair, with EXAMPLE_NETWORK (a type
// of mnist_networks.hpp) and EXAMPLE_BATCH defined by examples/meson.build,
// so that no translation unit holds more than four Trainer types.
#include <cstddef>

#include "mnist_networks.hpp"
#include "mnist_train.hpp"

#if !defined(EXAMPLE_NETWORK) || !defined(EXAMPLE_BATCH)
#error "train_batch.cpp: define EXAMPLE_NETWORK and EXAMPLE_BATCH (see examples/meson.build)"
#endif

namespace examples::mnist {
template int train_with_batch<EXAMPLE_NETWORK, EXAMPLE_BATCH>(EXAMPLE_NETWORK& net,
                                                              const Data& data, const Options& o,
                                                              const Run& run, float lr);
}  // namespace examples::mnist
