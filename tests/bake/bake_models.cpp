// Writes the inputs of baked_test.cpp at build time: a 2-4-3 and a
// 784-50-10 network (seeded), each as a model file and as a baked header,
// and the 784-50-10 quantized, as both too.
//   bake_models OUTDIR
#include <array>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/bake.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/io/quantized_model_file.hpp>
#include <fixnet/quantized.hpp>

#include "bake_networks.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bake_models OUTDIR\n");
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    fixnet::tests::Blobs blobs;
    fixnet::initialize(blobs, fixnet::init::XavierUniform{}, fixnet::init::Uniform{-0.5, 0.5}, 1);
    fixnet::save(blobs, dir / "blobs.safetensors");
    fixnet::write_header(blobs, dir / "baked_blobs.hpp", "baked::blobs");
    auto mnist = std::make_unique<fixnet::tests::Mnist>();
    fixnet::initialize(*mnist, fixnet::init::XavierUniform{}, fixnet::init::Uniform{-0.5, 0.5}, 2);
    fixnet::save(*mnist, dir / "mnist.safetensors");
    fixnet::write_header(*mnist, dir / "baked_mnist.hpp", "baked_mnist");
    // Its int8 form, calibrated on rows of pixels / 255.
    std::vector<std::array<float, 784>> rows(100);
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t i = 0; i < 784; ++i)
        rows[r][i] = static_cast<float>((r * 31 + i * 7) % 256) / 255.0f;
    const auto q = std::make_unique<fixnet::Quantized<fixnet::tests::Mnist>>(
        fixnet::quantize(*mnist, rows, {.input = fixnet::pixels_over_255}));
    fixnet::save(*q, dir / "mnist_int8.safetensors");
    fixnet::write_header(*q, dir / "baked_mnist_int8.hpp", "baked_mnist_int8");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bake_models: %s\n", e.what());
    return 1;
  }
  return 0;
}
