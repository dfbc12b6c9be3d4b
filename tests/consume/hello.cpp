// A user's first program, built by tests/consume/consume.py through each way
// of adding fixnet to a project: it runs a network, and round-trips it
// through a model file in memory and reads a CSV file (which need every
// exported dependency: JSON, zlib, libcsv).
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>

int main() {
  using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
  Net net;
  fixnet::initialize(net, fixnet::init::XavierUniform{}, fixnet::init::Zeros{}, 42);
  const std::array<float, 3> y = net.forward(std::array<float, 2>{0.5f, -1.0f});
  Net copy;
  fixnet::from_safetensors(copy, fixnet::to_safetensors(net));
  const std::filesystem::path csv =
      std::filesystem::temp_directory_path() / ("fixnet_hello_" + std::to_string(getpid()) + ".csv");
  std::ofstream(csv) << "x,y,class\n0.5,-1,2\n1,2,0\n";
  const fixnet::data::Dataset<float, 2> data = fixnet::data::load_csv<Net>(csv);
  std::filesystem::remove(csv);
  const bool ok = copy == net && data.size() == 2 && data.label(0) == 2;
  std::printf("Highway target %s: %.4f %.4f %.4f, model file round trip and CSV %s\n",
              fixnet::simd_target(), y[0], y[1], y[2], ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
