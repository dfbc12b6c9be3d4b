// fixnet benchmarks — the baseline a user would otherwise write: a two-layer
// perceptron (sigmoid hidden layer, softmax output, cross-entropy loss) by
// hand with Eigen 3.4 fixed-size matrices, doing the same work as fixnet.
//
// Written to be fast, so that the comparison is fair:
// - every size is a compile-time constant, so Eigen unrolls and vectorises
//   with the same knowledge fixnet has, and picks its product kernel by size
//   (coefficient-based for tiny products, GEMV, GEMM); forcing lazyProduct()
//   for the blobs network's 2- and 4-deep products was measured no faster,
//   and slower for its weight gradients;
// - each weight matrix's storage order is chosen per layer (kWeightLayout);
// - products are assigned with noalias() (no temporary for the result) and
//   a scaled product, `W.noalias() -= (lr * D) * X.transpose()`, folds the
//   scale into GEMM's alpha;
// - activations are single passes over whole matrices: Eigen's own vectorised
//   logistic() (a rational approximation, cheaper than 1 / (1 + exp(-z))),
//   and a softmax that subtracts each column's maximum and exponentiates all
//   columns in one pass;
// - an SGD step updates the weights directly from the deltas (one GEMM into
//   W) instead of materialising a gradient first; the gradient is only
//   materialised where it must be summed over chunks (full-batch training).
//
// Storage: Eigen refuses to construct any fixed-size Matrix over 128 KiB
// (EIGEN_STACK_ALLOCATION_LIMIT), wherever the object lives, heap included,
// and 784-50-10's first weight matrix is 153 KiB. So every matrix is an
// Eigen::Map with compile-time sizes over 64-byte-aligned storage, which
// generates the same code as a fixed-size Matrix without the limit; the
// owning structs are allocated on the heap.
#ifndef FIXNET_BENCH_EIGEN_MLP_HPP
#define FIXNET_BENCH_EIGEN_MLP_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

// GCC 12 warns, wrongly, that Eigen's row-major GEMV kernel loops past the
// end of its index range when the row count is a small compile-time
// constant (the loop is never entered). The warning is about Eigen's code,
// so it is silenced for Eigen's headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Waggressive-loop-optimizations"
#include <Eigen/Core>
#pragma GCC diagnostic pop

namespace fixnet_bench {

/// Floats in one of Eigen's vectors on this target (16 with AVX-512).
inline constexpr int kPacket = Eigen::internal::packet_traits<float>::size;

/// Storage order of a layer's Out x In weight matrix, chosen per layer as a
/// careful user would after measuring both (figures: this harness, AVX-512,
/// one core; 784-50-10's second layer and 64-64-64 differ by 4-8%, the rest
/// by 15-70%):
/// - column-major (Eigen's default) makes W x a sum of In columns scaled by
///   x_i, vectorised down the Out rows: best when the rows are too short for
///   dot products (In < 32: 2-4-3 forward 24 ns vs 37 ns row-major) or when
///   Out fills whole vectors (64-64-64: 400 ns vs 440 ns);
/// - row-major (fixnet's canonical order, PyTorch's) makes it In-long
///   contiguous dot products, and one-sample SGD's rank-1 update
///   W -= lr d x^T runs along the long rows: best for long rows (In >= 128)
///   and for Out that leaves vectors part-empty (784-50-10 forward 1.40 us
///   vs 1.63 us column-major, its one-sample training step 2.45 us vs
///   4.25 us; 256-256-10 2.67 us vs 2.85 us).
/// GEMM packs either order, so batches hardly care (within 3%).
template <int In, int Out>
inline constexpr int kWeightLayout =
    (In >= 128 || (In >= 32 && Out % kPacket != 0)) ? Eigen::RowMajor : Eigen::ColMajor;

template <int R, int C, int Options>
using FixedMap = Eigen::Map<Eigen::Matrix<float, R, C, Options>, Eigen::Aligned64>;
template <int R, int C, int Options>
using ConstFixedMap = Eigen::Map<const Eigen::Matrix<float, R, C, Options>, Eigen::Aligned64>;

/// One fixed-size R x C matrix: aligned storage, seen through a Map of
/// compile-time sizes (see "Storage" above).
template <int R, int C, int Options = Eigen::ColMajor>
struct FixedBlock {
  alignas(64) std::array<float, std::size_t(R) * std::size_t(C)> data{};

  FixedMap<R, C, Options> m() noexcept { return FixedMap<R, C, Options>(data.data()); }
  ConstFixedMap<R, C, Options> m() const noexcept {
    return ConstFixedMap<R, C, Options>(data.data());
  }
};

/// B samples, one per column, read in place from a data set of
/// std::array<float, In> rows: column-major In x B is exactly that memory.
/// Unaligned, since rows of a few floats do not each start on a line.
template <int In, int B>
using InputColumns = Eigen::Map<const Eigen::Matrix<float, In, B>, Eigen::Unaligned>;

template <int In, int B, class Row>
InputColumns<In, B> input_columns(const Row* rows) noexcept {
  static_assert(sizeof(Row) == In * sizeof(float));
  return InputColumns<In, B>(rows->data());
}

/// The parameters of an In-Hid-Out perceptron (and, with the same shape, its
/// gradients).
template <int In, int Hid, int Out>
struct EigenMlp {
  static constexpr int inputs = In, hidden = Hid, outputs = Out;
  static constexpr std::size_t parameter_count = std::size_t(In) * Hid + Hid + std::size_t(Hid) * Out + Out;

  FixedBlock<Hid, In, kWeightLayout<In, Hid>> w1;
  FixedBlock<Hid, 1> b1;
  FixedBlock<Out, Hid, kWeightLayout<Hid, Out>> w2;
  FixedBlock<Out, 1> b2;

  /// Copies the parameters of a fixnet network of the same shape, through
  /// its canonical order (W1 row-major [Hid][In], b1, W2 [Out][Hid], b2).
  template <class Net>
  void load(const Net& net) {
    static_assert(Net::parameter_count == parameter_count);
    std::vector<float> p(parameter_count);
    net.get_parameters(std::span<float, Net::parameter_count>(p.data(), p.size()));
    set_canonical(p);
  }

  void set_canonical(const std::vector<float>& p) {
    std::size_t k = 0;
    for (int o = 0; o < Hid; ++o)
      for (int i = 0; i < In; ++i) w1.m()(o, i) = p[k++];
    for (int o = 0; o < Hid; ++o) b1.m()(o) = p[k++];
    for (int o = 0; o < Out; ++o)
      for (int i = 0; i < Hid; ++i) w2.m()(o, i) = p[k++];
    for (int o = 0; o < Out; ++o) b2.m()(o) = p[k++];
  }

  /// The parameters in canonical order.
  std::vector<float> canonical() const {
    std::vector<float> p;
    p.reserve(parameter_count);
    for (int o = 0; o < Hid; ++o)
      for (int i = 0; i < In; ++i) p.push_back(w1.m()(o, i));
    for (int o = 0; o < Hid; ++o) p.push_back(b1.m()(o));
    for (int o = 0; o < Out; ++o)
      for (int i = 0; i < Hid; ++i) p.push_back(w2.m()(o, i));
    for (int o = 0; o < Out; ++o) p.push_back(b2.m()(o));
    return p;
  }

  void set_zero() noexcept {
    w1.m().setZero();
    b1.m().setZero();
    w2.m().setZero();
    b2.m().setZero();
  }

  /// this -= lr * g: plain gradient descent from a materialised gradient.
  void subtract_scaled(float lr, const EigenMlp& g) noexcept {
    w1.m() -= lr * g.w1.m();
    b1.m() -= lr * g.b1.m();
    w2.m() -= lr * g.w2.m();
    b2.m() -= lr * g.b2.m();
  }
};

/// The EigenMlp of a two-layer fixnet network.
template <class Net>
using EigenMlpFor = EigenMlp<int(Net::inputs), int(Net::template layer_type<0>::outputs),
                             int(Net::outputs)>;

/// Activations and deltas of B samples, one per column.
template <int Hid, int Out, int B>
struct EigenBatch {
  FixedBlock<Hid, B> a1;  // hidden activations
  FixedBlock<Hid, B> d1;  // dL/dz1
  FixedBlock<Out, B> z2;  // logits
  FixedBlock<Out, B> y;   // softmax outputs; dL/dz2 after `deltas`
};

template <class Mlp, int B>
using EigenBatchFor = EigenBatch<Mlp::hidden, Mlp::outputs, B>;

/// Each column's maximum and sum of exponentials, from which the softmax
/// is normalised and the loss's log-sum-exp is m + log(s).
template <int B>
struct SoftmaxNorms {
  Eigen::Matrix<float, 1, B> max;
  Eigen::Matrix<float, 1, B> sum;
};

/// Y = softmax of each column of Z, computed stably (each column's maximum
/// subtracted before exponentiating).
template <class ZMap, class YMap>
SoftmaxNorms<ZMap::ColsAtCompileTime> softmax_columns(const ZMap& z, YMap& y) {
  SoftmaxNorms<ZMap::ColsAtCompileTime> n;
  n.max = z.colwise().maxCoeff();
  y = (z.rowwise() - n.max).array().exp().matrix();
  n.sum = y.colwise().sum();
  y.array().rowwise() /= n.sum.array();
  return n;
}

/// Runs B samples (the columns of x) through the network: softmax outputs
/// in batch.y, logits in batch.z2, hidden activations in batch.a1.
template <int In, int Hid, int Out, int B, class X>
SoftmaxNorms<B> eigen_forward(const EigenMlp<In, Hid, Out>& net, const X& x,
                              EigenBatch<Hid, Out, B>& batch) {
  static_assert(X::RowsAtCompileTime == In && X::ColsAtCompileTime == B);
  auto a1 = batch.a1.m();
  a1.noalias() = net.w1.m() * x;
  a1 = (a1.colwise() + net.b1.m()).array().logistic().matrix();
  auto z2 = batch.z2.m();
  z2.noalias() = net.w2.m() * a1;
  z2.colwise() += net.b2.m();
  auto y = batch.y.m();
  return softmax_columns(z2, y);
}

/// Forward, then the summed cross-entropy loss against `labels` (class
/// indices) and the deltas: batch.y becomes dL/dz2 = y - onehot(label),
/// batch.d1 dL/dz1 = (W2^T dL/dz2) a1 (1 - a1). Returns the summed loss.
template <int In, int Hid, int Out, int B, class X>
float eigen_deltas(const EigenMlp<In, Hid, Out>& net, const X& x, const std::uint8_t* labels,
                   EigenBatch<Hid, Out, B>& batch) {
  const SoftmaxNorms<B> n = eigen_forward(net, x, batch);
  auto z2 = batch.z2.m();
  auto y = batch.y.m();
  // Loss from the logits: lse(z) - z[label], finite for any logits.
  float loss = (n.max.array() + n.sum.array().log()).sum();
  for (int b = 0; b < B; ++b) {
    loss -= z2(labels[b], b);
    y(labels[b], b) -= 1.0f;
  }
  auto a1 = batch.a1.m();
  auto d1 = batch.d1.m();
  d1.noalias() = net.w2.m().transpose() * y;
  d1.array() *= a1.array() * (1.0f - a1.array());
  return loss;
}

/// Adds the summed gradient of B samples to `grads`; returns the summed loss.
template <int In, int Hid, int Out, int B, class X>
float eigen_accumulate_gradients(const EigenMlp<In, Hid, Out>& net, const X& x,
                                 const std::uint8_t* labels, EigenBatch<Hid, Out, B>& batch,
                                 EigenMlp<In, Hid, Out>& grads) {
  const float loss = eigen_deltas(net, x, labels, batch);
  const auto d2 = batch.y.m();
  const auto d1 = batch.d1.m();
  grads.w2.m().noalias() += d2 * batch.a1.m().transpose();
  grads.b2.m() += d2.rowwise().sum();
  grads.w1.m().noalias() += d1 * x.transpose();
  grads.b1.m() += d1.rowwise().sum();
  return loss;
}

/// One step of gradient descent on the summed gradient of B samples,
/// theta -= lr * g, with the gradient folded into the update (no gradient
/// buffer). Returns the summed loss before the step.
template <int In, int Hid, int Out, int B, class X>
float eigen_sgd_step(EigenMlp<In, Hid, Out>& net, const X& x, const std::uint8_t* labels,
                     EigenBatch<Hid, Out, B>& batch, float lr) {
  // Both deltas are computed before W2 changes: d1 needs the old W2.
  const float loss = eigen_deltas(net, x, labels, batch);
  const auto d2 = batch.y.m();
  const auto d1 = batch.d1.m();
  net.w2.m().noalias() -= (lr * d2) * batch.a1.m().transpose();
  net.b2.m().noalias() -= lr * d2.rowwise().sum();
  net.w1.m().noalias() -= (lr * d1) * x.transpose();
  net.b1.m().noalias() -= lr * d1.rowwise().sum();
  return loss;
}

}  // namespace fixnet_bench

#endif  // FIXNET_BENCH_EIGEN_MLP_HPP
