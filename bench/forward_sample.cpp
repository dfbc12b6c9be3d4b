// fixnet benchmarks — one sample through a network (issue 3, scenario 1):
// 2-4-3 and 784-50-10, and a width sweep (16-16-16, 64-64-64, 256-256-10),
// each as throughput and as latency (see bench/forward.hpp), against Eigen
// and fixnet's scalar reference on the same parameters; and the real-time
// regression shapes 1-8-8-1 and 16-32-32-4 with tanh hidden layers and a
// linear output, named <shape>-tanh, against bench/eigen_tanh_mlp.hpp.
#include "forward.hpp"
// After forward.hpp: included before it, GCC 12 warns (wrongly) about an
// uninitialised register in Eigen's AVX-512 max (softmax_columns).
#include "eigen_tanh_mlp.hpp"

namespace fixnet_bench {
namespace {

using Sweep16 = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 16, 16, 16>;
using Sweep64 = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 64, 64, 64>;
using Sweep256 = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 256, 256, 10>;

/// The networks, in the order of their checks and benchmarks.
using Networks = forward::OneSample<Blobs, Sweep16, Sweep64, Sweep256, Mnist>;

using Audio = fixnet::Mlp<fixnet::Tanh, fixnet::Identity, 1, 8, 8, 1>;
using Control = fixnet::Mlp<fixnet::Tanh, fixnet::Identity, 16, 32, 32, 4>;

// --- Tanh networks ----------------------------------------------------------
// The one-sample scenarios of bench/forward.hpp (throughput, latency) for
// three-layer tanh networks, whose Eigen twin is an EigenTanhMlp.

template <class Net>
struct TanhFixture {
  std::unique_ptr<Net> net = make_network<Net>(1);
  std::unique_ptr<EigenTanhMlpFor<Net>> eigen = std::make_unique<EigenTanhMlpFor<Net>>();
  AlignedVector<std::array<float, Net::inputs>> xs = random_inputs<Net::inputs>(forward::kInputs, 2);

  TanhFixture() { eigen->load(*net); }

  using network_type = Net;
  /// One sample through the Eigen twin; returns its first output.
  float eigen_one(const std::array<float, Net::inputs>& x) {
    eigen->forward(input_columns<Net::inputs, 1>(&x));
    escape(eigen->y.data);
    return eigen->y.data[0];
  }
};

template <class Net>
void register_tanh_sample() {
  forward::register_one_sample<TanhFixture<Net>>("-tanh");
}

/// fixnet and Eigen agree with the reference (outputs of order 1; Eigen's
/// tanh and fixnet's differ by a few ULP).
template <class Net>
void verify_tanh_sample() {
  TanhFixture<Net> f;
  const std::string shape = shape_name<Net>() + "-tanh";
  for (std::size_t i = 0; i < forward::kInputs; ++i) {
    const auto expected = forward::to_vector(fixnet::reference::forward(*f.net, f.xs[i]));
    check_close(shape + " forward, fixnet vs reference", expected,
                forward::to_vector(f.net->forward(f.xs[i])), forward::kTolerance);
    f.eigen->forward(input_columns<Net::inputs, 1>(&f.xs[i]));
    check_close(shape + " forward, Eigen vs reference", expected, forward::to_vector(f.eigen->y.data),
                forward::kTolerance);
  }
}

/// The tanh networks, after Networks.
template <class... Nets>
struct TanhSample {
  static void verify() { (verify_tanh_sample<Nets>(), ...); }
  static void add() { (register_tanh_sample<Nets>(), ...); }
};
using TanhNetworks = TanhSample<Audio, Control>;

}  // namespace

void verify_baselines() {
  Networks::verify();
  TanhNetworks::verify();
}

void register_benchmarks() {
  Networks::add();
  TanhNetworks::add();
}

}  // namespace fixnet_bench
