// Tests of fixnet/io/model_file.hpp: networks round-trip bit for bit through
// bytes and files, tensor names follow nn.Sequential (with prefix and explicit
// names), every mismatch between file and type is refused with a message
// naming the tensor and leaves the network unchanged, and a save killed
// half-way leaves the previous file loadable.
#define BOOST_TEST_MODULE model_file
#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>

namespace fixnet::tests {
namespace {

namespace st = fixnet::safetensors;

using Blobs = Mlp<Sigmoid, Softmax, 2, 4, 3>;
using Mnist = Mlp<Sigmoid, Softmax, 784, 50, 10>;
using Mixed = Network<Dense<5, 8, Relu>, Dropout<8, std::ratio<1, 5>>, Dense<8, 6, Tanh>, Dense<6, 4, Identity>,
                      Dense<4, 2, Sigmoid, NoBias>>;

template <class Net>
std::unique_ptr<Net> initialized(std::uint64_t seed) {
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Uniform{-0.5, 0.5}, seed);
  return net;
}

template <class Net>
std::vector<float> parameters_of(const Net& net) {
  std::vector<float> p(Net::parameter_count);
  net.get_parameters(std::span<float, Net::parameter_count>(p.data(), p.size()));
  return p;
}

std::vector<std::string> names_in(const std::vector<std::byte>& bytes) {
  std::vector<std::string> names;
  const st::Reader file(bytes);
  for (const auto& [name, info] : file.tensors()) names.push_back(name);
  return names;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The message of the ModelFileError `f` throws, after checking that `net`
/// was left unchanged by it.
template <class Net, class F>
std::string refusal(Net& net, F&& f) {
  const std::vector<float> before = parameters_of(net);
  std::string message;
  try {
    f();
  } catch (const ModelFileError& e) {
    message = e.what();
  }
  BOOST_TEST(parameters_of(net) == before);
  return message;
}

BOOST_AUTO_TEST_SUITE(model_file)

BOOST_AUTO_TEST_CASE(networks_round_trip_bit_for_bit) {
  const auto mnist = initialized<Mnist>(1);
  const std::vector<std::byte> bytes = to_safetensors(*mnist);
  auto loaded = std::make_unique<Mnist>();
  from_safetensors(*loaded, std::span<const std::byte>(bytes));
  BOOST_TEST((*loaded == *mnist));

  const auto mixed = initialized<Mixed>(2);
  Mixed other;
  from_safetensors(other, to_safetensors(*mixed));
  BOOST_TEST((other == *mixed));

  // A double network writes F64; a float network reads it, rounded.
  BasicMlp<double, Tanh, Identity, 3, 5, 2> wide;
  initialize(wide, init::XavierUniform{}, init::Uniform{-1, 1}, 3);
  const std::vector<std::byte> wide_bytes = to_safetensors(wide);
  BOOST_TEST(st::dtype_name(st::Reader(wide_bytes).info("0.weight").dtype) == "F64");
  Mlp<Tanh, Identity, 3, 5, 2> narrow;
  from_safetensors(narrow, wide_bytes);
  BOOST_TEST(narrow.layer_parameters<0>().weight(4, 2) == static_cast<float>(wide.layer_parameters<0>().weight(4, 2)));
}

BOOST_AUTO_TEST_CASE(tensor_names_follow_nn_sequential) {
  // Linear, Sigmoid, Linear.
  BOOST_TEST(names_in(to_safetensors(Blobs{})) ==
                 (std::vector<std::string>{"0.bias", "0.weight", "2.bias", "2.weight"}),
             boost::test_tools::per_element());
  // Linear ReLU Dropout Linear Tanh Linear (Identity: no module) Linear(bias=False).
  BOOST_TEST(names_in(to_safetensors(Mixed{})) ==
                 (std::vector<std::string>{"0.bias", "0.weight", "3.bias", "3.weight", "5.bias", "5.weight",
                                           "6.weight"}),
             boost::test_tools::per_element());
  const st::Reader r(to_safetensors(Blobs{}));
  BOOST_TEST((r.info("0.weight").shape == std::vector<std::size_t>{4, 2}));
  BOOST_TEST((r.info("2.bias").shape == std::vector<std::size_t>{3}));
  BOOST_TEST(r.metadata("fixnet.network").value() == "Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>");
  BOOST_TEST(r.metadata("fixnet.scalar").value() == "float");
  BOOST_TEST(r.metadata("fixnet.version").value() == std::string(version));
  BOOST_TEST(r.metadata("format").value() == "pt");
}

BOOST_AUTO_TEST_CASE(prefix_and_explicit_names) {
  const auto net = initialized<Blobs>(4);
  const std::vector<std::byte> prefixed = to_safetensors(*net, {.prefix = "model."});
  BOOST_TEST(names_in(prefixed) ==
                 (std::vector<std::string>{"model.0.bias", "model.0.weight", "model.2.bias", "model.2.weight"}),
             boost::test_tools::per_element());
  Blobs back;
  from_safetensors(back, prefixed, {.prefix = "model."});
  BOOST_TEST((back == *net));

  const std::vector<std::byte> named = to_safetensors(*net, {.names = {"fc1", "fc2"}});
  BOOST_TEST(names_in(named) == (std::vector<std::string>{"fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"}),
             boost::test_tools::per_element());
  Blobs back2;
  from_safetensors(back2, named, {.names = {"fc1", "fc2"}});
  BOOST_TEST((back2 == *net));
  BOOST_CHECK_THROW(to_safetensors(*net, {.names = {"fc1"}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(mismatches_are_refused_and_leave_the_network_unchanged) {
  auto net = initialized<Blobs>(5);
  // Other widths: the tensor and both shapes are named.
  const std::vector<std::byte> wider = to_safetensors(Mlp<Sigmoid, Softmax, 2, 5, 3>{});
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, wider); }),
                      "<memory> has tensor '0.weight' of shape [5, 2], expected [4, 2]"));
  // Another activation, same shapes: the metadata tells.
  const std::vector<std::byte> tanh = to_safetensors(Mlp<Tanh, Softmax, 2, 4, 3>{});
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, tanh); }),
                      "layer 0 is Dense<2, 4, Tanh> in the file, Dense<2, 4, Sigmoid> in the network"));
  // Fewer layers: the missing tensors are named.
  const std::vector<std::byte> shallow = to_safetensors(Mlp<Sigmoid, Softmax, 2, 4>{});
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, shallow); }), "has no tensor 2.weight, 2.bias"));
  // More layers: the extra tensors are named, and can be ignored.
  const auto deep = initialized<Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>, Dense<3, 3, Softmax>>>(6);
  const std::vector<std::byte> deeper = to_safetensors(*deep);
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, deeper); }),
                      "tensors the network has no place for: 4.bias, 4.weight"));
  // ignore_extra skips the extra tensors but still checks the recorded layers.
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, deeper, {.ignore_extra = true}); }),
                      "network of 3 layers"));
  // A bias-free file for a network with biases.
  const std::vector<std::byte> no_bias = to_safetensors(Network<Dense<2, 4, Sigmoid, NoBias>, Dense<4, 3, Softmax>>{});
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, no_bias); }), "has no tensor 0.bias"));
  // Non-finite values.
  Blobs bad = *net;
  bad.layer_parameters<1>().bias(2) = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::byte> nan = to_safetensors(bad);
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, nan); }),
                      "non-finite value (nan) in tensor '2.bias' at index 2"));
  // Truncated.
  std::vector<std::byte> cut = to_safetensors(*net);
  cut.resize(cut.size() - 5);
  BOOST_TEST(contains(refusal(*net, [&] { from_safetensors(*net, cut); }), "run past the end"));
}

BOOST_AUTO_TEST_CASE(a_file_without_fixnet_metadata_is_checked_by_shape) {
  // What PyTorch writes: tensors only.
  const auto net = initialized<Blobs>(7);
  st::Writer w;
  std::vector<float> p = parameters_of(*net);
  w.add("0.weight", std::span<const float>(p.data(), 8), {4, 2});
  w.add("0.bias", std::span<const float>(p.data() + 8, 4), {4});
  w.add("2.weight", std::span<const float>(p.data() + 12, 12), {3, 4});
  w.add("2.bias", std::span<const float>(p.data() + 24, 3), {3});
  Mlp<Tanh, Softmax, 2, 4, 3> other_activation;  // nothing in the file says Sigmoid
  from_safetensors(other_activation, w.bytes());
  BOOST_TEST(parameters_of(other_activation) == p);
}

BOOST_AUTO_TEST_CASE(standardization_travels_with_the_model) {
  const auto net = initialized<Blobs>(8);
  const Standardization<float, 2> s{{1.5f, -2.0f}, {0.5f, 4.0f}};
  const std::vector<std::byte> bytes = to_safetensors(*net, s);
  Blobs back;
  Standardization<float, 2> s2{};
  from_safetensors(back, s2, bytes);
  BOOST_TEST((back == *net));
  BOOST_TEST((s2 == s));
  BOOST_TEST((s2(std::array<float, 2>{2.0f, 2.0f}) == std::array<float, 2>{1.0f, 1.0f}));
  // Loading the network alone names the standardization as the extra tensors.
  Blobs alone;
  BOOST_TEST(contains(refusal(alone, [&] { from_safetensors(alone, bytes); }), "holds a standardization"));
  // Asking for a standardization the file lacks.
  BOOST_TEST(contains(refusal(alone, [&] { from_safetensors(alone, s2, to_safetensors(*net)); }),
                      "holds no standardization"));
}

BOOST_AUTO_TEST_CASE(files_name_themselves_in_errors) {
  const auto dir = std::filesystem::temp_directory_path() / "fixnet_model_file_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto net = initialized<Blobs>(9);
  save(*net, dir / "blobs.safetensors");
  Blobs back;
  load(back, dir / "blobs.safetensors");
  BOOST_TEST((back == *net));
  Mlp<Sigmoid, Softmax, 2, 5, 3> wider;
  BOOST_CHECK_EXCEPTION(load(wider, dir / "blobs.safetensors"), ModelFileError, [&](const ModelFileError& e) {
    return contains(e.what(), (dir / "blobs.safetensors").string() + " has tensor '0.weight'");
  });
  BOOST_CHECK_EXCEPTION(load(back, dir / "none.safetensors"), ModelFileError,
                        [](const ModelFileError& e) { return contains(e.what(), "No such file"); });
  std::filesystem::remove_all(dir);
}

// A child saves a 4 MB network over and over; it is killed at some point of
// a save. The file must then load, and hold one of the two networks saved.
BOOST_AUTO_TEST_CASE(a_save_killed_half_way_leaves_the_previous_file) {
  using Big = Network<Dense<1024, 1024, Tanh>, Dense<1024, 10, Softmax>>;
  const auto dir = std::filesystem::temp_directory_path() / "fixnet_model_file_kill";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "big.safetensors";
  const auto a = initialized<Big>(10);
  const auto b = initialized<Big>(11);
  save(*a, path);
  auto loaded = std::make_unique<Big>();
  int interrupted = 0;
  for (int round = 0; round < 8; ++round) {
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
      for (int i = 0;; ++i) save(i % 2 ? *a : *b, path);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 23 * round));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_TEST(WIFSIGNALED(status));
    load(*loaded, path);  // throws if the file were torn
    BOOST_TEST((*loaded == *a || *loaded == *b));
    // The temporary file a killed save leaves (the kill landed mid-write).
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path() != path) {
        ++interrupted;
        std::filesystem::remove(entry.path());
      }
  }
  BOOST_TEST_MESSAGE(interrupted << " of 8 kills landed while a file was being written");
  std::filesystem::remove_all(dir);
}

// README.md's save, load and in-memory round trip, with its file names (in a
// directory of the test's own).
BOOST_AUTO_TEST_CASE(the_readme_save_and_load_round_trip) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("fixnet_model_file_readme_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  const auto trained = initialized<Blobs>(21);
  Blobs net = *trained;

  fixnet::save(net, "blobs.safetensors");  // atomic: the old file or the new one, never half
  net = Blobs{};
  fixnet::load(net, "blobs.safetensors");  // checked against Net; throws fixnet::ModelFileError
  BOOST_TEST((net == *trained));
  std::vector<std::byte> bytes = fixnet::to_safetensors(net);  // the same in memory
  BOOST_TEST((bytes == st::read_file("blobs.safetensors")));
  net = Blobs{};
  fixnet::from_safetensors(net, bytes);
  BOOST_TEST((net == *trained));

  std::filesystem::current_path(previous);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace fixnet::tests
