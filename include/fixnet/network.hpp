// fixnet — a network whose topology is its type. It brings the built-in
// layers but not the activations and losses: include each one's header, or
// <fixnet/inference.hpp> for all of them.
#ifndef FIXNET_NETWORK_HPP
#define FIXNET_NETWORK_HPP

#include <algorithm>
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "fixnet/core/batch.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/parameters.hpp"
#include "fixnet/network_checks.hpp"
#include "fixnet/core/shape_checks.hpp"
#include "fixnet/core/workspace.hpp"
#include "fixnet/dispatch/batch_passes.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/layers/dense.hpp"
#include "fixnet/core/loss.hpp"

namespace fixnet {

/// A feed-forward network of `Layers...` (models of `fixnet::Layer`:
/// `Dense`, `Dropout`, or your own) computing in scalar type T. Use the aliases `Network<Layers...>` (float) and
/// `Mlp<HiddenAct, OutputAct, Sizes...>`.
///
/// A plain value holding its parameters: no heap, no pointers, copyable;
/// `sizeof` is its storage. Parameters start at zero; see fixnet/train/init.hpp.
/// Forward and backward passes allocate nothing, throw nothing, and run the
/// Highway kernels of the target chosen at compile time
/// (`fixnet::simd_target()` names it).
template <Scalar T, class... Layers>
class BasicNetwork {
  static_assert(detail::check_network<Layers...>());

 public:
  using scalar_type = T;
  /// Parameters, and gradients of the same shape (`Gradients<Net>`).
  using parameters_type = ParameterSet<T, Layers...>;
  /// Scratch space for batches of B (`Workspace<Net, B>`).
  template <std::size_t B>
  using workspace_type = BatchWorkspace<T, B, Layers...>;
  /// Type of layer I (a `Dense<...>`).
  template <std::size_t I>
  using layer_type = detail::layer_at<I, Layers...>;

  static constexpr std::size_t layer_count = sizeof...(Layers);
  static constexpr std::size_t inputs = layer_type<0>::inputs;
  static constexpr std::size_t outputs = layer_type<layer_count - 1>::outputs;
  static constexpr std::size_t parameter_count = parameters_type::parameter_count;

  using output_activation = typename layer_type<layer_count - 1>::activation;

  BasicNetwork() noexcept = default;

  /// A network holding `parameters` (canonical order, see `get_parameters`).
  /// constexpr: `constexpr Net net{parameters};` is a constant in read-only
  /// data, with no start-up code (what fixnet::write_header generates).
  explicit constexpr BasicNetwork(const std::array<T, parameter_count>& parameters) noexcept {
    parameters_.set_parameters(std::span<const T, parameter_count>(parameters));
  }

  /// Converts a network of the same shape from another scalar type.
  template <Scalar U, class... Others>
  explicit BasicNetwork(const BasicNetwork<U, Others...>& other) noexcept {
    assign(other);
  }

  /// Copies (converting the scalar type) the parameters of a network with
  /// the same layers.
  template <Scalar U, class... Others>
  BasicNetwork& assign(const BasicNetwork<U, Others...>& other) noexcept {
    static_assert(detail::check_layer_count<layer_count, sizeof...(Others)>());
    // A fold, not a Hana loop: a shape mismatch's message comes first (see
    // check_layer_list).
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (copy_layer<I>(other), ...);
    }(std::make_index_sequence<layer_count>{});
    return *this;
  }

  /// Assignment from a network of another type is only allowed to report
  /// the difference in shape; converting the scalar type goes through `assign`.
  template <Scalar U, class... Others>
  BasicNetwork& operator=(const BasicNetwork<U, Others...>& other) noexcept {
    assign(other);
    // Fix: use net.assign(other) to convert between float and double networks.
    static_assert(std::same_as<T, U>,
                  "fixnet: assigning a network of another scalar type; use assign() to convert");
    return *this;
  }

  /// Layer I's parameters (`DenseParameters`: weight(o, i), bias(o), ...).
  template <std::size_t I>
  constexpr auto& layer_parameters() noexcept {
    return parameters_.template layer_parameters<I>();
  }
  template <std::size_t I>
  constexpr const auto& layer_parameters() const noexcept {
    return parameters_.template layer_parameters<I>();
  }

  /// All parameters, as stored (for optimisers).
  parameters_type& parameters() noexcept { return parameters_; }
  const parameters_type& parameters() const noexcept { return parameters_; }

  /// Reads the parameters in canonical order: layer by layer, W row-major
  /// [Out][In] (PyTorch's nn.Linear.weight), then b [Out].
  template <std::size_t N>
  void get_parameters(std::span<T, N> out) const noexcept {
    static_assert(detail::check_parameter_count<parameter_count, N>());
    // Guarded so that, once the check has failed, its message is the only error.
    if constexpr (N == parameter_count) parameters_.get_parameters(out);
  }
  template <std::size_t N>
  void get_parameters(std::array<T, N>& out) const noexcept {
    get_parameters(std::span<T, N>(out));
  }

  /// Writes the parameters from canonical order (see `get_parameters`).
  template <std::size_t N>
  void set_parameters(std::span<const T, N> in) noexcept {
    static_assert(detail::check_parameter_count<parameter_count, N>());
    parameters_.set_parameters(in);
  }
  template <std::size_t N>
  void set_parameters(const std::array<T, N>& in) noexcept {
    set_parameters(std::span<const T, N>(in));
  }
  /// From a run-time-sized span (a file, a vector); throws
  /// std::invalid_argument naming both sizes if it does not hold
  /// `parameter_count` values.
  void set_parameters(std::span<const T> in) { parameters_.set_parameters(in); }
  /// Into a run-time-sized span; throws std::invalid_argument naming both
  /// sizes if it does not hold `parameter_count` values.
  void get_parameters(std::span<T> out) const { parameters_.get_parameters(out); }

  /// One sample: returns the network's output for input x.
  template <FixedRow Row>
  std::array<T, outputs> forward(const Row& x) const noexcept {
    check_input_row<Row>();
    std::array<T, outputs> y;
    // Guarded so that, once a check has failed, its message is the only error.
    using Traits = detail::FixedExtent<std::remove_cvref_t<Row>>;
    if constexpr (std::is_same_v<typename Traits::element_type, T> && Traits::extent == inputs)
      Kernels::template forward_sample<BasicNetwork>(parameters_, x.data(), y.data());
    return y;
  }

  /// Anything else as one sample (a std::vector, a pointer, a std::span of
  /// dynamic extent): one error saying what is accepted, instead of a list
  /// of candidates.
  template <class Row>
    requires(!FixedRow<Row>)
  std::array<T, outputs> forward(const Row& /*x*/) const noexcept {
    static_assert(detail::check_input_row_type<T, Row>());
    return {};
  }

  /// A batch of B samples: ys[b] = forward(xs[b]). xs is a `std::array` or
  /// fixed-extent `std::span` of B rows of `inputs`; ys likewise of
  /// `outputs`.
  template <FixedBatch Xs, FixedBatch Ys, std::size_t B>
  void forward(const Xs& xs, Ys&& ys, workspace_type<B>& ws) const noexcept {
    check_kernels();
    detail::forward_batch<BasicNetwork>(Kernels{}, parameters_, xs, ys, ws);
  }

  /// A batch whose size is not part of its type (a std::vector of rows): one
  /// error saying what is accepted.
  template <class Xs, class Ys, std::size_t B>
    requires(!(FixedBatch<Xs> && FixedBatch<Ys>))
  void forward(const Xs& /*xs*/, Ys&& /*ys*/, workspace_type<B>& /*ws*/) const noexcept {
    check_batch_types<Xs, Ys>();
  }

  /// One sample: adds the gradient of `loss` at (x, target) to `grads` and
  /// returns the loss. The target is a row of `outputs` values or a class
  /// index (< outputs). Gradients accumulate (sum) until `grads.zero()`.
  /// With `scale` the gradient is multiplied by it first; `grads` may then
  /// be this network's own `parameters()` (scale = -learning rate: what
  /// `GradientDescent::step(net, x, target, loss)` does).
  template <FixedRow Row, Target Tgt, Loss L>
  T backward(const Row& x, const Tgt& target, L /*loss*/, parameters_type& grads,
             T scale = 1) const noexcept {
    // Fix: pass a Workspace<Net, 1> (or train on batches) so that the dropout
    // masks advance from one call to the next.
    static_assert(!detail::has_stochastic_layer<BasicNetwork>,
                  "fixnet: training a network with Dropout needs a workspace: use "
                  "backward(xs, targets, loss, grads, workspace)");
    check_input_row<Row>();
    static_assert(detail::check_loss_fits_output<L, output_activation>());
    workspace_type<1> ws;
    ws.set_input(0, x);
    ws.set_target(0, target);
    return Kernels::template backward<L, BasicNetwork>(parameters_, ws, grads, scale);
  }

  /// A wrong input or target type for one sample: one error saying what is
  /// accepted (see check_sample_types).
  template <class Row, class Tgt, Loss L>
    requires(!(FixedRow<Row> && Target<Tgt>))
  T backward(const Row& /*x*/, const Tgt& /*target*/, L /*loss*/, parameters_type& /*grads*/,
             T /*scale*/ = 1) const noexcept {
    check_sample_types<Row, Tgt>();
    return 0;
  }

  /// A batch: adds the summed gradient over the B samples to `grads` and
  /// returns the summed loss. For the mean pass `scale` = 1 / B (or divide
  /// afterwards: `grads.scale(T(1) / B)`). `grads` may be this network's own
  /// `parameters()`, as in the one-sample overload.
  template <FixedBatch Xs, FixedBatch Ts, Loss L, std::size_t B>
  T backward(const Xs& xs, const Ts& targets, L /*loss*/, parameters_type& grads, workspace_type<B>& ws,
             T scale = 1) const noexcept {
    static_assert(detail::check_loss_fits_output<L, output_activation>());
    check_kernels();
    return detail::backward_batch<L, BasicNetwork>(Kernels{}, parameters_, xs, targets, grads, ws,
                                                   scale);
  }

  /// A batch of inputs or targets whose size is not part of its type: one
  /// error saying what is accepted.
  template <class Xs, class Ts, Loss L, std::size_t B>
    requires(!(FixedBatch<Xs> && FixedBatch<Ts>))
  T backward(const Xs& /*xs*/, const Ts& /*targets*/, L /*loss*/, parameters_type& /*grads*/,
             workspace_type<B>& /*ws*/, T /*scale*/ = 1) const noexcept {
    check_batch_types<Xs, Ts>();
    return 0;
  }

  /// The loss at (x, target), without gradients.
  template <FixedRow Row, Target Tgt, Loss L>
  T loss(const Row& x, const Tgt& target, L /*loss*/) const noexcept {
    check_input_row<Row>();
    static_assert(detail::check_loss_fits_output<L, output_activation>());
    workspace_type<1> ws;
    ws.set_input(0, x);
    ws.set_target(0, target);
    return Kernels::template loss<L, BasicNetwork>(parameters_, ws);
  }

  /// A wrong input or target type for one sample: one error saying what is
  /// accepted.
  template <class Row, class Tgt, Loss L>
    requires(!(FixedRow<Row> && Target<Tgt>))
  T loss(const Row& /*x*/, const Tgt& /*target*/, L /*loss*/) const noexcept {
    check_sample_types<Row, Tgt>();
    return 0;
  }

  /// The summed loss over a batch, without gradients.
  template <FixedBatch Xs, FixedBatch Ts, Loss L, std::size_t B>
  T loss(const Xs& xs, const Ts& targets, L /*loss*/, workspace_type<B>& ws) const noexcept {
    static_assert(detail::check_loss_fits_output<L, output_activation>());
    check_kernels();
    return detail::loss_batch<L, BasicNetwork>(Kernels{}, parameters_, xs, targets, ws);
  }

  /// A batch of inputs or targets whose size is not part of its type.
  template <class Xs, class Ts, Loss L, std::size_t B>
    requires(!(FixedBatch<Xs> && FixedBatch<Ts>))
  T loss(const Xs& /*xs*/, const Ts& /*targets*/, L /*loss*/,
         workspace_type<B>& /*ws*/) const noexcept {
    check_batch_types<Xs, Ts>();
    return 0;
  }

  /// The outputs and the summed loss of a batch, from one forward pass
  /// (what `forward` then `loss` would give, at half the cost): writes
  /// ys[b] = forward(xs[b]) and returns the summed loss at the targets.
  template <FixedBatch Xs, FixedBatch Ts, FixedBatch Ys, Loss L, std::size_t B>
  T forward_and_loss(const Xs& xs, const Ts& targets, L /*loss*/, Ys&& ys,
                     workspace_type<B>& ws) const noexcept {
    static_assert(detail::check_loss_fits_output<L, output_activation>());
    check_kernels();
    return detail::forward_and_loss_batch<L, BasicNetwork>(Kernels{}, parameters_, xs, targets, ys,
                                                           ws);
  }

  /// One sample: its output into y, and its loss.
  template <FixedRow Row, Target Tgt, Loss L>
  T forward_and_loss(const Row& x, const Tgt& target, L /*loss*/,
                     std::array<T, outputs>& y) const noexcept {
    check_input_row<Row>();
    static_assert(detail::check_loss_fits_output<L, output_activation>());
    workspace_type<1> ws;
    ws.set_input(0, x);
    ws.set_target(0, target);
    const T loss = Kernels::template loss<L, BasicNetwork>(parameters_, ws);
    ws.get_output(0, y);
    return loss;
  }

  friend bool operator==(const BasicNetwork&, const BasicNetwork&) = default;

 private:
  // The kernels of the static target, named through a dependent type so that
  // they need only be defined (by fixnet/dispatch/target_kernels-inl.hpp)
  // where a member is instantiated.
  using Kernels = detail::StaticKernels<BasicNetwork>;

  // An activation without a vector kernel (docs/extending.md), reported in
  // the pass the user called, a few lines into the compiler's output,
  // rather than from deep inside the walk.
  static constexpr void check_kernels() noexcept {
    static_assert(Kernels::template activation_kernels_defined<BasicNetwork>,
                  "fixnet: an activation of this network has no vector kernel: specialise "
                  "fixnet::HWY_NAMESPACE::ActivationKernel<Act> in its header (see "
                  "docs/extending.md)");
  }

  template <class Row>
  static constexpr void check_input_row() noexcept {
    check_kernels();
    using Traits = detail::FixedExtent<std::remove_cvref_t<Row>>;
    static_assert(detail::check_input_scalar<T, typename Traits::element_type>());
    static_assert(detail::check_input_extent<inputs, Traits::extent>());
  }

  // Reports the input's type if it is wrong, else the target's: one message.
  template <class Row, class Tgt>
  static constexpr void check_sample_types() noexcept {
    if constexpr (!FixedRow<Row>)
      static_assert(detail::check_input_row_type<T, Row>());
    else if constexpr (!Target<Tgt>)
      static_assert(detail::check_target_type<T, Tgt>());
  }

  // Reports the inputs' batch type if it is wrong, else the other's.
  template <class Xs, class Other>
  static constexpr void check_batch_types() noexcept {
    if constexpr (!FixedBatch<Xs>)
      static_assert(detail::check_batch_type<Xs>());
    else
      static_assert(detail::check_batch_type<Other>());
  }

  template <std::size_t I, Scalar U, class... Others>
  void copy_layer(const BasicNetwork<U, Others...>& other) noexcept {
    using Mine = layer_type<I>;
    using Theirs = typename BasicNetwork<U, Others...>::template layer_type<I>;
    static_assert(detail::check_same_layer_shape<I, Mine::inputs, Mine::outputs, Theirs::inputs,
                                                 Theirs::outputs, Mine::has_bias, Theirs::has_bias>());
    if constexpr (Mine::inputs == Theirs::inputs && Mine::outputs == Theirs::outputs &&
                  Mine::has_bias == Theirs::has_bias)
      layer_parameters<I>().assign(other.template layer_parameters<I>());
  }

  parameters_type parameters_;
};

/// A network without layers: an error, reported here alone rather than
/// through the empty layer list's failures in the definition above.
template <Scalar T>
class BasicNetwork<T> {
  // Fix: list at least one layer, e.g. Network<Dense<2, 3, Softmax>>.
  static_assert(detail::dependent_false<T>, "fixnet: a network needs at least one layer");
};

/// A float network of the given layers:
/// `Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>`.
template <class... Layers>
using Network = BasicNetwork<float, Layers...>;

/// Gradients of a network: same shape as its parameters, same canonical
/// order through `get_parameters(span)`, as the network's.
template <class Net>
using Gradients = typename Net::parameters_type;

/// Scratch space to run batches of B samples through a network.
template <class Net, std::size_t B>
using Workspace = typename Net::template workspace_type<B>;

namespace detail {

template <std::size_t... Sizes>
consteval bool check_mlp_sizes() {
  // Fix: list the input width, any hidden widths, and the output width.
  static_assert(sizeof...(Sizes) >= 2,
                "fixnet: Mlp<Hidden, Output, Sizes...> needs at least two sizes (inputs, outputs)");
  return true;
}

// The sizes become one Dense per adjacent pair through a plain pack
// expansion over an index sequence: building a type from a list of numbers
// is what the language does directly; Hana (the layer list's idiom, see
// fixnet/core/layer.hpp) would only wrap it.
template <Scalar T, class Hidden, class Output, class Indices, std::size_t... Sizes>
struct MlpBuilder;

template <Scalar T, class Hidden, class Output, std::size_t... I, std::size_t... Sizes>
struct MlpBuilder<T, Hidden, Output, std::index_sequence<I...>, Sizes...> {
  static_assert(check_mlp_sizes<Sizes...>());
  static constexpr std::array<std::size_t, sizeof...(Sizes)> sizes{Sizes...};
  // With fewer than two sizes (the check above has failed), a 1-1 network
  // stands in, so that the mistake is reported once.
  using type = std::conditional_t<
      (sizeof...(Sizes) >= 2),
      BasicNetwork<T, Dense<sizes[I], sizes[I + 1],
                            std::conditional_t<I + 2 == sizeof...(Sizes), Output, Hidden>>...>,
      BasicNetwork<T, Dense<1, 1, Output>>>;
};

}  // namespace detail

/// A multi-layer perceptron in scalar type T: `Sizes` are the widths from
/// input to output; every layer but the last uses `Hidden`, the last `Output`.
template <Scalar T, class Hidden, class Output, std::size_t... Sizes>
using BasicMlp =
    typename detail::MlpBuilder<T, Hidden, Output,
                                std::make_index_sequence<(sizeof...(Sizes) > 1 ? sizeof...(Sizes) - 1 : 0)>,
                                Sizes...>::type;

/// A float multi-layer perceptron: `Mlp<Sigmoid, Softmax, 784, 50, 10>` is
/// `Network<Dense<784, 50, Sigmoid>, Dense<50, 10, Softmax>>`.
template <class Hidden, class Output, std::size_t... Sizes>
using Mlp = BasicMlp<float, Hidden, Output, Sizes...>;

}  // namespace fixnet

#endif  // FIXNET_NETWORK_HPP

// The passes, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too: the
// walk, and the built-in layers' hooks (their headers include them).
#include "fixnet/layers/dense.hpp"
#include "fixnet/layers/dropout.hpp"
#include "fixnet/dispatch/target_kernels-inl.hpp"
