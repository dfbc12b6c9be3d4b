// The C++ half of the PyTorch interop test (tests/torch_interop.py drives
// it): fixnet's side of model files exchanged with the real PyTorch.
//
//   torch_interop types
//       prints "NAME TYPE" per line: each model this program knows and the
//       C++ spelling of its fixnet type (what tools/torch_to_fixnet.py must
//       print for the same module)
//   torch_interop check NAME MODEL CASES
//       loads MODEL (a safetensors file PyTorch wrote) into NAME's type with
//       fixnet::load, runs it on CASES' tensor "inputs" [N, in] and compares
//       with CASES' "outputs" [N, out] (PyTorch's); exits 1 on a mismatch
//   torch_interop train NAME MODEL CASES SEED
//       initialises NAME's type from SEED, trains it for a few Adam or
//       gradient-descent steps, saves it to MODEL with fixnet::save and
//       writes CASES: "inputs" and fixnet's "outputs" on them
//
// Every command prints what it did; errors go to stderr with exit status 1.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>

namespace {

namespace st = fixnet::safetensors;

// The models of tests/torch_interop.py, by name; each is the fixnet type of
// the nn.Sequential built there under the same name.
using Blobs = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
using Mixed =
    fixnet::Network<fixnet::Dense<6, 16, fixnet::Relu>, fixnet::Dropout<16, std::ratio<1, 5>>,
                    fixnet::Dense<16, 12, fixnet::Tanh>, fixnet::Dense<12, 8, fixnet::Sigmoid>,
                    fixnet::Dense<8, 5, fixnet::Identity>>;
using NoBias = fixnet::Network<fixnet::Dense<2, 4, fixnet::Tanh, fixnet::NoBias>,
                               fixnet::Dense<4, 1, fixnet::Sigmoid, fixnet::NoBias>>;
// What tools/torch_to_fixnet.py converts in the test: a LeakyReLU slope other
// than the default, Dropout, a bias-free layer and an explicit nn.Softmax.
using Converted =
    fixnet::Network<fixnet::Dense<5, 7, fixnet::BasicLeakyRelu<std::ratio<1, 5>>>,
                    fixnet::Dropout<7, std::ratio<1, 4>>, fixnet::Dense<7, 6, fixnet::LeakyRelu>,
                    fixnet::Dense<6, 3, fixnet::Softmax, fixnet::NoBias>>;

// Outputs agree when |fixnet - torch| <= rel * |torch| + abs.
//
// rel = 1e-6: both sides compute in float32 from the same float32
// parameters, but in different orders (fixnet's Highway kernels with FMA,
// PyTorch's BLAS) and with different exp/tanh. Against the same networks
// evaluated in float64, PyTorch's float32 outputs are off by up to 8.5e-7
// relative (784-50-10 softmax) and fixnet's by up to 4.3e-7, so 1e-6 is
// about the tightest bound their difference can be held to; each run prints
// the share of the tolerance it used (at most 57% on the development
// machine).
//
// abs = 1e-7 (about one float32 ulp at 1): an output near zero (an
// Identity output, a sum of terms of order 1 that nearly cancel, a small
// probability) carries the absolute rounding error of the terms it came
// from, not one relative to its own size. It decides only for outputs below
// about 0.1.
constexpr double relative_tolerance = 1e-6;
constexpr double absolute_tolerance = 1e-7;

struct Comparison {
  double max_relative = 0;  // max |a - b| / |b| over b != 0
  double max_absolute = 0;
  double max_used = 0;  // max |a - b| / (rel |b| + abs): the share of the tolerance used
  std::size_t failures = 0;
  std::size_t compared = 0;
};

Comparison compare(std::span<const float> mine, std::span<const float> theirs) {
  Comparison c;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    const double a = mine[i], b = theirs[i], d = std::abs(a - b);
    c.max_absolute = std::max(c.max_absolute, d);
    if (b != 0) c.max_relative = std::max(c.max_relative, d / std::abs(b));
    c.max_used = std::max(c.max_used, d / (relative_tolerance * std::abs(b) + absolute_tolerance));
    // Written so that a NaN on either side fails.
    if (!(d <= relative_tolerance * std::abs(b) + absolute_tolerance)) {
      if (c.failures < 5)
        std::fprintf(stderr, "  mismatch at flat index %zu: fixnet %.9g, PyTorch %.9g\n", i, a, b);
      ++c.failures;
    }
    ++c.compared;
  }
  return c;
}

/// A tensor of CASES as [rows][width] floats, checked against the shape.
std::vector<float> read_matrix(const st::Reader& file, std::string_view name, std::size_t width,
                               std::size_t& rows) {
  const st::TensorInfo& info = file.info(name);
  if (info.shape.size() != 2 || info.shape[1] != width)
    file.fail("has tensor '" + std::string(name) + "' that is not of shape [N, " +
              std::to_string(width) + "]");
  rows = info.shape[0];
  std::vector<float> values(rows * width);
  const std::size_t shape[] = {rows, width};
  file.read(name, shape, std::span<float>(values));
  return values;
}

template <class Net>
std::vector<float> outputs_of(const Net& net, const std::vector<float>& inputs, std::size_t rows) {
  std::vector<float> outputs(rows * Net::outputs);
  for (std::size_t r = 0; r < rows; ++r) {
    std::array<float, Net::inputs> x;
    std::copy_n(inputs.begin() + static_cast<std::ptrdiff_t>(r * Net::inputs), Net::inputs,
                x.begin());
    const std::array<float, Net::outputs> y = net.forward(x);
    std::copy(y.begin(), y.end(), outputs.begin() + static_cast<std::ptrdiff_t>(r * Net::outputs));
  }
  return outputs;
}

template <class Net>
int check(const std::string& name, const std::string& model, const std::string& cases) {
  auto net = std::make_unique<Net>();
  fixnet::load(*net, model);  // the file's path; throws fixnet::ModelFileError on a mismatch
  const std::vector<std::byte> bytes = st::read_file(cases);
  const st::Reader file(bytes, cases);
  std::size_t rows = 0, output_rows = 0;
  const std::vector<float> inputs = read_matrix(file, "inputs", Net::inputs, rows);
  const std::vector<float> expected = read_matrix(file, "outputs", Net::outputs, output_rows);
  if (rows == 0 || rows != output_rows)
    file.fail("holds " + std::to_string(rows) + " inputs and " + std::to_string(output_rows) +
              " outputs");
  const Comparison c = compare(outputs_of(*net, inputs, rows), expected);
  std::printf(
      "%s: PyTorch -> fixnet, %zu samples, %zu outputs: max relative difference %.3g, max absolute "
      "%.3g "
      "(tolerance %g relative + %g absolute, %.0f%% of it used): %s\n",
      name.c_str(), rows, c.compared, c.max_relative, c.max_absolute, relative_tolerance,
      absolute_tolerance, 100 * c.max_used, c.failures == 0 ? "OK" : "FAIL");
  if (c.failures > 0)
    std::fprintf(stderr, "%s: %zu of %zu outputs differ\n", name.c_str(), c.failures, c.compared);
  return c.failures == 0 ? 0 : 1;
}

/// Adam for networks whose name is odd in length, gradient descent for the
/// others: both optimisers' results reach PyTorch. Mini-batches of 8 random
/// inputs with random targets in [0, 1] (mean squared error fits every
/// output activation; the targets are noise, so the loss need not fall:
/// what matters is that the parameters move); a workspace, so that Dropout
/// trains too.
template <class Net>
int train(const std::string& name, const std::string& model, const std::string& cases,
          std::uint64_t seed) {
  constexpr std::size_t batch = 8, steps = 20, samples = 200;
  auto net = std::make_unique<Net>();
  fixnet::initialize(*net, fixnet::init::XavierUniform{}, fixnet::init::Uniform{-0.5, 0.5}, seed);
  const auto initial = std::make_unique<Net>(*net);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f), unit(0.0f, 1.0f);
  auto ws = std::make_unique<fixnet::Workspace<Net, batch>>();
  ws->dropout_seed = seed;
  auto xs = std::make_unique<std::array<std::array<float, Net::inputs>, batch>>();
  auto ts = std::make_unique<std::array<std::array<float, Net::outputs>, batch>>();
  auto grads = std::make_unique<fixnet::Gradients<Net>>();
  auto adam = std::make_unique<fixnet::Adam<Net>>(fixnet::AdamOptions<float>{.lr = 0.01f});
  const bool use_adam = name.size() % 2 == 1;
  float first_loss = 0, last_loss = 0;
  for (std::size_t step = 0; step < steps; ++step) {
    for (auto& x : *xs)
      for (float& v : x) v = uniform(rng);
    for (auto& t : *ts)
      for (float& v : t) v = unit(rng);
    grads->zero();
    const float loss =
        net->backward(*xs, *ts, fixnet::MeanSquaredError{}, *grads, *ws, 1.0f / batch);
    if (step == 0) first_loss = loss;
    last_loss = loss;
    if (use_adam)
      adam->step(*net, *grads);
    else
      fixnet::GradientDescent<float>{0.5f}.step(*net, *grads);
  }
  // Training must have moved the parameters, or the reverse direction would
  // only check an initialisation.
  if (*net == *initial) {
    std::fprintf(stderr, "%s: %zu training steps left the parameters unchanged\n", name.c_str(),
                 steps);
    return 1;
  }
  fixnet::save(*net, model);

  std::vector<float> inputs(samples * Net::inputs);
  for (float& v : inputs) v = uniform(rng);
  const std::vector<float> outputs = outputs_of(*net, inputs, samples);
  st::Writer file;
  file.add("inputs", std::span<const float>(inputs), {samples, Net::inputs});
  file.add("outputs", std::span<const float>(outputs), {samples, Net::outputs});
  st::write_file_atomically(cases, file.bytes());
  std::printf(
      "%s: trained %zu steps of %s on batches of %zu (batch loss %.4f -> %.4f), saved to %s; "
      "%zu inputs and outputs in %s\n",
      name.c_str(), steps, use_adam ? "Adam" : "gradient descent", batch, first_loss, last_loss,
      model.c_str(), samples, cases.c_str());
  return 0;
}

/// Calls f.template operator()<Net>() with the network type named `name`.
template <class F>
int with_network(const std::string& name, F&& f) {
  if (name == "blobs") return f.template operator()<Blobs>();
  if (name == "mnist") return f.template operator()<Mnist>();
  if (name == "mixed") return f.template operator()<Mixed>();
  if (name == "nobias") return f.template operator()<NoBias>();
  if (name == "converted") return f.template operator()<Converted>();
  throw std::invalid_argument("unknown model '" + name +
                              "' (blobs, mnist, mixed, nobias, converted)");
}

int run(const std::vector<std::string>& args) {
  const auto usage = [] {
    std::fprintf(stderr,
                 "usage: torch_interop types\n"
                 "       torch_interop check NAME MODEL CASES\n"
                 "       torch_interop train NAME MODEL CASES SEED\n");
    return 2;
  };
  if (args.empty()) return usage();
  if (args[0] == "types" && args.size() == 1) {
    for (const char* name : {"blobs", "mnist", "mixed", "nobias", "converted"})
      with_network(name, [&]<class Net>() {
        std::printf("%s %s\n", name, fixnet::network_type_name<Net>().c_str());
        return 0;
      });
    return 0;
  }
  if (args[0] == "check" && args.size() == 4)
    return with_network(args[1],
                        [&]<class Net>() { return check<Net>(args[1], args[2], args[3]); });
  if (args[0] == "train" && args.size() == 5)
    return with_network(args[1], [&]<class Net>() {
      return train<Net>(args[1], args[2], args[3], std::stoull(args[4]));
    });
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "torch_interop: %s\n", e.what());
    return 1;
  }
}
