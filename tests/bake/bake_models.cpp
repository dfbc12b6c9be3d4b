// Writes the inputs of baked_test.cpp at build time: a 2-4-3 and a
// 784-50-10 network (seeded), each as a model file and as a baked header.
//   bake_models OUTDIR
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/bake.hpp>
#include <fixnet/io/model_file.hpp>

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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bake_models: %s\n", e.what());
    return 1;
  }
  return 0;
}
