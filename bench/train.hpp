// fixnet benchmarks — training scenarios (issue 3, scenarios 3 to 5), as
// templates; bench/train_step.cpp and bench/train_data.cpp instantiate and
// register them.
//
// Every step is forward, backward (cross-entropy on softmax, class-index
// targets) and a plain gradient-descent update, done by each implementation
// the way its user would write it:
// - fixnet: the fused GradientDescent{lr}.step(net, xs, targets, loss, ws)
//   (backward straight into the parameters); over chunks, where the
//   gradient must be summed first, grads.zero(); net.backward(...) (adds the
//   summed gradient); GradientDescent{lr}.step(net, grads);
// - Eigen: the deltas, then the update straight from them,
//   W -= lr * delta * x^T (eigen_sgd_step); over chunks, where the gradient
//   must be summed first, into a gradient buffer (eigen_accumulate_gradients);
// - the reference: grads.zero(); reference::backward per sample; fixnet's
//   GradientDescent for the update (the reference has no optimiser).
// Mean gradients (mini-batches, MNIST) fold 1/B into the learning rate, the
// same for all three.
#ifndef FIXNET_BENCH_TRAIN_HPP
#define FIXNET_BENCH_TRAIN_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "../tests/reference.hpp"
#include "common.hpp"
#include "eigen_mlp.hpp"

namespace fixnet_bench::train {

using Loss = fixnet::CrossEntropy;

/// Samples the one-step scenarios cycle through: a batch of 32 alternates
/// between two halves, one sample walks all 64 (196 KiB for 784 inputs,
/// which stay in L2 with the weights and gradients).
constexpr std::size_t kPool = 64;

/// The learning rate of the MNIST reference (mean gradients).
constexpr float kLearningRate = 0.1f;

template <std::size_t In>
using Row = std::array<float, In>;

/// fixnet's summed gradient of B samples (class-index targets).
template <class Net, int B>
float fixnet_backward(const Net& net, const Row<Net::inputs>* xs, const std::uint8_t* labels,
                      fixnet::Gradients<Net>& grads, fixnet::Workspace<Net, B>& ws) {
  if constexpr (B == 1) {
    return net.backward(*xs, *labels, Loss{}, grads);
  } else {
    return net.backward(std::span<const Row<Net::inputs>, B>(xs, B),
                        std::span<const std::uint8_t, B>(labels, B), Loss{}, grads, ws);
  }
}

/// fixnet's fused plain-SGD step on B samples (GradientDescent::step with the
/// data: the update goes straight into the parameters); returns the loss.
template <class Net, int B>
float fixnet_sgd_step(Net& net, const Row<Net::inputs>* xs, const std::uint8_t* labels, float lr,
                      fixnet::Workspace<Net, B>& ws) {
  const fixnet::GradientDescent<float> sgd{lr};
  if constexpr (B == 1) {
    return sgd.step(net, *xs, *labels, Loss{});
  } else {
    return sgd.step(net, std::span<const Row<Net::inputs>, B>(xs, B),
                    std::span<const std::uint8_t, B>(labels, B), Loss{}, ws);
  }
}

/// The reference's summed gradient of n samples.
template <class Net>
float reference_backward(const Net& net, const Row<Net::inputs>* xs, const std::uint8_t* labels,
                         std::size_t n, fixnet::Gradients<Net>& grads) {
  float loss = 0;
  for (std::size_t b = 0; b < n; ++b)
    loss += fixnet::reference::backward(net, xs[b], labels[b], Loss{}, grads);
  return loss;
}

/// One step of `sgd` on the reference's summed gradient of n samples (made
/// in `grads`); returns the loss.
template <class Net>
float reference_sgd_step(Net& net, const Row<Net::inputs>* xs, const std::uint8_t* labels,
                         std::size_t n, const fixnet::GradientDescent<float>& sgd,
                         fixnet::Gradients<Net>& grads) {
  grads.zero();
  const float loss = reference_backward(net, xs, labels, n, grads);
  sgd.step(net, grads);
  return loss;
}

/// Times `pass()`, which trains Net on `samples` samples and returns the
/// loss, once per iteration.
template <class Net, class Pass>
void time_training(benchmark::State& state, double samples, Pass&& pass) {
  for (auto _ : state) {
    const float loss = pass();
    benchmark::DoNotOptimize(loss);
  }
  set_sample_counters(state, samples, training_flops<Net>());
}

/// A network, its Eigen twin, gradient and scratch buffers for batches of B.
template <class Net, int B>
struct Trainer {
  using Eigen = EigenMlpFor<Net>;

  std::unique_ptr<Net> net = make_network<Net>(1);
  std::unique_ptr<fixnet::Gradients<Net>> grads = std::make_unique<fixnet::Gradients<Net>>();
  std::unique_ptr<fixnet::Workspace<Net, B>> ws = std::make_unique<fixnet::Workspace<Net, B>>();
  std::unique_ptr<Eigen> eigen = std::make_unique<Eigen>();
  std::unique_ptr<Eigen> eigen_grads = std::make_unique<Eigen>();
  std::unique_ptr<EigenBatchFor<Eigen, B>> batch = std::make_unique<EigenBatchFor<Eigen, B>>();

  Trainer() { eigen->load(*net); }
};

// --- One training step (scenario 3) ----------------------------------------

template <class Net, int B>
struct StepFixture : Trainer<Net, B> {
  static_assert(kPool % B == 0);
  AlignedVector<Row<Net::inputs>> xs = random_inputs<Net::inputs>(kPool, 2);
  std::vector<std::uint8_t> labels = random_labels<Net::outputs>(kPool, 3);
  std::size_t next = 0;

  /// The first sample of the next batch of the pool, in turn.
  std::size_t next_batch() {
    const std::size_t first = next;
    next = (next + B) % kPool;
    return first;
  }
};

template <class Net, int B>
void step_fixnet(benchmark::State& state) {
  StepFixture<Net, B> f;
  time_training<Net>(state, B, [&] {
    const std::size_t i = f.next_batch();
    return fixnet_sgd_step<Net, B>(*f.net, &f.xs[i], &f.labels[i], kLearningRate / B, *f.ws);
  });
}

template <class Net, int B>
void step_eigen(benchmark::State& state) {
  StepFixture<Net, B> f;
  time_training<Net>(state, B, [&] {
    const std::size_t i = f.next_batch();
    return eigen_sgd_step(*f.eigen, input_columns<Net::inputs, B>(&f.xs[i]), &f.labels[i],
                          *f.batch, kLearningRate / B);
  });
}

template <class Net, int B>
void step_reference(benchmark::State& state) {
  StepFixture<Net, B> f;
  const fixnet::GradientDescent<float> sgd{kLearningRate / B};
  time_training<Net>(state, B, [&] {
    const std::size_t i = f.next_batch();
    return reference_sgd_step(*f.net, &f.xs[i], &f.labels[i], B, sgd, *f.grads);
  });
}

/// "train_step/784-50-10/sample" for B = 1, ".../batch_32" for B = 32.
template <class Net, int B>
std::string step_scenario() {
  return "train_step/" + shape_name<Net>() + "/" +
         (B == 1 ? std::string("sample") : "batch_" + std::to_string(B));
}

/// Registers the step scenarios of Net at each batch size, in that order.
template <class Net, int... Bs>
void register_steps() {
  (add_contenders(step_scenario<Net, Bs>(), step_fixnet<Net, Bs>, step_eigen<Net, Bs>,
                  step_reference<Net, Bs>),
   ...);
}

// --- Checks -----------------------------------------------------------------

/// The values of a network's parameters, or of its gradients, in canonical
/// order.
template <class Parameters>
std::vector<float> canonical(const Parameters& p) {
  std::vector<float> v(Parameters::parameter_count);
  p.get_parameters(std::span<float, Parameters::parameter_count>(v.data(), v.size()));
  return v;
}

/// Tolerance for values of the size of `expected`'s largest: float sums
/// over up to a few thousand samples in different orders, and exp and
/// sigmoid approximations a few ULP apart.
inline float tolerance_for(const std::vector<float>& expected, float relative) {
  float largest = 1.0f;
  for (float v : expected) largest = std::max(largest, std::abs(v));
  return relative * largest;
}

/// On the B samples at xs: fixnet's summed gradient and loss match Eigen's
/// (and, when `with_reference`, the reference's), and one step of
/// fixnet's gradient descent leaves the same parameters as Eigen's fused
/// step, at learning rate lr.
template <class Net, int B>
void verify_training(const std::string& what, const Row<Net::inputs>* xs,
                     const std::uint8_t* labels, float lr, bool with_reference) {
  Trainer<Net, B> t;
  const auto x = input_columns<Net::inputs, B>(xs);

  t.grads->zero();
  const float loss = fixnet_backward<Net, B>(*t.net, xs, labels, *t.grads, *t.ws);
  t.eigen_grads->set_zero();
  const float eigen_loss =
      eigen_accumulate_gradients(*t.eigen, x, labels, *t.batch, *t.eigen_grads);
  const std::vector<float> grads = canonical(*t.grads);
  const std::vector<float> eigen_grads = t.eigen_grads->canonical();
  check_close(what + " loss, fixnet vs Eigen", {eigen_loss}, {loss}, 1e-4f * std::abs(eigen_loss));
  check_close(what + " gradient, fixnet vs Eigen", eigen_grads, grads,
              tolerance_for(eigen_grads, 1e-4f));
  if (with_reference) {
    fixnet::Gradients<Net>& reference_grads = *t.grads;
    reference_grads.zero();
    const float reference_loss = reference_backward(*t.net, xs, labels, B, reference_grads);
    const std::vector<float> expected = canonical(reference_grads);
    check_close(what + " loss, fixnet vs reference", {reference_loss}, {loss},
                1e-4f * std::abs(reference_loss));
    check_close(what + " gradient, fixnet vs reference", expected, grads,
                tolerance_for(expected, 1e-4f));
    check_close(what + " gradient, Eigen vs reference", expected, eigen_grads,
                tolerance_for(expected, 1e-4f));
  }

  // The steps: fixnet's from its gradient, fixnet's fused one (on a copy),
  // Eigen's fused one.
  auto fused = std::make_unique<Net>(*t.net);
  fixnet_sgd_step<Net, B>(*fused, xs, labels, lr, *t.ws);
  t.grads->zero();
  fixnet_backward<Net, B>(*t.net, xs, labels, *t.grads, *t.ws);
  fixnet::GradientDescent<float>{lr}.step(*t.net, *t.grads);
  eigen_sgd_step(*t.eigen, x, labels, *t.batch, lr);
  const std::vector<float> stepped = canonical(*t.net);
  check_close(what + " parameters after one step, fixnet vs Eigen", stepped, t.eigen->canonical(),
              tolerance_for(stepped, 1e-5f));
  check_close(what + " parameters after one step, fixnet fused vs gradient + step", stepped,
              canonical(*fused), tolerance_for(stepped, 1e-5f));
}

/// verify_training on the first B samples of a step fixture's pool.
template <class Net, int B>
void verify_step() {
  StepFixture<Net, B> f;
  verify_training<Net, B>(shape_name<Net>() + " batch " + std::to_string(B), f.xs.data(),
                          f.labels.data(), kLearningRate, true);
}

/// verify_step at each batch size.
template <class Net, int... Bs>
void verify_steps() {
  (verify_step<Net, Bs>(), ...);
}

// --- One Adam step on one sample --------------------------------------------
// What online learning with Adam pays per sample: the gradient of one sample
// (fixnet: net.backward into a zeroed gradient set; Eigen: its deltas into
// a zeroed gradient buffer), then Adam's update from it (fixnet::Adam;
// EigenAdam below, the same formula).

/// The learning rate of the Adam scenarios.
constexpr float kAdamLearningRate = 1e-3f;

/// Adam on an EigenMlp's parameters, PyTorch's formula as fixnet::Adam
/// applies it: m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2,
/// p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
template <class Eigen>
struct EigenAdam {
  static constexpr float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  std::unique_ptr<Eigen> m = std::make_unique<Eigen>(), v = std::make_unique<Eigen>();
  int t = 0;

  EigenAdam() {
    m->set_zero();
    v->set_zero();
  }

  void step(Eigen& p, const Eigen& g, float lr) noexcept {
    ++t;
    const float step_size = lr / float(1 - std::pow(double(beta1), t));
    const float root_correction = float(std::sqrt(1 - std::pow(double(beta2), t)));
    const auto update = [&](auto&& w, const auto& gw, auto&& mw, auto&& vw) {
      mw = beta1 * mw + (1 - beta1) * gw;
      vw = beta2 * vw + (1 - beta2) * gw.square();
      w -= step_size * mw / (vw.sqrt() / root_correction + eps);
    };
    update(p.w1.m().array(), g.w1.m().array(), m->w1.m().array(), v->w1.m().array());
    update(p.b1.m().array(), g.b1.m().array(), m->b1.m().array(), v->b1.m().array());
    update(p.w2.m().array(), g.w2.m().array(), m->w2.m().array(), v->w2.m().array());
    update(p.b2.m().array(), g.b2.m().array(), m->b2.m().array(), v->b2.m().array());
  }
};

/// One Adam step of fixnet on sample i of f's pool; returns the loss.
template <class Net>
float fixnet_adam_step(StepFixture<Net, 1>& f, fixnet::Adam<Net>& adam, std::size_t i) {
  f.grads->zero();
  const float loss = f.net->backward(f.xs[i], f.labels[i], Loss{}, *f.grads);
  adam.step(*f.net, *f.grads);
  return loss;
}

/// One Adam step of the Eigen twin on sample i of f's pool; returns the loss.
template <class Net>
float eigen_adam_step(StepFixture<Net, 1>& f, EigenAdam<typename StepFixture<Net, 1>::Eigen>& adam,
                      std::size_t i) {
  f.eigen_grads->set_zero();
  const float loss = eigen_accumulate_gradients(*f.eigen, input_columns<Net::inputs, 1>(&f.xs[i]),
                                                &f.labels[i], *f.batch, *f.eigen_grads);
  adam.step(*f.eigen, *f.eigen_grads, kAdamLearningRate);
  return loss;
}

template <class Net>
void adam_fixnet(benchmark::State& state) {
  StepFixture<Net, 1> f;
  fixnet::Adam<Net> adam({.lr = kAdamLearningRate});
  time_training<Net>(state, 1, [&] { return fixnet_adam_step(f, adam, f.next_batch()); });
}

template <class Net>
void adam_eigen(benchmark::State& state) {
  StepFixture<Net, 1> f;
  EigenAdam<typename StepFixture<Net, 1>::Eigen> adam;
  time_training<Net>(state, 1, [&] { return eigen_adam_step(f, adam, f.next_batch()); });
}

template <class Net>
void adam_reference(benchmark::State& state) {
  StepFixture<Net, 1> f;
  fixnet::Adam<Net> adam({.lr = kAdamLearningRate});
  time_training<Net>(state, 1, [&] {
    const std::size_t i = f.next_batch();
    f.grads->zero();
    const float loss = reference_backward(*f.net, &f.xs[i], &f.labels[i], 1, *f.grads);
    adam.step(*f.net, *f.grads);
    return loss;
  });
}

/// "train_step/784-50-10/sample_adam".
template <class Net>
void register_adam_step() {
  add_contenders("train_step/" + shape_name<Net>() + "/sample_adam", adam_fixnet<Net>,
                 adam_eigen<Net>, adam_reference<Net>);
}

/// Ten Adam steps on one sample at a time leave fixnet's and Eigen's
/// parameters the same.
template <class Net>
void verify_adam_step() {
  StepFixture<Net, 1> fixnet_side, eigen_side;
  fixnet::Adam<Net> adam({.lr = kAdamLearningRate});
  EigenAdam<typename StepFixture<Net, 1>::Eigen> eigen_adam;
  for (int k = 0; k < 10; ++k) {
    const std::size_t i = fixnet_side.next_batch();
    fixnet_adam_step(fixnet_side, adam, i);
    eigen_adam_step(eigen_side, eigen_adam, i);
  }
  const std::vector<float> stepped = canonical(*fixnet_side.net);
  check_close(shape_name<Net>() + " parameters after ten Adam steps, fixnet vs Eigen", stepped,
              eigen_side.eigen->canonical(), tolerance_for(stepped, 1e-5f));
}

}  // namespace fixnet_bench::train

#endif  // FIXNET_BENCH_TRAIN_HPP
