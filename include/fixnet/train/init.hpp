// fixnet — seeded, reproducible parameter initialisation.
#ifndef FIXNET_INIT_HPP
#define FIXNET_INIT_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include "fixnet/core/parameters.hpp"
#include "fixnet/core/random.hpp"  // fixnet::Rng

namespace fixnet {

/// Initialisers: each draws one value for a layer with `fan_in` inputs and
/// `fan_out` outputs.
namespace init {

/// 0 (biases, usually).
struct Zeros {
  double operator()(Rng&, std::size_t, std::size_t) const { return 0.0; }
};

/// A constant.
struct Constant {
  double value = 0.0;
  double operator()(Rng&, std::size_t, std::size_t) const { return value; }
};

/// Uniform on [low, high); the default [0, 1) is numpy's `np.random.rand`.
struct Uniform {
  double low = 0.0;
  double high = 1.0;
  double operator()(Rng& rng, std::size_t, std::size_t) const {
    return boost::random::uniform_real_distribution<double>(low, high)(rng);
  }
};

/// Normal with the given mean and standard deviation; the default is
/// numpy's `np.random.randn`.
struct Normal {
  double mean = 0.0;
  double stddev = 1.0;
  double operator()(Rng& rng, std::size_t, std::size_t) const {
    return boost::random::normal_distribution<double>(mean, stddev)(rng);
  }
};

/// randn / sqrt(fan_in) (LeCun normal): the MNIST tutorial's weights.
struct ScaledNormal {
  double operator()(Rng& rng, std::size_t fan_in, std::size_t) const {
    return Normal{0.0, 1.0 / std::sqrt(double(fan_in))}(rng, fan_in, 0);
  }
};

/// Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)). For
/// sigmoid and tanh layers.
struct XavierUniform {
  double operator()(Rng& rng, std::size_t fan_in, std::size_t fan_out) const {
    const double a = std::sqrt(6.0 / double(fan_in + fan_out));
    return Uniform{-a, a}(rng, fan_in, fan_out);
  }
};

/// Xavier/Glorot normal: N(0, 2 / (fan_in + fan_out)).
struct XavierNormal {
  double operator()(Rng& rng, std::size_t fan_in, std::size_t fan_out) const {
    return Normal{0.0, std::sqrt(2.0 / double(fan_in + fan_out))}(rng, fan_in, fan_out);
  }
};

/// He/Kaiming normal: N(0, 2 / fan_in). For ReLU layers.
struct HeNormal {
  double operator()(Rng& rng, std::size_t fan_in, std::size_t fan_out) const {
    return Normal{0.0, std::sqrt(2.0 / double(fan_in))}(rng, fan_in, fan_out);
  }
};

/// He/Kaiming uniform: U(-a, a), a = sqrt(6 / fan_in).
struct HeUniform {
  double operator()(Rng& rng, std::size_t fan_in, std::size_t fan_out) const {
    const double a = std::sqrt(6.0 / double(fan_in));
    return Uniform{-a, a}(rng, fan_in, fan_out);
  }
};

}  // namespace init

/// Draws every parameter of `net` from one engine seeded with `seed`, in
/// canonical order (layer by layer, W row-major [Out][In], then b): the same
/// seed gives the same network whatever the padding or the SIMD target.
template <class Net, class WeightInit, class BiasInit>
void initialize(Net& net, const WeightInit& weights, const BiasInit& biases, std::uint64_t seed) {
  using T = typename Net::scalar_type;
  Rng rng(seed);
  net.parameters().for_each_layer([&](auto& layer) {
    using Layer = std::remove_cvref_t<decltype(layer)>;
    constexpr std::size_t in = Layer::inputs;
    constexpr std::size_t out = Layer::outputs;
    layer.for_each_parameter([&](const ParameterIndex& at, T& value) {
      value = static_cast<T>(at.is_bias ? biases(rng, in, out) : weights(rng, in, out));
    });
  });
}

}  // namespace fixnet

#endif  // FIXNET_INIT_HPP
