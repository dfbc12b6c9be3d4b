// fixnet — the parameters of a whole network, one padded block per layer.
// The same type holds gradients (`fixnet::Gradients<Net>`) and optimiser
// state, so that every update is an elementwise pass over matching blocks.
#ifndef FIXNET_PARAMETERS_HPP
#define FIXNET_PARAMETERS_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include "fixnet/core/config.hpp"
#include "fixnet/core/layer.hpp"
#include "fixnet/core/shape_checks.hpp"
#include "fixnet/core/static_kernels.hpp"

namespace fixnet {

namespace detail {

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

}  // namespace detail

/// Parameters (or gradients, or optimiser state) of the layers `Layers...` in
/// scalar type T. A plain value: no heap, trivially copyable, zero when
/// constructed. `sizeof` is its storage.
template <Scalar T, class... Layers>
class ParameterSet {
 public:
  using scalar_type = T;
  static constexpr std::size_t layer_count = sizeof...(Layers);
  /// Number of parameters in canonical order (padding excluded).
  static constexpr std::size_t parameter_count = (std::size_t{0} + ... + Layers::parameter_count);
  /// Number of stored scalars (padding included).
  static constexpr std::size_t storage_size =
      (std::size_t{0} + ... + Layers::template parameters_type<T>::storage_size);

  /// Layer I's block: `DenseParameters` for a `Dense` layer.
  template <std::size_t I>
  constexpr auto& layer_parameters() noexcept {
    static_assert(detail::check_layer_index<I, layer_count>());
    // Past the end (the check has failed), layer 0 stands in so that Hana
    // adds no errors of its own below fixnet's message.
    return boost::hana::at_c<(I < layer_count ? I : 0)>(layers_);
  }
  template <std::size_t I>
  constexpr const auto& layer_parameters() const noexcept {
    static_assert(detail::check_layer_index<I, layer_count>());
    return boost::hana::at_c<(I < layer_count ? I : 0)>(layers_);
  }

  /// Calls f(layer block) for each layer, first to last.
  template <class F>
  constexpr void for_each_layer(F&& f) {
    boost::hana::for_each(layers_, std::forward<F>(f));
  }
  template <class F>
  constexpr void for_each_layer(F&& f) const {
    boost::hana::for_each(layers_, std::forward<F>(f));
  }

  /// Reads every parameter in canonical order: layer by layer, W row-major
  /// [Out][In], then b.
  void get_parameters(std::span<T, parameter_count> out) const noexcept {
    std::size_t offset = 0;
    for_each_layer([&](const auto& l) {
      constexpr std::size_t n = std::remove_cvref_t<decltype(l)>::parameter_count;
      l.get_parameters(out.subspan(offset).template first<n>());
      offset += n;
    });
  }
  /// Writes every parameter from canonical order (see `get`). constexpr:
  /// a network can be a constant (fixnet/io/bake.hpp).
  constexpr void set_parameters(std::span<const T, parameter_count> in) noexcept {
    std::size_t offset = 0;
    for_each_layer([&](auto& l) {
      constexpr std::size_t n = std::remove_cvref_t<decltype(l)>::parameter_count;
      l.set_parameters(in.subspan(offset).template first<n>());
      offset += n;
    });
  }
  /// Same, from and to arrays (a std::array converts to both span overloads,
  /// so it gets its own).
  void get_parameters(std::array<T, parameter_count>& out) const noexcept {
    get_parameters(std::span<T, parameter_count>(out));
  }
  void set_parameters(const std::array<T, parameter_count>& in) noexcept {
    set_parameters(std::span<const T, parameter_count>(in));
  }
  /// Same, from a span whose size is only known at run time (a file, a
  /// vector): throws std::invalid_argument if the size is not parameter_count.
  void set_parameters(std::span<const T> in) {
    if (in.size() != parameter_count) throw_size_mismatch(in.size());
    set_parameters(in.template first<parameter_count>());
  }
  void get_parameters(std::span<T> out) const {
    if (out.size() != parameter_count) throw_size_mismatch(out.size());
    get_parameters(out.template first<parameter_count>());
  }

  /// Sets every value to zero, in place: assigning a value-initialised
  /// temporary would build a copy of the whole set on the stack (megabytes
  /// for wide layers, enough to overflow a thread's stack) and copy it over.
  void zero() noexcept {
    for_each_layer([](auto& l) {
      const auto s = l.storage();
      std::fill(s.begin(), s.end(), T(0));
    });
  }

  /// this *= s, vectorised.
  void scale(T s) noexcept { detail::StaticKernels<ParameterSet>::scale(s, *this); }

  /// this += alpha * x, vectorised.
  void add_scaled(T alpha, const ParameterSet& x) noexcept {
    detail::StaticKernels<ParameterSet>::axpy(alpha, x, *this, 0, 1);
  }

  /// The same on part `part` of `parts` (< parts): each layer block's cache
  /// lines cut into `parts` consecutive ranges, so that threads can share
  /// one update without touching the same line (fixnet/train/data_parallel.hpp).
  void add_scaled(T alpha, const ParameterSet& x, std::size_t part, std::size_t parts) noexcept {
    detail::StaticKernels<ParameterSet>::axpy(alpha, x, *this, part, parts);
  }

  /// Equal when every stored value is equal.
  friend bool operator==(const ParameterSet& a, const ParameterSet& b) noexcept {
    bool equal = true;
    detail::for_each_index<layer_count>(
        [&](auto i) { equal = equal && a.template layer_parameters<i>() == b.template layer_parameters<i>(); });
    return equal;
  }

 private:
  // [[noreturn]], so that the compiler knows no copy follows a mismatch
  // (g++ would otherwise warn about the copy from a span it sees is short).
  [[noreturn]] static void throw_size_mismatch(std::size_t n) {
    throw std::invalid_argument("fixnet: expected " + std::to_string(parameter_count) +
                                " parameters, got " + std::to_string(n));
  }

  boost::hana::tuple<typename Layers::template parameters_type<T>...> layers_;
};

}  // namespace fixnet

#endif  // FIXNET_PARAMETERS_HPP
