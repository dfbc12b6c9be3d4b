// fixnet — NaN and infinity detection in parameter and gradient sets: the
// check that stops training on garbage.
#ifndef FIXNET_FINITE_HPP
#define FIXNET_FINITE_HPP

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "fixnet/core/config.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/core/parameters.hpp"

namespace fixnet {

/// Whether every parameter (or gradient) of `x`, a `ParameterSet` or a
/// network, is finite: no NaN, no infinity, in any layer's weights or biases.
/// One vectorised pass, without branches inside a layer: cheap enough to run
/// after every step.
template <class Model>
bool all_finite(const Model& x) noexcept {
  using P = detail::parameters_of_t<Model>;
  return detail::StaticKernels<P>::all_finite(detail::parameters_ref(x));
}

/// A parameter in a `ParameterSet`: its canonical index (layer by layer, W
/// row-major [out][in], then b), its layer, and W[row][column] or b[row].
struct ParameterLocation {
  std::size_t index;
  std::size_t layer;
  bool is_bias;
  std::size_t row;
  /// 0 for a bias.
  std::size_t column;
};

/// "layer 1 W[3][7]" or "layer 0 b[2]" (parameter 1234).
inline std::string to_string(const ParameterLocation& at) {
  // Appended piece by piece: g++ 12 warns (-Wrestrict, a false positive) on
  // chains of operator+ that start with a literal.
  std::string s = "layer ";
  s += std::to_string(at.layer);
  s += at.is_bias ? " b[" : " W[";
  s += std::to_string(at.row);
  s += ']';
  if (!at.is_bias) {
    s += '[';
    s += std::to_string(at.column);
    s += ']';
  }
  s += " (parameter ";
  s += std::to_string(at.index);
  s += ')';
  return s;
}

/// The first parameter of `x` (in canonical order) that is NaN or infinite,
/// or nothing: for the message once `all_finite` has said no. A scalar scan,
/// allocation-free.
template <class Model>
std::optional<ParameterLocation> find_non_finite(const Model& x) noexcept {
  std::optional<ParameterLocation> found;
  std::size_t index = 0, layer = 0;
  detail::parameters_ref(x).for_each_layer([&](const auto& block) {
    block.for_each_parameter([&](const ParameterIndex& at, auto value) {
      if (!found && !std::isfinite(value))
        found = ParameterLocation{index, layer, at.is_bias, at.row, at.column};
      ++index;
    });
    ++layer;
  });
  return found;
}

}  // namespace fixnet

#endif  // FIXNET_FINITE_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"
