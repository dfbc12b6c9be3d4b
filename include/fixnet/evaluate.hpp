// fixnet — evaluating a network over a data set: its mean loss and its
// classification metrics, every sample counted exactly once.
//
//   auto ws = std::make_unique<fixnet::Workspace<Net, 500>>();
//   fixnet::Evaluation e = fixnet::evaluate(net, test, fixnet::CrossEntropy{}, *ws);
//   std::cout << "test loss " << e.loss << ", accuracy " << e.accuracy() << '\n'
//             << e.confusion;  // fixnet/metrics.hpp prints it
#ifndef FIXNET_EVALUATE_HPP
#define FIXNET_EVALUATE_HPP

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "fixnet/checks.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/error.hpp"
#include "fixnet/loss.hpp"
#include "fixnet/metrics.hpp"

namespace fixnet {

/// What `evaluate` measures.
struct Evaluation {
  /// Samples evaluated (the data set's size).
  std::size_t samples = 0;
  /// Summed loss over the samples, accumulated in double.
  double total_loss = 0;
  /// Mean loss per sample (total_loss / samples; 0 for no samples).
  double loss = 0;
  /// True classes against predictions (the largest output), over the
  /// network's outputs.
  ConfusionMatrix confusion{0};

  double accuracy() const noexcept { return confusion.accuracy(); }
};

namespace detail {

template <std::size_t NetInputs, std::size_t DatasetWidth>
consteval bool check_dataset_width() {
  // Fix: load the data for this network (load_idx<Net>, load_mnist<Net>) or
  // use a network whose first layer takes the data set's width.
  static_assert(NetInputs == DatasetWidth,
                "fixnet: evaluate: the data set's row width differs from the network's input width");
  return true;
}

template <class Net, class L, Scalar T, std::size_t Width, class W>
Evaluation evaluate_batches(const Net& net, const data::Dataset<T, Width>& data, L loss, W& ws) {
  constexpr std::size_t B = W::batch_size;
  static_assert(std::is_same_v<W, typename Net::template workspace_type<B>>,
                "fixnet: evaluate: the workspace is not a fixnet::Workspace<Net, B> of this network");
  constexpr std::size_t outputs = Net::outputs;
  if (data.classes() > outputs)
    throw data::DataError("fixnet: evaluate: the data set has " + std::to_string(data.classes()) +
                          " classes, but the network only " + std::to_string(outputs) +
                          " outputs: expected at most Net::outputs classes" +
                          detail::first_label_not_below(data, outputs));
  using Out = std::array<typename Net::scalar_type, outputs>;

  Evaluation result;
  result.samples = data.size();
  result.confusion = ConfusionMatrix(outputs);
  std::vector<Out> ys(B);
  const std::span<Out, B> ys_span(ys.data(), B);
  const auto batches = data.template batches<B>();
  for (const auto batch : batches) {
    net.forward(batch.inputs, ys_span, ws);
    result.total_loss += static_cast<double>(net.loss(batch.inputs, batch.labels, loss, ws));
    for (std::size_t b = 0; b < B; ++b) result.confusion.add(batch.labels[b], argmax(ys[b]));
  }
  const auto tail = batches.tail();
  for (std::size_t b = 0; b < tail.valid; ++b) {
    const Out y = net.forward(tail.inputs[b]);
    result.total_loss += static_cast<double>(net.loss(tail.inputs[b], tail.labels[b], loss));
    result.confusion.add(tail.labels[b], argmax(y));
  }
  result.loss = result.samples == 0 ? 0.0 : result.total_loss / static_cast<double>(result.samples);
  return result;
}

}  // namespace detail

/// Runs `net` over every sample of `data` in batches of the workspace's size
/// B and returns the mean loss, the confusion matrix and from it accuracy,
/// precision and recall. The whole batches go through the batch forward pass
/// (`net.forward(xs, ys, ws)`, then `net.loss` for the loss: evaluation runs
/// the forward pass twice, to keep to the network's public interface); the
/// data.size() % B samples after them go one by one, so that no sample is
/// counted twice or left out.
///
/// The labels must be outputs of the network: throws `data::DataError` if
/// the data set has more classes than `Net::outputs`. Allocates one buffer of
/// B outputs.
template <class Net, Loss L, Scalar T, std::size_t Width, class W>
Evaluation evaluate(const Net& net, const data::Dataset<T, Width>& data, L loss, W& ws) {
  static_assert(detail::check_dataset_width<Net::inputs, Width>());
  // Guarded so that, once the check has failed, its message is the only error.
  if constexpr (Net::inputs == Width)
    return detail::evaluate_batches(net, data, loss, ws);
  else
    return {};
}

/// As above, with a workspace for batches of B allocated for the call.
template <std::size_t B, class Net, Loss L, Scalar T, std::size_t Width>
Evaluation evaluate(const Net& net, const data::Dataset<T, Width>& data, L loss) {
  auto ws = std::make_unique<typename Net::template workspace_type<B>>();
  return evaluate(net, data, loss, *ws);
}

}  // namespace fixnet

#endif  // FIXNET_EVALUATE_HPP
