// fixnet dispatch — the batch passes behind both `BasicNetwork` (static
// dispatch) and `Dispatcher` (runtime dispatch), written once: each checks
// the batch's shape, moves it into the workspace, runs one target's kernels
// and reads the results back.
//
// `kernels` is an object with the members of a target's kernel table
// (fixnet/dispatch/target_kernels-inl.hpp): `StaticKernels<...>{}`, whose
// members are static and called directly, or a `TableKernels` over the
// pointers a Dispatcher holds.
#ifndef FIXNET_DISPATCH_BATCH_PASSES_HPP
#define FIXNET_DISPATCH_BATCH_PASSES_HPP

#include <cstddef>

#include "fixnet/core/batch.hpp"
#include "fixnet/core/shape_checks.hpp"

namespace fixnet::detail {

/// A batch of inputs of B rows of Net::inputs values.
template <class Net, std::size_t B, class Xs>
constexpr void check_input_batch() noexcept {
  static_assert(check_batch_size<B, batch_size_v<Xs>>());
  static_assert(check_batch_width<Net::inputs, FixedExtent<batch_row_t<Xs>>::extent>());
}

/// Inputs and targets (rows of Net::outputs values or class indices) of B.
template <class Net, std::size_t B, class Xs, class Ts>
constexpr void check_training_batch() noexcept {
  check_input_batch<Net, B, Xs>();
  static_assert(check_batch_size<B, batch_size_v<Ts>>());
}

template <class Xs, class Ts, class W>
void write_batch(const Xs& xs, const Ts& targets, W& ws) noexcept {
  for (std::size_t b = 0; b < W::batch_size; ++b) {
    ws.set_input(b, xs[b]);
    ws.set_target(b, targets[b]);
  }
}

/// ys[b] = Net(xs[b]) for the B samples of ws.
template <class Net, class K, class Xs, class Ys, class W>
void forward_batch(const K& kernels, const typename Net::parameters_type& p, const Xs& xs, Ys& ys,
                   W& ws) noexcept {
  constexpr std::size_t B = W::batch_size;
  check_input_batch<Net, B, Xs>();
  static_assert(check_batch_size<B, batch_size_v<Ys>>());
  static_assert(check_output_extent<Net::outputs, FixedExtent<batch_row_t<Ys>>::extent>());
  for (std::size_t b = 0; b < B; ++b) ws.set_input(b, xs[b]);
  kernels.template forward<false, Net>(p, ws);
  for (std::size_t b = 0; b < B; ++b) ws.get_output(b, ys[b]);
}

/// Adds scale times the summed gradient of loss L to grads; returns the
/// summed loss.
template <class L, class Net, class K, class Xs, class Ts, class W>
typename Net::scalar_type backward_batch(const K& kernels, const typename Net::parameters_type& p,
                                         const Xs& xs, const Ts& targets,
                                         typename Net::parameters_type& grads, W& ws,
                                         typename Net::scalar_type scale) noexcept {
  check_training_batch<Net, W::batch_size, Xs, Ts>();
  write_batch(xs, targets, ws);
  return kernels.template backward<L, Net>(p, ws, grads, scale);
}

/// The summed loss L over the batch, without gradients.
template <class L, class Net, class K, class Xs, class Ts, class W>
typename Net::scalar_type loss_batch(const K& kernels, const typename Net::parameters_type& p,
                                     const Xs& xs, const Ts& targets, W& ws) noexcept {
  check_training_batch<Net, W::batch_size, Xs, Ts>();
  write_batch(xs, targets, ws);
  return kernels.template loss<L, Net>(p, ws);
}

/// The summed loss L over the batch, and the outputs ys[b] of the same
/// pass: one forward pass for both.
template <class L, class Net, class K, class Xs, class Ts, class Ys, class W>
typename Net::scalar_type forward_and_loss_batch(const K& kernels,
                                                 const typename Net::parameters_type& p,
                                                 const Xs& xs, const Ts& targets, Ys& ys,
                                                 W& ws) noexcept {
  static_assert(check_batch_size<W::batch_size, batch_size_v<Ys>>());
  static_assert(check_output_extent<Net::outputs, FixedExtent<batch_row_t<Ys>>::extent>());
  const auto loss = loss_batch<L, Net>(kernels, p, xs, targets, ws);
  for (std::size_t b = 0; b < W::batch_size; ++b) ws.get_output(b, ys[b]);
  return loss;
}

}  // namespace fixnet::detail

#endif  // FIXNET_DISPATCH_BATCH_PASSES_HPP
