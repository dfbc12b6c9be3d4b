// fixnet — the compile-time checks behind every shape error.
//
// Each check is a consteval function template whose template parameters name
// what was expected and what was found, so that the compiler's first line,
//   In instantiation of 'consteval bool fixnet::detail::check_layer_chain()
//   [with long unsigned int LayerIndex = 1; long unsigned int ExpectedInputs = 4;
//    long unsigned int FoundInputs = 5]'
// is followed by the `fixnet:` sentence of the failed static_assert, which
// says what went wrong and, after a semicolon, how to fix it.
// tests/compile_fail/ holds one case per check.
#ifndef FIXNET_SHAPE_CHECKS_HPP
#define FIXNET_SHAPE_CHECKS_HPP

#include <cstddef>
#include <type_traits>

#include "fixnet/core/loss.hpp"

namespace fixnet::detail {

template <std::size_t LayerIndex, bool IsLayer>
consteval bool check_layer_protocol() {
  // Fix: list layer types (Dense<In, Out, Act>, Dropout<Width>, or your own
  // type that models fixnet::Layer, fixnet/core/layer.hpp).
  static_assert(IsLayer,
                "fixnet: a network's list holds layers (Dense, Dropout, or a type that models "
                "fixnet::Layer); this entry is not one");
  return true;
}

template <std::size_t LayerIndex, std::size_t Inputs, std::size_t Outputs>
consteval bool check_layer_width() {
  static_assert(Inputs > 0 && Outputs > 0,
                "fixnet: a layer has zero width (every layer needs In > 0 and Out > 0)");
  return true;
}

template <std::size_t LayerIndex, std::size_t ExpectedInputs, std::size_t FoundInputs>
consteval bool check_layer_chain() {
  static_assert(ExpectedInputs == FoundInputs,
                "fixnet: a layer's input width must equal the previous layer's output width; "
                "make this layer's In equal the previous layer's Out");
  return true;
}

template <std::size_t ExpectedInputs, std::size_t FoundInputs>
consteval bool check_input_extent() {
  static_assert(ExpectedInputs == FoundInputs,
                "fixnet: the input's extent does not match the network's input width; pass "
                "std::array<T, Net::inputs> or a span of that extent");
  return true;
}

template <class ExpectedScalar, class FoundScalar>
consteval bool check_input_scalar() {
  if constexpr (std::is_same_v<ExpectedScalar, float>)
    static_assert(std::is_same_v<ExpectedScalar, FoundScalar>,
                  "fixnet: the input's element type differs from the network's scalar type "
                  "(float); pass std::array<float, N> or std::span<const float, N>, or use a "
                  "double network (fixnet::BasicMlp<double, ...>)");
  else
    static_assert(std::is_same_v<ExpectedScalar, FoundScalar>,
                  "fixnet: the input's element type differs from the network's scalar type "
                  "(double); pass std::array<double, N> or std::span<const double, N>, or use "
                  "a float network (fixnet::Mlp<...>)");
  return true;
}

/// What forward, backward and loss accept as one sample's input, said when
/// they are given anything else (a std::vector, a pointer, a std::span of
/// dynamic extent, a C array).
template <class NetworkScalar, class FoundInput>
consteval bool check_input_row_type() {
  if constexpr (std::is_same_v<NetworkScalar, float>)
    static_assert(dependent_false<NetworkScalar, FoundInput>,
                  "fixnet: the input must be std::array<float, N> or std::span<const float, N> "
                  "(N = Net::inputs); from a pointer or a vector: "
                  "std::span<const float, N>(ptr, N)");
  else
    static_assert(dependent_false<NetworkScalar, FoundInput>,
                  "fixnet: the input must be std::array<double, N> or std::span<const double, N> "
                  "(N = Net::inputs); from a pointer or a vector: "
                  "std::span<const double, N>(ptr, N)");
  return true;
}

/// What backward and loss accept as one sample's target, said when they are
/// given anything else (a float label, a std::vector).
template <class NetworkScalar, class FoundTarget>
consteval bool check_target_type() {
  if constexpr (std::is_same_v<NetworkScalar, float>)
    static_assert(dependent_false<NetworkScalar, FoundTarget>,
                  "fixnet: the target must be a class index of an integer type (std::size_t, "
                  "int, ...; a float label: static_cast<std::size_t>(label)) or "
                  "std::array<float, N> / std::span<const float, N> (N = Net::outputs)");
  else
    static_assert(dependent_false<NetworkScalar, FoundTarget>,
                  "fixnet: the target must be a class index of an integer type (std::size_t, "
                  "int, ...; a float label: static_cast<std::size_t>(label)) or "
                  "std::array<double, N> / std::span<const double, N> (N = Net::outputs)");
  return true;
}

/// What the batch overloads accept, said when a batch's size is not part of
/// its type (a std::vector of rows, a std::span of dynamic extent).
template <class FoundBatch>
consteval bool check_batch_type() {
  static_assert(dependent_false<FoundBatch>,
                "fixnet: a batch's size must be part of its type: pass std::array<Row, B>, "
                "std::span<const Row, B> or fixnet::GatheredBatch<Row, B>, B the workspace's "
                "batch size; over a std::vector of rows: std::span<const Row, B>(rows.data(), B)");
  return true;
}

template <std::size_t ExpectedOutputs, std::size_t FoundOutputs>
consteval bool check_output_extent() {
  static_assert(ExpectedOutputs == FoundOutputs,
                "fixnet: the output buffer's extent does not match the network's output width; "
                "give each output row Net::outputs elements");
  return true;
}

template <std::size_t ExpectedOutputs, std::size_t FoundTargetExtent>
consteval bool check_target_extent() {
  static_assert(ExpectedOutputs == FoundTargetExtent,
                "fixnet: the target's extent does not match the network's output width; pass a row "
                "of Net::outputs values or a class index");
  return true;
}

template <std::size_t ExpectedWidth, std::size_t FoundWidth>
consteval bool check_batch_width() {
  static_assert(ExpectedWidth == FoundWidth,
                "fixnet: the batch's row width does not match the network's input width; each row "
                "needs Net::inputs elements");
  return true;
}

template <std::size_t ExpectedBatch, std::size_t FoundBatch>
consteval bool check_batch_size() {
  static_assert(ExpectedBatch == FoundBatch,
                "fixnet: the batch sizes of inputs, outputs, targets and workspace differ; give "
                "them all the same batch size B (Workspace<Net, B>)");
  return true;
}

template <std::size_t BatchSize>
consteval bool check_batch_not_empty() {
  static_assert(BatchSize > 0,
                "fixnet: a batch needs at least one sample; use a batch size of at least 1");
  return true;
}

template <std::size_t ExpectedCount, std::size_t FoundCount>
consteval bool check_parameter_count() {
  static_assert(ExpectedCount == FoundCount,
                "fixnet: the parameter span's extent does not match the network's parameter_count; "
                "give it Net::parameter_count elements");
  return true;
}

template <std::size_t ExpectedLayers, std::size_t FoundLayers>
consteval bool check_layer_count() {
  static_assert(ExpectedLayers == FoundLayers,
                "fixnet: cannot copy parameters between networks with different numbers of layers; "
                "copy only between networks with the same layers");
  return true;
}

template <std::size_t LayerIndex, std::size_t ExpectedInputs, std::size_t ExpectedOutputs,
          std::size_t FoundInputs, std::size_t FoundOutputs, bool ExpectedBias, bool FoundBias>
consteval bool check_same_layer_shape() {
  static_assert(
      ExpectedInputs == FoundInputs && ExpectedOutputs == FoundOutputs && ExpectedBias == FoundBias,
      "fixnet: cannot copy parameters between networks whose layers differ in shape; copy "
      "only between networks whose layers have the same widths and bias");
  return true;
}

template <std::size_t ExpectedInputs, std::size_t ExpectedOutputs, std::size_t FoundInputs,
          std::size_t FoundOutputs, bool ExpectedBias, bool FoundBias>
consteval bool check_same_dense_shape() {
  static_assert(
      ExpectedInputs == FoundInputs && ExpectedOutputs == FoundOutputs && ExpectedBias == FoundBias,
      "fixnet: cannot copy parameters between dense layers of different shapes; copy only "
      "between layers of the same widths and bias policy");
  return true;
}

template <std::size_t LayerIndex, bool HasActivation>
consteval bool check_last_layer_has_activation() {
  // Fix: end the network with a Dense layer; Dropout after the output layer
  // would only add noise to the loss.
  static_assert(HasActivation,
                "fixnet: a network cannot end with a Dropout layer (nor another layer without an "
                "output activation); end it with a Dense layer");
  return true;
}

template <std::size_t LayerIndex, std::size_t Outputs, bool IsSoftmax>
consteval bool check_softmax_output_width() {
  // A softmax of one value is always 1: the loss is always 0 and nothing is learnt.
  static_assert(!(IsSoftmax && Outputs == 1),
                "fixnet: a Softmax output layer of width 1 always outputs 1; for two classes use "
                "Dense<In, 1, Sigmoid> with BinaryCrossEntropy, or Dense<In, 2, Softmax>");
  return true;
}

template <std::size_t LayerIndex, std::size_t LayerCount>
consteval bool check_layer_index() {
  static_assert(LayerIndex < LayerCount,
                "fixnet: layer index out of range; layers are numbered 0 to Net::layer_count - 1");
  return true;
}

template <class Loss, class OutputActivation>
consteval bool check_loss_fits_output() {
  static_assert(loss_fits<Loss, OutputActivation>,
                "fixnet: this loss does not fit the network's output activation; CrossEntropy "
                "needs a Softmax output, BinaryCrossEntropy a Sigmoid one; if you mean it, pass "
                "fixnet::AllowAnyOutput<Loss>{}");
  return true;
}

}  // namespace fixnet::detail

#endif  // FIXNET_SHAPE_CHECKS_HPP
