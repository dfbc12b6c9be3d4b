// A user's first program, built by tests/consume/consume.py through each way
// of adding fixnet to a project: it runs a network, and round-trips it
// through a model file in memory (which needs every exported dependency).
#include <array>
#include <cstdio>
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
  std::printf("Highway target %s: %.4f %.4f %.4f, model file round trip %s\n", fixnet::simd_target(), y[0], y[1],
              y[2], copy == net ? "ok" : "FAILED");
  return copy == net ? 0 : 1;
}
