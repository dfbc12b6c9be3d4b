// Tests of fixnet/io/bake.hpp: headers baked at build time (by bake_models
// through fixnet::write_header, and by the fixnet-bake command) compile here
// under the project's warnings, define constant-expression networks, and
// compute bit for bit what the loaded model files compute.
#define BOOST_TEST_MODULE bake
#include <boost/test/unit_test.hpp>

#include <array>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/bake.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/io/quantized_model_file.hpp>
#include <fixnet/quantized.hpp>

#include "bake_networks.hpp"
#include "baked_blobs.hpp"
#include "baked_mnist.hpp"
#include "baked_mnist_int8.hpp"
#include "cli_mnist.hpp"
#include "cli_mnist_int8.hpp"

namespace fixnet::tests {
namespace {

// The baked types are the networks' own, and usable in constant expressions.
static_assert(std::is_same_v<baked::blobs::Network, Blobs>);
static_assert(std::is_same_v<baked_mnist::Network, Mnist>);
static_assert(std::is_same_v<cli_mnist::Network, Mnist>);
static_assert(std::is_same_v<baked_mnist_int8::Quantized, Quantized<Mnist>>);
static_assert(std::is_same_v<cli_mnist_int8::Quantized, Quantized<Mnist>>);
constexpr const auto& blobs = baked::blobs::network;
constexpr const auto& mnist = baked_mnist::network;
static_assert(blobs.layer_parameters<0>().weight(0, 0) == baked::blobs::parameters[0]);
static_assert(blobs.layer_parameters<1>().bias(2) == baked::blobs::parameters[Blobs::parameter_count - 1]);
static_assert(mnist.layer_parameters<0>().weight(49, 783) == baked_mnist::parameters[50 * 784 - 1]);

template <class Net>
std::unique_ptr<Net> load_file(const std::string& name) {
  auto net = std::make_unique<Net>();
  load(*net, std::string(FIXNET_BAKE_DIR) + "/" + name);
  return net;
}

template <class Net>
void check_same_outputs(const Net& baked, const Net& loaded) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(-2, 2);
  for (int k = 0; k < 50; ++k) {
    std::array<float, Net::inputs> x;
    for (float& v : x) v = u(rng);
    BOOST_TEST((baked.forward(x) == loaded.forward(x)));
  }
}

BOOST_AUTO_TEST_SUITE(bake)

BOOST_AUTO_TEST_CASE(baked_networks_equal_the_loaded_ones_bit_for_bit) {
  const auto b = load_file<Blobs>("blobs.safetensors");
  BOOST_TEST((*b == blobs));
  check_same_outputs(blobs, *b);
  const auto m = load_file<Mnist>("mnist.safetensors");
  BOOST_TEST((*m == mnist));
  check_same_outputs(mnist, *m);
}

BOOST_AUTO_TEST_CASE(the_command_bakes_what_write_header_bakes) {
  BOOST_TEST(cli_mnist::parameters == baked_mnist::parameters);
  BOOST_TEST(cli_mnist_int8::layer0_weights == baked_mnist_int8::layer0_weights);
  BOOST_TEST(cli_mnist_int8::layer1_biases == baked_mnist_int8::layer1_biases);
  BOOST_TEST((cli_mnist_int8::network() == baked_mnist_int8::network()));
}

BOOST_AUTO_TEST_CASE(a_baked_quantized_network_equals_the_loaded_one_bit_for_bit) {
  auto q = std::make_unique<Quantized<Mnist>>();
  load(*q, std::string(FIXNET_BAKE_DIR) + "/mnist_int8.safetensors");
  const Quantized<Mnist>& baked = baked_mnist_int8::network();
  BOOST_TEST((baked == *q));
  BOOST_TEST((baked.input_quantization() == pixels_over_255));
  std::mt19937_64 rng(5);
  for (int k = 0; k < 50; ++k) {
    std::array<std::uint8_t, 784> pixels;
    for (auto& p : pixels) p = static_cast<std::uint8_t>(rng() % 256);
    BOOST_TEST((baked.forward(pixels) == q->forward(pixels)));
  }
}

BOOST_AUTO_TEST_CASE(header_source_refuses_bad_names_and_values) {
  Blobs net = blobs;
  BOOST_CHECK_THROW(header_source(net, ""), std::invalid_argument);
  BOOST_CHECK_THROW(header_source(net, "2fast"), std::invalid_argument);
  BOOST_CHECK_THROW(header_source(net, "a-b"), std::invalid_argument);
  BOOST_CHECK_THROW(header_source(net, "a::"), std::invalid_argument);
  BOOST_TEST(header_source(net, "a::b_2").find("namespace a::b_2 {") != std::string::npos);
  net.layer_parameters<0>().bias(1) = std::numeric_limits<float>::infinity();
  BOOST_CHECK_THROW(header_source(net, "ok"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(hex_literals_are_exact) {
  for (const float v : {0.0f, -0.0f, 1.0f, -0.375f, 3.0e-39f, std::numeric_limits<float>::max(), 0.1f}) {
    const std::string s = detail::hex_literal(v);
    BOOST_TEST(std::strtof(s.c_str(), nullptr) == v);
    BOOST_TEST(std::signbit(std::strtof(s.c_str(), nullptr)) == std::signbit(v));
    BOOST_TEST(s.back() == 'f');
  }
  BOOST_TEST(detail::hex_literal(-0.375f) == "-0x1.8p-2f");
  BOOST_TEST(std::strtod(detail::hex_literal(0.1).c_str(), nullptr) == 0.1);
}

BOOST_AUTO_TEST_CASE(files_without_fixnet_metadata_are_refused_by_the_command_path) {
  safetensors::Writer w;
  const std::array<float, 2> v{1, 2};
  w.add("0.weight", std::span<const float>(v), {1, 2});
  const std::vector<std::byte> bytes = w.bytes();
  const safetensors::Reader file(bytes, "plain.safetensors");
  BOOST_CHECK_EXCEPTION(bake_model_file(file, "m"), ModelFileError, [](const ModelFileError& e) {
    return std::string(e.what()).find("plain.safetensors has no 'fixnet.layers' metadata") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace fixnet::tests
