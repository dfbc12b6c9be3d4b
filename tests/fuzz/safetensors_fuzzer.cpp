// libFuzzer target: safetensors buffers from untrusted bytes
// (fixnet/io/safetensors.hpp, fixnet/io/model_file.hpp).
//
// The reader promises to accept any bytes without undefined behaviour and to
// refuse what it cannot use with a `fixnet::ModelFileError`. So each input is
// parsed by `safetensors::Reader`; when it parses, every tensor it lists is
// read (floating dtypes as float and as double, integer dtypes as their own
// type); and the bytes are loaded into a small network, with and without a
// standardisation. Only ModelFileError is expected: any other exception, a
// crash, a sanitizer report or a leak is a finding. A load that succeeds must
// round-trip through `to_safetensors`, and one that fails must leave the
// network as it was (the API's promise).
//
// Built and run by run_fuzzer.py (see docs/fuzzing.md), with clang++
// -fsanitize=fuzzer,address,undefined.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/io/safetensors.hpp>

namespace {

namespace st = fixnet::safetensors;

// 2-4-3: tensors 0.weight [4, 2], 0.bias [4], 2.weight [3, 4], 2.bias [3].
using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
using Params = std::array<float, Net::parameter_count>;

/// A broken promise of the API: reported like a crash, with a message.
[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "safetensors_fuzzer: %s\n", what);
  std::abort();
}

template <st::Element T>
void read_as(const st::Reader& reader, const std::string& name, const st::TensorInfo& info) {
  std::vector<T> out(info.element_count());
  reader.read<T>(name, info.shape, out);
  if (info.element_count() == 1 && info.shape.size() <= 1) (void)reader.read_scalar<T>(name);
}

/// Reads every tensor of a buffer the reader accepted: none may be refused.
/// Floating dtypes are read as float and as double, each integer dtype as its
/// own element type (the one that dtype_of maps to it), BOOL not at all (no
/// C++ element type reads it).
void read_every_tensor(const st::Reader& reader) {
  using IntegerTypes = std::tuple<std::int64_t, std::int32_t, std::int16_t, std::int8_t, std::uint8_t>;
  for (const auto& tensor : reader.tensors()) {
    const std::string& name = tensor.first;
    const st::TensorInfo& info = tensor.second;
    if (st::is_floating(info.dtype)) {
      read_as<float>(reader, name, info);
      read_as<double>(reader, name, info);
    }
    [&]<class... T>(std::tuple<T...>*) {
      ((info.dtype == *st::dtype_of<T> ? read_as<T>(reader, name, info) : void()), ...);
    }(static_cast<IntegerTypes*>(nullptr));
  }
}

Params parameters_of(const Net& net) {
  Params p;
  net.get_parameters(p);
  return p;
}

/// Loads the bytes into a network whose parameters are known, then checks
/// the outcome: unchanged after a refusal, and a round trip after success.
void load_network(std::span<const std::byte> bytes, bool with_standardization, bool ignore_extra) {
  Net net;
  Params before;
  for (std::size_t i = 0; i < before.size(); ++i) before[i] = 0.25f * static_cast<float>(i) - 1.0f;
  net.set_parameters(before);
  fixnet::Standardization<float, Net::inputs> s{{3.0f, -3.0f}, {2.0f, 0.5f}};
  const auto s_before = s;
  fixnet::ModelFileOptions options;
  options.ignore_extra = ignore_extra;
  try {
    if (with_standardization) {
      fixnet::from_safetensors(net, s, bytes, options);
    } else {
      fixnet::from_safetensors(net, bytes, options);
    }
  } catch (const fixnet::ModelFileError&) {
    if (parameters_of(net) != before || s != s_before)
      finding("a refused load changed the network");
    return;
  }
  // Accepted: what it loaded must survive fixnet's own write and read.
  const std::vector<std::byte> again =
      with_standardization ? fixnet::to_safetensors(net, s) : fixnet::to_safetensors(net);
  Net copy;
  fixnet::Standardization<float, Net::inputs> s_copy{};
  try {
    if (with_standardization) {
      fixnet::from_safetensors(copy, s_copy, again);
    } else {
      fixnet::from_safetensors(copy, again);
    }
  } catch (const fixnet::ModelFileError&) {
    finding("a network loaded from the input could not be saved and loaded again");
  }
  if (parameters_of(copy) != parameters_of(net) || (with_standardization && s_copy != s))
    finding("a network loaded from the input changed when saved and loaded again");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    const st::Reader reader(bytes, "<fuzz>");
    read_every_tensor(reader);
  } catch (const fixnet::ModelFileError&) {
    // Refused: the expected outcome for most inputs. The loads below parse
    // the bytes again, and must refuse them the same way.
  }
  load_network(bytes, false, false);
  load_network(bytes, false, true);
  load_network(bytes, true, false);
  return 0;
}
