// fixnet — a network's cost over a whole data set as a function of its flat
// parameter vector, with its gradient: what full-batch minimisers
// (fixnet/train/full_batch/conjugate_gradient.hpp, fixnet/train/full_batch/lbfgs.hpp, or
// any other) minimise.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 784, 8, 3>;
//   fixnet::Objective<Net, fixnet::BinaryCrossEntropy> cost(train, {}, fixnet::L2<float>{1.0f});
//   std::array<float, Net::parameter_count> theta, gradient;
//   net.get_parameters(theta);
//   double j = cost(theta, gradient);  // J(theta), and grad J(theta) in canonical order
#ifndef FIXNET_OBJECTIVE_HPP
#define FIXNET_OBJECTIVE_HPP

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "fixnet/train/checks.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/core/loss.hpp"
#include "fixnet/network.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/train/regularization.hpp"

namespace fixnet {

namespace detail {

template <std::size_t Chunk>
consteval bool check_chunk_size() {
  // Fix: use 64, 128, 256 (the default), 512, ...
  static_assert(Chunk > 0 && std::has_single_bit(Chunk),
                "fixnet: Objective<Net, Loss, Chunk>: the chunk size must be a power of two (the "
                "samples after the last whole chunk go through chunks of the smaller powers)");
  return true;
}

template <class NetScalar, std::size_t NetInputs, class DataScalar, std::size_t DataWidth>
consteval bool check_objective_data() {
  // Fix: load the data for this network (load_mnist<Net>, load_idx<Net>).
  static_assert(std::is_same_v<NetScalar, DataScalar>,
                "fixnet: Objective: the data set's scalar type differs from the network's");
  static_assert(NetInputs == DataWidth,
                "fixnet: Objective: the data set's row width differs from the network's input width");
  return true;
}

}  // namespace detail

/// The cost of network type `Net` with loss `L` over a data set, as a
/// function of the flat parameter vector theta (canonical order, see
/// `Net::get_parameters`), with L2 regularisation by the convention of the
/// galaxy-style reference (scipy's `fmin_cg` on Andrew Ng's `nnCostFunction`):
///
///     J(theta) = (1/m) sum_i loss(net_theta(x_i), t_i) + lambda / (2m) sum_w w^2
///     grad J   = (1/m) sum_i grad loss_i                + (lambda/m) w
///
/// over the m samples of the data set, with the targets the one-hot rows of
/// the labels (class indices); `loss` sums over the outputs (binary
/// cross-entropy: one term per sigmoid output). The penalty covers the
/// weights only, as the reference's, which skips the bias column; set
/// `l2.include_biases` to penalise biases too. lambda is per data set, not
/// per sample: the same lambda weighs less on more data. `L2{0}` (the
/// default) is the plain mean loss.
///
/// Evaluation: the parameters are set into a network the objective owns; the
/// data go through `net.backward` (or `net.loss`, for `value`) in chunks of
/// `Chunk` samples in stored order, and the m % Chunk samples after the last
/// whole chunk through one chunk of each smaller power of two that they
/// fill, so that every sample counts exactly once and the result does not
/// depend on Chunk beyond rounding. Chunk losses are summed in double;
/// gradients accumulate in the network's scalar type. Workspaces for every
/// chunk size, the network and the gradient set live on the heap, allocated
/// by the constructor; an evaluation allocates nothing.
///
/// Holds a pointer to the data set, which must outlive the objective (a
/// temporary is refused at compile time). Not for two threads at once.
template <class Net, Loss L, std::size_t Chunk = 256>
class Objective {
  static_assert(detail::check_chunk_size<Chunk>());

 public:
  using network_type = Net;
  using loss_type = L;
  using scalar_type = typename Net::scalar_type;
  using dataset_type = data::Dataset<scalar_type, Net::inputs>;
  static constexpr std::size_t parameter_count = Net::parameter_count;
  static constexpr std::size_t chunk_size = Chunk;

  /// The objective over `data` (at least one sample, labels below
  /// `Net::outputs`, else std::invalid_argument) with `loss` and L2 `l2`
  /// (lambda >= 0 and finite, else std::invalid_argument).
  template <Scalar U, std::size_t Width>
  explicit Objective(const data::Dataset<U, Width>& data, L loss = {}, L2<scalar_type> l2 = {scalar_type(0)})
      : data_(checked(data)), loss_(loss), l2_(l2) {
    if (data.empty())
      throw std::invalid_argument("fixnet::Objective: expected a data set with samples, got an empty one");
    if (data.classes() > Net::outputs)
      throw std::invalid_argument("fixnet::Objective: the data set has " + std::to_string(data.classes()) +
                                  " classes, but the network only " + std::to_string(Net::outputs) +
                                  " outputs: expected at most Net::outputs classes" +
                                  detail::first_label_not_below(data, Net::outputs));
    if (!(l2.lambda >= 0) || !std::isfinite(static_cast<double>(l2.lambda)))
      throw std::invalid_argument("fixnet::Objective: expected an L2 lambda >= 0, got " +
                                  std::to_string(static_cast<double>(l2.lambda)));
  }
  // The objective keeps a pointer to the data: a temporary would dangle.
  template <Scalar U, std::size_t Width>
  Objective(data::Dataset<U, Width>&&, L = {}, L2<scalar_type> = {scalar_type(0)}) {
    // Fix: keep the data set in a variable that outlives the objective.
    static_assert(detail::dependent_false<U>,
                  "fixnet: Objective: the data set is a temporary that dies before the objective is "
                  "used; keep it in a variable");
  }

  /// J(theta); writes grad J(theta) into `gradient`. Both in canonical order.
  /// A non-finite J is returned as is (a minimiser's line search treats it
  /// as a step too long).
  double operator()(std::span<const scalar_type, parameter_count> theta,
                    std::span<scalar_type, parameter_count> gradient) {
    ++evaluations_;
    net_->set_parameters(theta);
    grads_->zero();
    double total = 0;
    for_each_chunk([&](const auto& xs, const auto& labels, auto& ws) {
      total += static_cast<double>(net_->backward(xs, labels, loss_, *grads_, ws));
    });
    const auto m = static_cast<scalar_type>(samples());
    grads_->scale(scalar_type(1) / m);
    const L2<scalar_type> per_sample = scaled_l2();
    per_sample.add_gradient(*net_, *grads_);
    grads_->get_parameters(gradient);
    return total / static_cast<double>(samples()) + static_cast<double>(per_sample.penalty(*net_));
  }
  double operator()(const std::array<scalar_type, parameter_count>& theta,
                    std::array<scalar_type, parameter_count>& gradient) {
    return (*this)(std::span<const scalar_type, parameter_count>(theta),
                   std::span<scalar_type, parameter_count>(gradient));
  }

  /// J(theta) alone: a forward pass per chunk, no backpropagation.
  double value(std::span<const scalar_type, parameter_count> theta) {
    ++evaluations_;
    net_->set_parameters(theta);
    double total = 0;
    for_each_chunk([&](const auto& xs, const auto& labels, auto& ws) {
      total += static_cast<double>(net_->loss(xs, labels, loss_, ws));
    });
    return total / static_cast<double>(samples()) + static_cast<double>(scaled_l2().penalty(*net_));
  }
  double value(const std::array<scalar_type, parameter_count>& theta) {
    return value(std::span<const scalar_type, parameter_count>(theta));
  }

  /// The L2 term of J alone, lambda / (2m) sum_w w^2 (no pass over the data).
  double penalty(std::span<const scalar_type, parameter_count> theta) {
    net_->set_parameters(theta);
    return static_cast<double>(scaled_l2().penalty(*net_));
  }
  double penalty(const std::array<scalar_type, parameter_count>& theta) {
    return penalty(std::span<const scalar_type, parameter_count>(theta));
  }

  /// m, the number of samples.
  std::size_t samples() const noexcept { return data_->size(); }
  /// The regularisation, as given (lambda per data set).
  const L2<scalar_type>& regularization() const noexcept { return l2_; }
  /// Evaluations so far (`operator()` and `value`).
  std::size_t evaluations() const noexcept { return evaluations_; }
  /// The network with the parameters of the last evaluation.
  const Net& network() const noexcept { return *net_; }

 private:
  // Chunk sizes Chunk, Chunk/2, ..., 1.
  static constexpr std::size_t size_count = static_cast<std::size_t>(std::countr_zero(Chunk)) + 1;
  template <std::size_t K>
  static constexpr std::size_t size_at = Chunk >> K;

  // A std::tuple of workspaces of halving sizes: a fixed list of unrelated
  // types built once, where a pack expansion is clearer than Hana.
  template <std::size_t... K>
  static auto make_workspaces(std::index_sequence<K...>) {
    return std::make_tuple(std::make_unique<Workspace<Net, size_at<K>>>()...);
  }
  using Workspaces = decltype(make_workspaces(std::make_index_sequence<size_count>{}));

  template <Scalar U, std::size_t Width>
  static const dataset_type* checked(const data::Dataset<U, Width>& data) {
    static_assert(detail::check_objective_data<scalar_type, Net::inputs, U, Width>());
    if constexpr (std::is_same_v<data::Dataset<U, Width>, dataset_type>)
      return &data;
    else
      return nullptr;
  }

  L2<scalar_type> scaled_l2() const noexcept {
    return {static_cast<scalar_type>(l2_.lambda / static_cast<scalar_type>(samples())), l2_.include_biases};
  }

  /// Calls f(xs, labels, workspace) for consecutive runs of samples that
  /// cover the data set once: whole chunks of Chunk, then, for the tail,
  /// one run of each power of two below Chunk present in the tail's size.
  template <class F>
  void for_each_chunk(F&& f) {
    using Row = typename dataset_type::row_type;
    const std::span<const Row> rows = data_->rows();
    const std::span<const std::uint8_t> labels = data_->labels();
    std::size_t first = 0;
    const auto run = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
      constexpr std::size_t B = size_at<K>;
      auto& ws = *std::get<K>(workspaces_);
      // Whole chunks for K = 0; then fewer than 2B samples are left, so at
      // most one run of each smaller size.
      const std::size_t count = (rows.size() - first) / B;
      for (std::size_t c = 0; c < count; ++c, first += B)
        f(std::span<const Row, B>(rows.data() + first, B), std::span<const std::uint8_t, B>(labels.data() + first, B),
          ws);
    };
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (run(std::integral_constant<std::size_t, K>{}), ...);
    }(std::make_index_sequence<size_count>{});
  }

  const dataset_type* data_;
  L loss_;
  L2<scalar_type> l2_;
  std::unique_ptr<Net> net_ = std::make_unique<Net>();
  std::unique_ptr<Gradients<Net>> grads_ = std::make_unique<Gradients<Net>>();
  Workspaces workspaces_ = make_workspaces(std::make_index_sequence<size_count>{});
  std::size_t evaluations_ = 0;
};

}  // namespace fixnet

#endif  // FIXNET_OBJECTIVE_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"
#include "fixnet/dispatch/target_kernels-inl.hpp"
