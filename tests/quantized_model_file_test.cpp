// Tests of fixnet/io/quantized_model_file.hpp: quantized networks round-trip
// exactly through bytes and files, under the float network's tensor names
// with integer dtypes, and every file that does not hold the network (a
// float file, another network, a tampered value) is refused with a message
// and leaves it unchanged.
#define BOOST_TEST_MODULE quantized_model_file
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/io/quantized_model_file.hpp>
#include <fixnet/quantized.hpp>

namespace fixnet::tests {
namespace {

namespace st = fixnet::safetensors;

/// Sigmoid hidden layers (tables), a dropout, ReLU, no bias at the end.
using Mixed = Network<Dense<12, 9, Sigmoid>, Dropout<9, std::ratio<1, 5>>, Dense<9, 7, Relu>,
                      Dense<7, 3, Softmax, NoBias>>;

template <class Net>
std::unique_ptr<Quantized<Net>> quantized(std::uint64_t seed) {
  Net net;
  initialize(net, init::XavierUniform{}, init::Uniform{-0.5, 0.5}, seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<std::array<float, Net::inputs>> rows(64);
  for (auto& r : rows)
    for (auto& v : r) v = u(rng);
  return std::make_unique<Quantized<Net>>(quantize(net, rows));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The message of the ModelFileError that loading `bytes` into a copy of q
/// throws, after checking that the copy was left unchanged.
template <class Q>
std::string refusal(const Q& q, const std::vector<std::byte>& bytes) {
  auto copy = std::make_unique<Q>(q);
  try {
    from_safetensors(*copy, bytes);
  } catch (const ModelFileError& e) {
    BOOST_TEST((*copy == q));
    return e.what();
  }
  BOOST_FAIL("the file was accepted");
  return {};
}

/// The file `bytes` rewritten with `change(name, values)` applied to each
/// F32 tensor's values (a valid file again: new CRC).
template <class Change>
std::vector<std::byte> rewritten(const std::vector<std::byte>& bytes, Change&& change) {
  const st::Reader file(bytes);
  st::Writer out;
  const auto copy = [&]<class T>(const std::string& name, const st::TensorInfo& info, T) {
    std::vector<T> values(info.element_count());
    file.read(name, info.shape, std::span<T>(values));
    if constexpr (std::is_same_v<T, float>) change(name, values);
    out.add(name, std::span<const T>(values), info.shape);
  };
  for (const auto& [name, info] : file.tensors()) {
    if (info.dtype == st::Dtype::I8) copy(name, info, std::int8_t{});
    if (info.dtype == st::Dtype::I32) copy(name, info, std::int32_t{});
    if (info.dtype == st::Dtype::F32) copy(name, info, float{});
  }
  for (const auto& [key, value] : file.metadata())
    if (key != st::crc_key) out.set_metadata(key, value);
  return out.bytes();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(quantized_model_file)

BOOST_AUTO_TEST_CASE(a_quantized_network_round_trips_exactly) {
  const auto q = quantized<Mixed>(1);
  const std::vector<std::byte> bytes = to_safetensors(*q);
  auto r = std::make_unique<Quantized<Mixed>>();
  from_safetensors(*r, bytes);
  BOOST_TEST((*r == *q));
  const std::array<float, 12> x{0.1f, -0.3f, 0.5f,  0.7f, -0.9f, 0.2f,
                                0.0f, 1.0f,  -1.0f, 0.4f, 0.6f,  -0.2f};
  BOOST_TEST(r->forward(x) == q->forward(x), boost::test_tools::per_element());

  const auto dir = std::filesystem::temp_directory_path() / "fixnet_quantized_model_file_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "mixed-int8.safetensors";
  save(*q, path);
  auto from_file = std::make_unique<Quantized<Mixed>>();
  load(*from_file, path);
  BOOST_TEST((*from_file == *q));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(tensors_are_named_as_the_float_network_with_integer_dtypes) {
  const auto q = quantized<Mixed>(2);
  const std::vector<std::byte> bytes = to_safetensors(*q);
  const st::Reader file(bytes);
  // nn.Sequential: Linear 0, Sigmoid 1, Dropout 2, Linear 3, ReLU 4, Linear 5.
  BOOST_TEST((file.info("0.weight").dtype == st::Dtype::I8));
  BOOST_TEST((file.info("0.weight").shape == std::vector<std::size_t>{9, 12}));
  BOOST_TEST((file.info("0.weight_scale").dtype == st::Dtype::F32));
  BOOST_TEST((file.info("0.bias").dtype == st::Dtype::I32));
  BOOST_TEST(file.read_scalar<float>("0.table_limit") == q->layer<0>().table_limit());
  BOOST_TEST(file.read_scalar<std::int32_t>("3.input_zero_point") ==
             q->layer<1>().input().zero_point);
  BOOST_TEST(file.read_scalar<float>("3.output_scale") == q->layer<1>().output().scale);
  BOOST_TEST(!file.contains("3.table_limit"));   // ReLU: no table
  BOOST_TEST(!file.contains("5.output_scale"));  // the last layer gives floats
  BOOST_TEST(file.info("5.weight").shape == (std::vector<std::size_t>{3, 7}));
  BOOST_TEST(std::string(*file.metadata("fixnet.quantization")) ==
             std::string(quantization_scheme));
  BOOST_TEST(holds_quantized_network(file));
  // Other names, as for float networks.
  const auto named = to_safetensors(*q, {.names = {"fc1", "fc2", "out"}});
  BOOST_TEST(st::Reader(named).contains("fc2.weight_scale"));
  auto r = std::make_unique<Quantized<Mixed>>();
  from_safetensors(*r, named, {.names = {"fc1", "fc2", "out"}});
  BOOST_TEST((*r == *q));
}

BOOST_AUTO_TEST_CASE(files_that_do_not_hold_the_network_are_refused) {
  const auto q = quantized<Mixed>(3);
  // A float network's file.
  Mixed net;
  const std::string from_float = refusal(*q, to_safetensors(net));
  BOOST_TEST(contains(from_float, "holds no quantized network"), from_float);
  // A quantized file into a float network.
  try {
    from_safetensors(net, to_safetensors(*q));
    BOOST_FAIL("a float network loaded a quantized file");
  } catch (const ModelFileError& e) {
    BOOST_TEST(contains(e.what(), "holds a quantized network"), e.what());
  }
  // Another network of the same shapes (tanh for sigmoid).
  using Other = Network<Dense<12, 9, Tanh>, Dropout<9, std::ratio<1, 5>>, Dense<9, 7, Relu>,
                        Dense<7, 3, Softmax, NoBias>>;
  const std::string other = refusal(*q, to_safetensors(*quantized<Other>(4)));
  BOOST_TEST(contains(other, "layer 0 is Dense<12, 9, Tanh>"), other);
  // A zero weight scale.
  const std::string tampered =
      refusal(*q, rewritten(to_safetensors(*q), [](const std::string& name, auto& values) {
        if (name == "0.weight_scale") values[0] = 0.0f;
      }));
  BOOST_TEST(
      contains(tampered, "invalid quantized layer '0.': a weight scale is not finite and positive"),
      tampered);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
