// The network that many compile-fail cases use, and batches for it, so that
// a case holds only what it gets wrong. Included with quotes, from beside the
// case (check.py compiles a case by its absolute path).
#pragma once

#include <array>
#include <cstddef>

#include <fixnet/inference.hpp>

/// 2 inputs, 4 sigmoid units, 3 softmax outputs: the same type as
/// Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>.
using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

/// A batch of 4 rows of Width floats, and the workspace of a batch of 4.
template <std::size_t Width>
using Batch = std::array<std::array<float, Width>, 4>;
using BatchWorkspace = fixnet::Workspace<Net, 4>;
