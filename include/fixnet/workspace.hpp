// fixnet — the buffers a batch of B samples flows through.
#ifndef FIXNET_WORKSPACE_HPP
#define FIXNET_WORKSPACE_HPP

#include <algorithm>
#include <array>
#include <cstddef>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "fixnet/config.hpp"
#include "fixnet/shape_checks.hpp"

namespace fixnet {

namespace detail {

/// B rows of W elements, each padded to whole 64-byte lines. Not
/// zero-initialised: every kernel that writes a row writes all of it,
/// padding included (see fixnet/kernels/row-inl.hpp).
template <Scalar T, std::size_t B, std::size_t W>
struct alignas(alignment) RowBuffer {
  static constexpr std::size_t stride = padded<T>(W);
  std::array<T, B * stride> data;

  T* row(std::size_t b) noexcept { return data.data() + b * stride; }
  const T* row(std::size_t b) const noexcept { return data.data() + b * stride; }
};

}  // namespace detail

/// Scratch space for a batch of B samples through the layers `Layers...`:
/// the padded inputs, each layer's outputs, the last layer's logits, the
/// targets and two gradient buffers. Kernels touch nothing else, so a forward
/// or backward pass allocates nothing.
///
/// Name it as `fixnet::Workspace<Net, B>`. It is large for large batches
/// (`sizeof` tells; about B * 4 KiB for 784-50-10): give it static storage, a
/// member, or `std::make_unique`, rather than the stack. One workspace serves
/// any number of calls, but not two threads at once.
template <Scalar T, std::size_t B, class... Layers>
class BatchWorkspace {
  static_assert(detail::check_batch_not_empty<B>());

  static constexpr std::size_t last = sizeof...(Layers) - 1;
  using First = typename decltype(+boost::hana::at_c<0>(boost::hana::tuple_t<Layers...>))::type;
  using Last = typename decltype(+boost::hana::at_c<last>(boost::hana::tuple_t<Layers...>))::type;

 public:
  using scalar_type = T;
  static constexpr std::size_t batch_size = B;
  /// Widest layer output: gradient rows need this much.
  static constexpr std::size_t max_width = std::max({Layers::outputs...});

  detail::RowBuffer<T, B, First::inputs> input;
  boost::hana::tuple<detail::RowBuffer<T, B, Layers::outputs>...> outputs;
  detail::RowBuffer<T, B, Last::outputs> logits;
  detail::RowBuffer<T, B, Last::outputs> target;
  std::array<detail::RowBuffer<T, B, max_width>, 2> gradient;

  /// Layer I's output rows.
  template <std::size_t I>
  auto& output() noexcept {
    return boost::hana::at_c<I>(outputs);
  }
  template <std::size_t I>
  const auto& output() const noexcept {
    return boost::hana::at_c<I>(outputs);
  }
};

}  // namespace fixnet

#endif  // FIXNET_WORKSPACE_HPP
