// fixnet — the compile-time checks behind every shape error.
//
// Each check is a consteval function template whose template parameters name
// what was expected and what was found, so that the compiler's first line,
//   In instantiation of 'consteval bool fixnet::detail::check_layer_chain()
//   [with long unsigned int LayerIndex = 1; long unsigned int ExpectedInputs = 4;
//    long unsigned int FoundInputs = 5]'
// is followed by the `fixnet:` sentence of the failed static_assert. The
// comment beside each assertion says how to fix it; users see it in the
// compiler's code excerpt. tests/compile_fail/ holds one case per check.
#ifndef FIXNET_SHAPE_CHECKS_HPP
#define FIXNET_SHAPE_CHECKS_HPP

#include <cstddef>
#include <type_traits>

#include "fixnet/loss.hpp"

namespace fixnet::detail {

/// Always false, but dependent on its arguments: the condition of a
/// static_assert in a specialisation that is an error as soon as it is used.
template <class...>
inline constexpr bool dependent_false = false;

template <std::size_t LayerIndex, std::size_t Inputs, std::size_t Outputs>
consteval bool check_layer_width() {
  // Fix: give every Dense<In, Out, ...> at least one input and one output.
  static_assert(Inputs > 0 && Outputs > 0,
                "fixnet: a layer has zero width (every layer needs In > 0 and Out > 0)");
  return true;
}

template <std::size_t LayerIndex, std::size_t ExpectedInputs, std::size_t FoundInputs>
consteval bool check_layer_chain() {
  // Fix: make this layer's In equal the previous layer's Out.
  static_assert(ExpectedInputs == FoundInputs,
                "fixnet: a layer's input width must equal the previous layer's output width");
  return true;
}

template <std::size_t ExpectedInputs, std::size_t FoundInputs>
consteval bool check_input_extent() {
  // Fix: pass std::array<T, Net::inputs> (or a span of that extent).
  static_assert(ExpectedInputs == FoundInputs,
                "fixnet: the input's extent does not match the network's input width");
  return true;
}

template <class ExpectedScalar, class FoundScalar>
consteval bool check_input_scalar() {
  // Fix: convert the input to the network's scalar_type, or use a network of
  // the input's type (fixnet::BasicMlp<double, ...>).
  static_assert(std::is_same_v<ExpectedScalar, FoundScalar>,
                "fixnet: the input's element type differs from the network's scalar type");
  return true;
}

template <std::size_t ExpectedOutputs, std::size_t FoundOutputs>
consteval bool check_output_extent() {
  // Fix: give the output buffer Net::outputs elements.
  static_assert(ExpectedOutputs == FoundOutputs,
                "fixnet: the output buffer's extent does not match the network's output width");
  return true;
}

template <std::size_t ExpectedOutputs, std::size_t FoundTargetExtent>
consteval bool check_target_extent() {
  // Fix: pass std::array<T, Net::outputs> as the target, or a class index.
  static_assert(ExpectedOutputs == FoundTargetExtent,
                "fixnet: the target's extent does not match the network's output width");
  return true;
}

template <std::size_t ExpectedWidth, std::size_t FoundWidth>
consteval bool check_batch_width() {
  // Fix: each row of the batch must have Net::inputs elements.
  static_assert(ExpectedWidth == FoundWidth,
                "fixnet: the batch's row width does not match the network's input width");
  return true;
}

template <std::size_t ExpectedBatch, std::size_t FoundBatch>
consteval bool check_batch_size() {
  // Fix: inputs, outputs, targets and workspace must all have the same batch size.
  static_assert(ExpectedBatch == FoundBatch,
                "fixnet: the batch sizes of inputs, outputs, targets and workspace differ");
  return true;
}

template <std::size_t BatchSize>
consteval bool check_batch_not_empty() {
  // Fix: use a batch size of at least 1.
  static_assert(BatchSize > 0, "fixnet: a batch needs at least one sample");
  return true;
}

template <std::size_t ExpectedCount, std::size_t FoundCount>
consteval bool check_parameter_count() {
  // Fix: the span must have Net::parameter_count elements.
  static_assert(ExpectedCount == FoundCount,
                "fixnet: the parameter span's extent does not match the network's parameter_count");
  return true;
}

template <std::size_t ExpectedLayers, std::size_t FoundLayers>
consteval bool check_layer_count() {
  // Fix: copy only between networks with the same layers.
  static_assert(ExpectedLayers == FoundLayers,
                "fixnet: cannot copy parameters between networks with different numbers of layers");
  return true;
}

template <std::size_t LayerIndex, std::size_t ExpectedInputs, std::size_t ExpectedOutputs,
          std::size_t FoundInputs, std::size_t FoundOutputs, bool ExpectedBias, bool FoundBias>
consteval bool check_same_layer_shape() {
  // Fix: copy only between networks whose layers have the same widths and bias.
  static_assert(ExpectedInputs == FoundInputs && ExpectedOutputs == FoundOutputs &&
                    ExpectedBias == FoundBias,
                "fixnet: cannot copy parameters between networks whose layers differ in shape");
  return true;
}

template <std::size_t ExpectedInputs, std::size_t ExpectedOutputs, std::size_t FoundInputs,
          std::size_t FoundOutputs, bool ExpectedBias, bool FoundBias>
consteval bool check_same_dense_shape() {
  // Fix: copy only between layers of the same widths and bias policy (a
  // layer's parameters do not know its index; BasicNetwork::assign names it).
  static_assert(ExpectedInputs == FoundInputs && ExpectedOutputs == FoundOutputs &&
                    ExpectedBias == FoundBias,
                "fixnet: cannot copy parameters between dense layers of different shapes");
  return true;
}

template <std::size_t LayerIndex, bool IsDropout>
consteval bool check_last_layer_has_parameters() {
  // Fix: end the network with a Dense layer; dropout after the output layer
  // would only add noise to the loss.
  static_assert(!IsDropout, "fixnet: a network cannot end with a Dropout layer");
  return true;
}

template <std::size_t LayerIndex, std::size_t LayerCount>
consteval bool check_layer_index() {
  // Fix: layers are numbered from 0 to Net::layer_count - 1.
  static_assert(LayerIndex < LayerCount, "fixnet: layer index out of range");
  return true;
}

template <class Loss, class OutputActivation>
consteval bool check_loss_fits_output() {
  // Fix: CrossEntropy needs a Softmax output and BinaryCrossEntropy a Sigmoid
  // one; squared errors fit any output. If you mean it, pass
  // fixnet::AllowAnyOutput<Loss>{}.
  static_assert(loss_fits<Loss, OutputActivation>,
                "fixnet: this loss does not fit the network's output activation");
  return true;
}

}  // namespace fixnet::detail

#endif  // FIXNET_SHAPE_CHECKS_HPP
