// fixnet example: model_files — what docs/model_files.md shows, run: saving
// and loading, tensor names for PyTorch modules, a refused load, the
// standardisation saved beside a network, and a header baked from a program.
//
//   model_files [DIR]     (default: model_files_out, created if missing)
#include <array>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/bake.hpp>
#include <fixnet/io/model_file.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

namespace {

int run(const std::filesystem::path& dir) {
  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 42);

  // Save and load: the names of nn.Sequential(Linear(2, 4), Sigmoid(), Linear(4, 3)).
  fixnet::save(net, dir / "blobs.safetensors");
  Net loaded;
  fixnet::load(loaded, dir / "blobs.safetensors");

  // A PyTorch module that holds its layers as self.fc1, self.fc2 ...
  fixnet::save(net, dir / "named.safetensors", {.names = {"fc1", "fc2"}});
  // ... or its nn.Sequential as self.model.
  fixnet::save(net, dir / "prefixed.safetensors", {.prefix = "model."});
  fixnet::load(loaded, dir / "prefixed.safetensors", {.prefix = "model."});

  // A file of another network is refused, and `loaded` is left as it was.
  fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 4, 3> other;
  try {
    fixnet::load(other, dir / "blobs.safetensors");
  } catch (const fixnet::ModelFileError& e) {
    std::printf("refused: %s\n", e.what());
  }

  // The preprocessing travels with the model.
  const fixnet::Standardization<float, 2> standardization{{1.5f, -2.0f}, {0.5f, 4.0f}};
  fixnet::save(net, standardization, dir / "with_preprocessing.safetensors");
  fixnet::Standardization<float, 2> preprocess;
  fixnet::load(loaded, preprocess, dir / "with_preprocessing.safetensors");
  const std::array<float, 3> y = loaded.forward(preprocess({2.0f, 2.0f}));

  // The network as a C++ constant, in a header (see examples/blobs_baked.cpp).
  fixnet::write_header(net, dir / "blobs_model.hpp", "blobs_model");

  std::printf("loaded network equals the saved one: %s; forward = %.4f %.4f %.4f\n",
              loaded == net ? "yes" : "no", y[0], y[1], y[2]);
  return loaded == net ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::filesystem::path dir = argc > 1 ? argv[1] : "model_files_out";
    std::filesystem::create_directories(dir);
    return run(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model_files: %s\n", e.what());
    return 1;
  }
}
