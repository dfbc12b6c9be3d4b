// fixnet benchmarks — quantized inference (fixnet/quantized.hpp) against
// the float network it comes from and against Eigen in float, in one binary:
//
//   int8/<shape>/throughput | latency | batch_64   fixnet = Quantized<Net>,
//                                                    eigen = float Eigen
//   int8/<shape>/.../float                           fixnet's float network
//   int8/784-50-10/throughput/pixels                 Quantized<Net> on raw
//                                                    uint8 pixels (no float
//                                                    input to convert)
//
// Throughput and latency as in bench/forward.hpp. Shapes: the MNIST
// tutorial's 784-50-10 (sigmoid, softmax) and the deep example's
// 784-256-128-10 (ReLU, softmax; its dropout is not part of inference).
// Deep's first weight matrix (0.8 MB) is a fixed-size Eigen matrix on the
// heap: lift Eigen's guard against fixed-size objects over 128 KiB.
#define EIGEN_STACK_ALLOCATION_LIMIT 0

#include <fixnet/quantized.hpp>

#include "forward.hpp"

namespace fixnet_bench {
namespace {

using Deep = fixnet::Mlp<fixnet::Relu, fixnet::Softmax, 784, 256, 128, 10>;

/// Deep's float twin in Eigen: fixed-size row-major weights (heap: 0.8 MB),
/// ReLU, softmax.
struct EigenDeep {
  template <int Rows, int Cols>
  using Weights = Eigen::Matrix<float, Rows, Cols, Eigen::RowMajor>;
  Weights<256, 784> w1;
  Eigen::Matrix<float, 256, 1> b1, a1;
  Weights<128, 256> w2;
  Eigen::Matrix<float, 128, 1> b2, a2;
  Weights<10, 128> w3;
  Eigen::Matrix<float, 10, 1> b3, y;

  void load(const Deep& net) {
    std::vector<float> p(Deep::parameter_count);
    net.get_parameters(std::span<float, Deep::parameter_count>(p.data(), p.size()));
    std::size_t k = 0;
    const auto take = [&](auto& w, auto& b) {
      for (int o = 0; o < w.rows(); ++o)
        for (int i = 0; i < w.cols(); ++i) w(o, i) = p[k++];
      for (int o = 0; o < b.rows(); ++o) b(o) = p[k++];
    };
    take(w1, b1);
    take(w2, b2);
    take(w3, b3);
  }
  void forward(const std::array<float, 784>& x) noexcept {
    a1.noalias() = w1 * Eigen::Map<const Eigen::Matrix<float, 784, 1>>(x.data());
    a1 = (a1 + b1).cwiseMax(0.0f);
    a2.noalias() = w2 * a1;
    a2 = (a2 + b2).cwiseMax(0.0f);
    y.noalias() = w3 * a2;
    y += b3;
    y = (y.array() - y.maxCoeff()).exp().matrix();
    y /= y.sum();
  }
};

/// Net (float), its quantized form calibrated on the 64 inputs with raw
/// pixel codes, the inputs as pixels, and an Eigen twin.
template <class Net>
struct QuantizedFixture {
  using network_type = Net;
  std::unique_ptr<Net> net = make_network<Net>(1);
  AlignedVector<std::array<float, Net::inputs>> xs =
      random_inputs<Net::inputs>(forward::kInputs, 2);
  std::unique_ptr<fixnet::Quantized<Net>> q = std::make_unique<fixnet::Quantized<Net>>(
      fixnet::quantize(*net, std::span<const std::array<float, Net::inputs>>(xs.data(), xs.size()),
                       {.input = fixnet::pixels_over_255}));
  std::vector<std::array<std::uint8_t, Net::inputs>> pixels = [this] {
    std::vector<std::array<std::uint8_t, Net::inputs>> p(xs.size());
    for (std::size_t s = 0; s < xs.size(); ++s)
      for (std::size_t i = 0; i < Net::inputs; ++i)
        p[s][i] = q->input_quantization().code(xs[s][i]);
    return p;
  }();
  static constexpr bool deep_shape = std::is_same_v<Net, Deep>;
  // The Eigen twin: bench/eigen_mlp.hpp's for 784-50-10, EigenDeep for Deep.
  std::unique_ptr<std::conditional_t<deep_shape, EigenDeep, forward::Fixture<Net>>> twin =
      std::make_unique<std::conditional_t<deep_shape, EigenDeep, forward::Fixture<Net>>>();

  QuantizedFixture() {
    if constexpr (deep_shape)
      twin->load(*net);
    else
      twin->eigen->load(*net);
  }
  float eigen_one(const std::array<float, Net::inputs>& x) {
    if constexpr (deep_shape) {
      twin->forward(x);
      escape(twin->y);
      return twin->y(0);
    } else {
      return twin->eigen_one(x);
    }
  }
};

enum class Kind { quantized, pixels, float_network, eigen };

template <Kind K, class F>
float one(F& f, std::size_t i, const std::array<float, F::network_type::inputs>& x) {
  if constexpr (K == Kind::eigen) {
    return f.eigen_one(x);
  } else {
    std::array<float, F::network_type::outputs> y;
    if constexpr (K == Kind::quantized) y = f.q->forward(x);
    if constexpr (K == Kind::pixels) y = f.q->forward(f.pixels[i]);
    if constexpr (K == Kind::float_network) y = f.net->forward(x);
    escape(y);
    return y[0];
  }
}

template <class Net, Kind K>
void throughput(benchmark::State& state) {
  QuantizedFixture<Net> f;
  std::size_t i = 0;
  for (auto _ : state) {
    one<K>(f, i, f.xs[i]);
    i = (i + 1) % forward::kInputs;
  }
  set_sample_counters(state, 1, forward_flops<Net>());
}

template <class Net, Kind K>
void latency(benchmark::State& state) {
  QuantizedFixture<Net> f;
  const float zero = runtime_zero();
  std::array<float, Net::inputs> x;
  float carry = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    forward::fold(f.xs[i], zero, carry, x);
    escape(x);
    carry = one<K>(f, i, x);
    i = (i + 1) % forward::kInputs;
  }
  benchmark::DoNotOptimize(carry);
  set_sample_counters(state, 1, forward_flops<Net>());
}

/// 64 samples per iteration: the quantized network row by row (it needs no
/// workspace), the float network and Eigen through their batch paths.
template <class Net, Kind K>
void batch_64(benchmark::State& state) {
  constexpr int B = 64;
  if constexpr (K == Kind::quantized) {
    QuantizedFixture<Net> f;
    AlignedVector<std::array<float, Net::outputs>> ys(B);
    const std::span<const std::array<float, Net::inputs>, B> xs(f.xs.data(), B);
    for (auto _ : state) {
      f.q->forward(xs, std::span<std::array<float, Net::outputs>, B>(ys.data(), B));
      benchmark::DoNotOptimize(ys.data());
      benchmark::ClobberMemory();
    }
    set_sample_counters(state, B, forward_flops<Net>());
  } else if constexpr (K == Kind::float_network) {
    forward::batch_fixnet<Net, B>(state);
  } else {
    forward::batch_eigen<Net, B>(state);
  }
}

/// Quantized and float outputs agree within a few codes (softmax outputs in
/// [0, 1]); Eigen agrees with the float network.
template <class Net>
void verify() {
  using F = QuantizedFixture<Net>;
  F f;
  const std::string shape = shape_name<Net>();
  for (std::size_t i = 0; i < forward::kInputs; ++i) {
    const auto y = forward::to_vector(f.net->forward(f.xs[i]));
    check_close(shape + " quantized vs float", y, forward::to_vector(f.q->forward(f.xs[i])), 0.05f);
    check_close(shape + " quantized pixels vs floats", forward::to_vector(f.q->forward(f.xs[i])),
                forward::to_vector(f.q->forward(f.pixels[i])), 0.0f);
    f.eigen_one(f.xs[i]);
    std::vector<float> eigen;
    if constexpr (F::deep_shape)
      eigen.assign(f.twin->y.data(), f.twin->y.data() + 10);
    else
      eigen = forward::to_vector(f.twin->batch->y.data);
    check_close(shape + " Eigen vs float", y, eigen, forward::kTolerance);
  }
}

template <class Net, bool kBatches>
void register_shape() {
  const std::string s = "int8/" + shape_name<Net>();
  add(s + "/throughput/fixnet", throughput<Net, Kind::quantized>);
  add(s + "/throughput/eigen", throughput<Net, Kind::eigen>);
  add(s + "/throughput/float", throughput<Net, Kind::float_network>);
  add(s + "/latency/fixnet", latency<Net, Kind::quantized>);
  add(s + "/latency/eigen", latency<Net, Kind::eigen>);
  add(s + "/latency/float", latency<Net, Kind::float_network>);
  if constexpr (kBatches) {
    add(s + "/throughput/pixels", throughput<Net, Kind::pixels>);
    add(s + "/batch_64/fixnet", batch_64<Net, Kind::quantized>);
    add(s + "/batch_64/eigen", batch_64<Net, Kind::eigen>);
    add(s + "/batch_64/float", batch_64<Net, Kind::float_network>);
  }
}

}  // namespace

void verify_baselines() {
  verify<Mnist>();
  verify<Deep>();
}

void register_benchmarks() {
  register_shape<Mnist, true>();
  register_shape<Deep, false>();
}

}  // namespace fixnet_bench
