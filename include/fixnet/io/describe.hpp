// fixnet — a network type in words: "Dense<2, 4, Sigmoid>" for messages and
// model-file metadata, "fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>,
// ...>" for code that fixnet writes (baked headers, the PyTorch tool's alias).
#ifndef FIXNET_DESCRIBE_HPP
#define FIXNET_DESCRIBE_HPP

#include <cstddef>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "fixnet/activations/identity.hpp"
#include "fixnet/activations/leaky_relu.hpp"
#include "fixnet/core/config.hpp"
#include "fixnet/layers/dense.hpp"
#include "fixnet/layers/dropout.hpp"

namespace fixnet {

template <Scalar T, class... Layers>
class BasicNetwork;

namespace detail {

inline std::string ratio_spelling(std::intmax_t num, std::intmax_t den, bool qualified) {
  return (qualified ? "std::ratio<" : "ratio<") + std::to_string(num) + ", " + std::to_string(den) + ">";
}

// An activation's spelling: its `name`, qualified with `fixnet::` in code. A
// user's own activation is spelled by its `name` too, so a name that is its
// qualified type ("my::Swish") makes baked headers compile.
template <class Act>
struct ActivationSpelling {
  static std::string get(bool qualified) {
    const std::string name = Act::name;
    return qualified && name.find("::") == std::string::npos ? "fixnet::" + name : name;
  }
};
template <class Slope>
struct ActivationSpelling<BasicLeakyRelu<Slope>> {
  static std::string get(bool qualified) {
    if constexpr (std::ratio_equal_v<Slope, std::ratio<1, 100>>) {
      return qualified ? "fixnet::LeakyRelu" : "LeakyRelu";
    } else {
      return (qualified ? "fixnet::BasicLeakyRelu<" : "BasicLeakyRelu<") +
             ratio_spelling(Slope::num, Slope::den, qualified) + ">";
    }
  }
};

template <class Layer>
struct LayerSpelling;
template <std::size_t In, std::size_t Out, class Act, class Bias>
struct LayerSpelling<Dense<In, Out, Act, Bias>> {
  static std::string get(bool qualified) {
    const std::string ns = qualified ? "fixnet::" : "";
    return ns + "Dense<" + std::to_string(In) + ", " + std::to_string(Out) + ", " +
           ActivationSpelling<Act>::get(qualified) + (std::is_same_v<Bias, NoBias> ? ", " + ns + "NoBias" : "") +
           ">";
  }
};
template <std::size_t Width, class Rate>
struct LayerSpelling<Dropout<Width, Rate>> {
  static std::string get(bool qualified) {
    return (qualified ? "fixnet::Dropout<" : "Dropout<") + std::to_string(Width) + ", " +
           ratio_spelling(Rate::num, Rate::den, qualified) + ">";
  }
};

template <class Net>
struct NetworkSpelling;
template <Scalar T, class... Layers>
struct NetworkSpelling<BasicNetwork<T, Layers...>> {
  static std::string get(bool qualified) {
    const std::string ns = qualified ? "fixnet::" : "";
    std::string s = std::is_same_v<T, float> ? ns + "Network<" : ns + "BasicNetwork<double, ";
    bool first = true;
    ((s += (first ? "" : ", ") + LayerSpelling<Layers>::get(qualified), first = false), ...);
    return s + ">";
  }
};

template <Scalar T, class... Layers>
BasicNetwork<T, Layers...> network_base(const BasicNetwork<T, Layers...>&);

}  // namespace detail

/// Layer type `Layer` as a short description: "Dense<2, 4, Sigmoid>",
/// "Dense<4, 1, Identity, NoBias>", "Dropout<256, ratio<1, 5>>".
template <class Layer>
std::string describe_layer() {
  return detail::LayerSpelling<Layer>::get(false);
}

/// Network type `Net` (or a type derived from one) as a short description:
/// "Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>".
template <class Net>
std::string describe_network() {
  return detail::NetworkSpelling<decltype(detail::network_base(std::declval<const Net&>()))>::get(false);
}

/// The C++ spelling of network type `Net`, for code that fixnet writes:
/// "fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, ...>".
template <class Net>
std::string network_type_name() {
  return detail::NetworkSpelling<decltype(detail::network_base(std::declval<const Net&>()))>::get(true);
}

/// What model files need to know of a layer at run time: its widths,
/// whether it holds a weight matrix (a `Dense`) and a bias, and whether its
/// activation is the identity (no PyTorch module follows the Linear). Made
/// from a layer type (`layer_shape<L>()`) or parsed back from its
/// description (`parse_layer_description`), so that code reading a file
/// without knowing its type (fixnet-bake) names tensors as typed code does.
struct LayerShape {
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  bool has_weights = false;
  bool has_bias = false;
  bool identity = true;
  friend bool operator==(const LayerShape&, const LayerShape&) = default;
};

template <class Layer>
constexpr LayerShape layer_shape() noexcept {
  if constexpr (Layer::parameter_count == 0) {
    return {Layer::inputs, Layer::outputs, false, false, true};
  } else {
    return {Layer::inputs, Layer::outputs, true, Layer::has_bias,
            std::is_same_v<typename Layer::activation, Identity>};
  }
}

/// The shape of the layer described as `describe_layer` writes it
/// ("Dense<2, 4, Sigmoid>", "Dense<4, 1, Identity, NoBias>",
/// "Dropout<256, ratio<1, 5>>"), or nothing if it is not such a description.
inline std::optional<LayerShape> parse_layer_description(std::string_view s) {
  const std::size_t open = s.find('<');
  if (open == std::string_view::npos || s.empty() || s.back() != '>') return std::nullopt;
  const std::string_view kind = s.substr(0, open);
  // Arguments split at top-level commas.
  std::vector<std::string_view> args;
  int depth = 0;
  std::size_t start = open + 1;
  for (std::size_t i = open + 1; i + 1 < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    if (s[i] == '>') --depth;
    if (s[i] == ',' && depth == 0) {
      args.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  args.push_back(s.substr(start, s.size() - 1 - start));
  for (std::string_view& a : args) {
    while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
    while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
  }
  const auto number = [](std::string_view a) -> std::optional<std::size_t> {
    if (a.empty() || a.size() > 12) return std::nullopt;
    std::size_t n = 0;
    for (const char c : a) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
  };
  if (kind == "Dense" && (args.size() == 3 || args.size() == 4)) {
    const auto in = number(args[0]), out = number(args[1]);
    if (!in || !out || *in == 0 || *out == 0 || args[2].empty()) return std::nullopt;
    if (args.size() == 4 && args[3] != "NoBias") return std::nullopt;
    return LayerShape{*in, *out, true, args.size() == 3, args[2] == "Identity"};
  }
  if (kind == "Dropout" && args.size() == 2) {
    const auto width = number(args[0]);
    if (!width || *width == 0) return std::nullopt;
    return LayerShape{*width, *width, false, false, true};
  }
  return std::nullopt;
}

}  // namespace fixnet

#endif  // FIXNET_DESCRIBE_HPP
