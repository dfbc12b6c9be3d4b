// fixnet-bake: a model file's network as a C++ header of constants (see
// fixnet/io/bake.hpp), without writing or compiling any code of one's own.
//
//   fixnet-bake mnist.safetensors --name mnist_model > mnist_model.hpp
//
// The network's type comes from the file's metadata, which fixnet and
// tools/torch_to_fixnet.py write.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <fixnet/io/bake.hpp>
#include <fixnet/io/safetensors.hpp>

int main(int argc, char** argv) {
  CLI::App app{
      "Writes a fixnet model file's network as a C++ header: `using Network = ...;` and a "
      "constexpr "
      "`network` holding its parameters (for a quantized file: its tensors as constant arrays and "
      "`network()`, the fixnet::Quantized<Network> they make).",
      "fixnet-bake"};
  std::string model, name, output, type, prefix;
  std::vector<std::string> names;
  app.add_option("model", model, "The model file (.safetensors) written by fixnet::save or torch_to_fixnet.py")
      ->required();
  app.add_option("--name", name, "Namespace of the generated definitions (e.g. my_model or acme::models::mnist)")
      ->required();
  app.add_option("-o,--output", output, "Write the header to this file (atomically) instead of standard output");
  app.add_option("--type", type, "C++ type of the network, instead of the one the file records");
  app.add_option("--prefix", prefix, "Prefix of the tensor names, as saved (ModelFileOptions::prefix)");
  app.add_option("--names", names, "Tensor name of each layer with weights, as saved (ModelFileOptions::names)")
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);

  try {
    const std::vector<std::byte> bytes = fixnet::safetensors::read_file(model);
    const fixnet::safetensors::Reader file(bytes, model);
    const std::string header = fixnet::bake_model_file(file, name, {.prefix = prefix, .names = names}, type);
    if (output.empty()) {
      std::cout << header;
      std::cout.flush();
      if (!std::cout) {
        std::cerr << "fixnet-bake: cannot write to standard output\n";
        return 1;
      }
    } else {
      fixnet::safetensors::write_file_atomically(output, std::as_bytes(std::span<const char>(header)));
      std::cerr << "fixnet-bake: wrote " << output << " (namespace " << name << ")\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "fixnet-bake: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
