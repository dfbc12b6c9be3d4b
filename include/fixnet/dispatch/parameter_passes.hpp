// fixnet — the interface between the training passes over parameter sets
// (optimiser steps, L2 regularisation, gradient norms, finiteness checks) and
// their Highway kernels: the scalars each step hands its kernel, and the
// bridge to the kernels of the static target.
//
// `StaticOptimizerKernels` is only declared here, like
// `fixnet::detail::StaticKernels` (fixnet/dispatch/static_dispatch.hpp): it is defined
// by fixnet/kernels/optimizers-inl.hpp in the pass that compiles the kernels
// for HWY_STATIC_TARGET, so that a translation unit using
// hwy/foreach_target.h still gets exactly one definition. The optimisers name
// it with a dependent template argument, so it only has to be complete where
// their members are instantiated.
#ifndef FIXNET_OPTIMIZERS_STATIC_DISPATCH_HPP
#define FIXNET_OPTIMIZERS_STATIC_DISPATCH_HPP

#include <cstddef>

#include "fixnet/core/config.hpp"

namespace fixnet::detail {

template <class Dependent>
struct StaticOptimizerKernels;

/// The parameter set of a model: `Net::parameters_type` for a network, the
/// type itself for a `ParameterSet`.
template <class Model>
struct parameters_of {
  using type = Model;
};
template <class Model>
  requires requires { typename Model::parameters_type; }
struct parameters_of<Model> {
  using type = typename Model::parameters_type;
};
template <class Model>
using parameters_of_t = typename parameters_of<Model>::type;

/// The parameter set of a model: `net.parameters()`, or the set itself.
template <class Model>
constexpr auto& parameters_ref(Model& model) noexcept {
  if constexpr (requires { model.parameters(); }) {
    return model.parameters();
  } else {
    return model;
  }
}

/// Number of leading stored values of a layer block that are weights (padding
/// of the weight rows included): its `bias_offset` (for `Dense`,
/// Out * row_stride, whole 64-byte lines), or the whole block for a block that
/// does not set biases apart. The rest, [weight_storage_size, storage_size),
/// is the bias row and its padding.
template <class Block>
inline constexpr std::size_t weight_storage_size = [] {
  if constexpr (requires { Block::bias_offset; }) {
    return std::size_t{Block::bias_offset};
  } else {
    return std::size_t{Block::storage_size};
  }
}();

/// One SGD step, for the kernel (fixnet/kernels/sgd-inl.hpp).
template <Scalar T>
struct SgdStep {
  T lr;
  T momentum;
  /// 1 - dampening, or 1 on the first step: PyTorch starts the buffer at g.
  T gradient_scale;
  T weight_decay;
  bool nesterov;
  bool decay_biases;
};

/// One RMSProp step (fixnet/kernels/rmsprop-inl.hpp).
template <Scalar T>
struct RmsPropStep {
  T lr;
  T alpha;
  T eps;
  T weight_decay;
  T momentum;
  bool centered;
  bool decay_biases;
};

/// One Adam step (fixnet/kernels/adam-inl.hpp), bias corrections included.
template <Scalar T>
struct AdamStep {
  /// lr / (1 - beta1^t).
  T step_size;
  /// sqrt(1 - beta2^t).
  T bias_correction2_sqrt;
  T beta1;
  T beta2;
  T eps;
  T weight_decay;
  /// 1 - lr * weight_decay: the decoupled (AdamW) shrink factor.
  T decay_factor;
  bool amsgrad;
  bool decoupled_weight_decay;
  bool decay_biases;
};

}  // namespace fixnet::detail

#endif  // FIXNET_OPTIMIZERS_STATIC_DISPATCH_HPP
