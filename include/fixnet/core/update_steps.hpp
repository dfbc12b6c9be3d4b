// fixnet — what each optimiser step hands its kernel: the step's scalars
// (learning rate, bias corrections, flags), computed once per step outside
// the kernel (fixnet/kernels/sgd-inl.hpp, rmsprop-inl.hpp, adam-inl.hpp).
#ifndef FIXNET_CORE_UPDATE_STEPS_HPP
#define FIXNET_CORE_UPDATE_STEPS_HPP

#include "fixnet/core/config.hpp"

namespace fixnet::detail {

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

#endif  // FIXNET_CORE_UPDATE_STEPS_HPP
