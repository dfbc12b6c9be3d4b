// fixnet — evaluating a network over a data set: its mean loss and its
// classification metrics (accuracy, confusion) or regression metrics (RMSE,
// MAE), every sample counted exactly once.
//
//   auto ws = std::make_unique<fixnet::Workspace<Net, 500>>();
//   fixnet::Evaluation e = fixnet::evaluate(net, test, fixnet::CrossEntropy{}, *ws);
//   std::cout << "test loss " << e.loss << ", accuracy " << e.accuracy() << '\n'
//             << e.confusion;  // fixnet/train/metrics.hpp prints it
//
//   // regression (a RegressionDataset): e.rmse and e.mae instead
//   fixnet::Evaluation r = fixnet::evaluate<64>(net, targets, fixnet::SquaredError{});
#ifndef FIXNET_EVALUATE_HPP
#define FIXNET_EVALUATE_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "fixnet/train/checks.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/error.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/train/metrics.hpp"

namespace fixnet {

/// What `evaluate` measures.
struct Evaluation {
  /// Samples evaluated (the data set's size).
  std::size_t samples = 0;
  /// Summed loss over the samples, accumulated in double.
  double total_loss = 0;
  /// Mean loss per sample (total_loss / samples; 0 for no samples).
  double loss = 0;
  /// Classification: true classes against predictions (the largest
  /// output), over the network's outputs. Empty (0 classes) for regression.
  ConfusionMatrix confusion{0};
  /// Regression: root mean squared error and mean absolute error over every
  /// output of every sample (fixnet::RegressionErrors). NaN for
  /// classification.
  double rmse = std::nan("");
  double mae = std::nan("");

  /// Fraction classified correctly; NaN for regression.
  double accuracy() const noexcept {
    return confusion.classes() == 0 && samples > 0 ? std::nan("") : confusion.accuracy();
  }
  /// Whether the data set was a regression one (rmse and mae measured).
  bool regression() const noexcept { return !std::isnan(rmse); }
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

/// Whether a label fits a network of `NetOutputs` outputs: a class index
/// always (checked at run time), a target row when it is as wide.
template <std::size_t NetOutputs, class Label>
inline constexpr bool target_width_fits = [] {
  if constexpr (data::detail::is_target_row<Label>)
    return std::tuple_size_v<Label> == NetOutputs;
  else
    return true;
}();

template <std::size_t NetOutputs, class Label>
consteval bool check_target_width() {
  if constexpr (data::detail::is_target_row<Label>) {
    // Fix: make the data set's target rows as wide as the network's output
    // (RegressionDataset<T, Net::inputs, Net::outputs>).
    static_assert(std::tuple_size_v<Label> == NetOutputs,
                  "fixnet: the data set's target rows differ in width from the network's output");
  }
  return true;
}

/// Classification data must fit the network's outputs: the message for more
/// classes than outputs, naming the first sample whose class has no output
/// (`who`: the caller, `which`: the data set); empty when the data fits.
template <class Net, class Data>
std::string classes_beyond_outputs(const Data& data, const std::string& who,
                                   const std::string& which) {
  if constexpr (Data::classification) {
    if (data.classes() > Net::outputs)
      return who + ": the " + which + " has " + std::to_string(data.classes()) +
             " classes, but the network only " + std::to_string(Net::outputs) +
             " outputs: expected at most Net::outputs classes" +
             first_label_not_below(data, Net::outputs);
  }
  return {};
}

/// Where a data set's inputs first stop being finite.
struct NonFiniteInput {
  std::size_t sample = 0;
  std::size_t column = 0;
  double value = 0;
};

/// The first NaN or infinite input of `data` (sample by sample, column by
/// column), if any.
template <class Data>
std::optional<NonFiniteInput> first_non_finite_input(const Data& data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto& row = data.row(i);
    for (std::size_t c = 0; c < row.size(); ++c)
      if (!std::isfinite(row[c])) [[unlikely]]
        return NonFiniteInput{i, c, static_cast<double>(row[c])};
  }
  return std::nullopt;
}

/// "sample 37 holds inf at column 1" ("nan", never "-nan").
inline std::string describe(const NonFiniteInput& at) {
  const char* value = std::isnan(at.value) ? "nan" : at.value > 0 ? "inf" : "-inf";
  return "sample " + std::to_string(at.sample) + " holds " + value + " at column " +
         std::to_string(at.column);
}

/// Adds one sample's outputs to the metrics of `result`.
template <class Out, class Label>
void add_to_metrics(Evaluation& result, RegressionErrors& errors, const Out& y,
                    const Label& label) {
  if constexpr (data::detail::is_target_row<Label>)
    errors.add(y, label);
  else
    result.confusion.add(label, argmax(y));
}

/// Throws data::DataError if `data` has more classes than Net's outputs or
/// a non-finite input.
template <class Net, Scalar T, std::size_t Width, class Label>
void check_evaluation_data(const data::Dataset<T, Width, Label>& data) {
  if (std::string error = classes_beyond_outputs<Net>(data, "fixnet: evaluate", "data set");
      !error.empty())
    throw data::DataError(error);
  // A non-finite input gives a meaningless (or, through a clamp, a
  // plausible-looking) loss: refused by name rather than averaged in.
  if (const std::optional<NonFiniteInput> bad = first_non_finite_input(data))
    throw data::DataError("fixnet: evaluate: " + describe(*bad) +
                          ": expected finite inputs (look for NaN and infinity in the data)");
}

template <class Net, class L, Scalar T, std::size_t Width, class Label, class W>
Evaluation evaluate_batches(const Net& net, const data::Dataset<T, Width, Label>& data, L loss,
                            W& ws) {
  constexpr std::size_t B = W::batch_size;
  static_assert(std::is_same_v<W, typename Net::template workspace_type<B>>,
                "fixnet: evaluate: the workspace is not a fixnet::Workspace<Net, B> of this network");
  constexpr std::size_t outputs = Net::outputs;
  check_evaluation_data<Net>(data);
  using Out = std::array<typename Net::scalar_type, outputs>;

  Evaluation result;
  result.samples = data.size();
  if constexpr (data::Dataset<T, Width, Label>::classification)
    result.confusion = ConfusionMatrix(outputs);
  RegressionErrors errors;
  std::vector<Out> ys(B);
  const std::span<Out, B> ys_span(ys.data(), B);
  const auto batches = data.template batches<B>();
  for (const auto batch : batches) {
    result.total_loss +=
        static_cast<double>(net.forward_and_loss(batch.inputs, batch.labels, loss, ys_span, ws));
    for (std::size_t b = 0; b < B; ++b) add_to_metrics(result, errors, ys[b], batch.labels[b]);
  }
  const auto tail = batches.tail();
  for (std::size_t b = 0; b < tail.valid; ++b) {
    Out y;
    result.total_loss += static_cast<double>(net.forward_and_loss(tail.inputs[b], tail.labels[b], loss, y));
    add_to_metrics(result, errors, y, tail.labels[b]);
  }
  result.loss = result.samples == 0 ? 0.0 : result.total_loss / static_cast<double>(result.samples);
  if constexpr (!data::Dataset<T, Width, Label>::classification) {
    result.rmse = errors.rmse();
    result.mae = errors.mae();
  }
  return result;
}

}  // namespace detail

/// Runs `net` over every sample of `data` in batches of the workspace's size
/// B and returns the mean loss and, for class labels, the confusion matrix
/// and from it accuracy, precision and recall; for target rows (a
/// `RegressionDataset`), the RMSE and MAE. The whole batches go through one
/// batch pass each (`net.forward_and_loss`: outputs and loss together); the
/// data.size() % B samples after them go one by one, so that no sample is
/// counted twice or left out.
///
/// The inputs must be finite and the labels outputs of the network: throws
/// `data::DataError` naming the sample and column of the first NaN or
/// infinity, or if the data set has more classes than `Net::outputs`; target rows must be as
/// wide as the output (a compile error otherwise). Allocates one buffer of B
/// outputs.
template <class Net, Loss L, Scalar T, std::size_t Width, class Label, class W>
Evaluation evaluate(const Net& net, const data::Dataset<T, Width, Label>& data, L loss, W& ws) {
  static_assert(detail::check_dataset_width<Net::inputs, Width>());
  static_assert(detail::check_target_width<Net::outputs, Label>());
  // Guarded so that, once the check has failed, its message is the only error.
  if constexpr (Net::inputs == Width && detail::target_width_fits<Net::outputs, Label>)
    return detail::evaluate_batches(net, data, loss, ws);
  else
    return {};
}

template <class Net>
class Quantized;

/// A quantized network (fixnet/quantized.hpp) over every sample of `data`,
/// one at a time: the same metrics as above, the loss computed from each
/// output (`L::reference_value`, in double) since a quantized network has
/// no logits. The same checks of the data as above.
template <class Net, Loss L, Scalar T, std::size_t Width, class Label>
Evaluation evaluate(const Quantized<Net>& q, const data::Dataset<T, Width, Label>& data,
                    L /*loss*/) {
  static_assert(detail::check_dataset_width<Net::inputs, Width>());
  static_assert(detail::check_target_width<Net::outputs, Label>());
  detail::check_evaluation_data<Net>(data);
  constexpr std::size_t outputs = Net::outputs;
  Evaluation result;
  result.samples = data.size();
  if constexpr (data::Dataset<T, Width, Label>::classification)
    result.confusion = ConfusionMatrix(outputs);
  RegressionErrors errors;
  std::array<double, outputs> a{}, t{};
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto y = q.forward(data.row(i));
    const auto& label = data.label(i);
    for (std::size_t k = 0; k < outputs; ++k) {
      a[k] = y[k];
      if constexpr (data::detail::is_target_row<Label>)
        t[k] = static_cast<double>(label[k]);
      else
        t[k] = k == static_cast<std::size_t>(label) ? 1.0 : 0.0;
    }
    result.total_loss += L::reference_value(std::span<const double, outputs>(a),
                                            std::span<const double, outputs>(t));
    detail::add_to_metrics(result, errors, y, label);
  }
  result.loss = result.samples == 0 ? 0.0 : result.total_loss / static_cast<double>(result.samples);
  if constexpr (!data::Dataset<T, Width, Label>::classification) {
    result.rmse = errors.rmse();
    result.mae = errors.mae();
  }
  return result;
}

/// As above, with a workspace for batches of B allocated for the call.
template <std::size_t B, class Net, Loss L, Scalar T, std::size_t Width, class Label>
Evaluation evaluate(const Net& net, const data::Dataset<T, Width, Label>& data, L loss) {
  auto ws = std::make_unique<typename Net::template workspace_type<B>>();
  return evaluate(net, data, loss, *ws);
}

}  // namespace fixnet

#endif  // FIXNET_EVALUATE_HPP
