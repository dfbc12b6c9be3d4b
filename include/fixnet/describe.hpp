// fixnet — a network type in words: "Dense<2, 4, Sigmoid>" for messages and
// model-file metadata, "fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>,
// ...>" for code that fixnet writes (baked headers, the PyTorch tool's alias).
#ifndef FIXNET_DESCRIBE_HPP
#define FIXNET_DESCRIBE_HPP

#include <cstddef>
#include <ratio>
#include <string>
#include <type_traits>

#include "fixnet/activations/leaky_relu.hpp"
#include "fixnet/config.hpp"
#include "fixnet/dense.hpp"
#include "fixnet/dropout.hpp"

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

}  // namespace fixnet

#endif  // FIXNET_DESCRIBE_HPP
