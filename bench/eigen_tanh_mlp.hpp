// fixnet benchmarks — the Eigen baseline for real-time regression networks:
// In-H1-H2-Out with tanh hidden layers and a linear output (the shapes of
// audio and control models, 1-8-8-1 and 16-32-32-4), one sample at a time,
// written as fast as bench/eigen_mlp.hpp's two-layer perceptron (same
// storage, same per-layer weight layout) with Eigen's own vectorised tanh
// (a rational approximation, Eigen::internal::ptanh).
#ifndef FIXNET_BENCH_EIGEN_TANH_MLP_HPP
#define FIXNET_BENCH_EIGEN_TANH_MLP_HPP

#include <cstddef>
#include <span>
#include <vector>

#include "eigen_mlp.hpp"

namespace fixnet_bench {

/// kWeightLayout, except where Eigen insists: a 1 x In matrix (one output)
/// is row-major, an Out x 1 one (one input) column-major.
template <int In, int Out>
inline constexpr int kTanhWeightLayout =
    Out == 1 ? Eigen::RowMajor : (In == 1 ? Eigen::ColMajor : kWeightLayout<In, Out>);

/// The parameters of an In-H1-H2-Out network and its one-sample buffers.
template <int In, int H1, int H2, int Out>
struct EigenTanhMlp {
  static constexpr std::size_t parameter_count =
      std::size_t(In) * H1 + H1 + std::size_t(H1) * H2 + H2 + std::size_t(H2) * Out + Out;

  FixedBlock<H1, In, kTanhWeightLayout<In, H1>> w1;
  FixedBlock<H1, 1> b1;
  FixedBlock<H2, H1, kTanhWeightLayout<H1, H2>> w2;
  FixedBlock<H2, 1> b2;
  FixedBlock<Out, H2, kTanhWeightLayout<H2, Out>> w3;
  FixedBlock<Out, 1> b3;
  FixedBlock<H1, 1> a1;
  FixedBlock<H2, 1> a2;
  FixedBlock<Out, 1> y;

  /// Copies the parameters of a fixnet network of the same shape, through
  /// its canonical order (each layer's W row-major [out][in], then b).
  template <class Net>
  void load(const Net& net) {
    static_assert(Net::parameter_count == parameter_count);
    std::vector<float> p(parameter_count);
    net.get_parameters(std::span<float, Net::parameter_count>(p.data(), p.size()));
    std::size_t k = 0;
    auto layer = [&](auto w, auto b) {
      for (int o = 0; o < w.rows(); ++o)
        for (int i = 0; i < w.cols(); ++i) w(o, i) = p[k++];
      for (int o = 0; o < b.rows(); ++o) b(o) = p[k++];
    };
    layer(w1.m(), b1.m());
    layer(w2.m(), b2.m());
    layer(w3.m(), b3.m());
  }

  /// One sample: y = W3 tanh(W2 tanh(W1 x + b1) + b2) + b3.
  // GCC 12 warns, wrongly, that Eigen's AVX-512 tanh (through pmin,
  // _mm512_min_ps) reads an uninitialised register: the warning is about
  // the intrinsics header's code, so it is silenced here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  template <class X>
  void forward(const X& x) noexcept {
    auto a1m = a1.m();
    auto a2m = a2.m();
    auto ym = y.m();
    a1m.noalias() = w1.m() * x;
    a1m = (a1m + b1.m()).array().tanh().matrix();
    a2m.noalias() = w2.m() * a1m;
    a2m = (a2m + b2.m()).array().tanh().matrix();
    ym.noalias() = w3.m() * a2m;
    ym += b3.m();
  }
#pragma GCC diagnostic pop
};

/// The EigenTanhMlp of a three-layer fixnet network.
template <class Net>
using EigenTanhMlpFor =
    EigenTanhMlp<int(Net::inputs), int(Net::template layer_type<0>::outputs),
                 int(Net::template layer_type<1>::outputs), int(Net::outputs)>;

}  // namespace fixnet_bench

#endif  // FIXNET_BENCH_EIGEN_TANH_MLP_HPP
