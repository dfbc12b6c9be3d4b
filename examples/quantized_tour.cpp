// Quantized inference (fixnet/quantized.hpp) as the README and
// docs/quantized.md show it, compiled and run by the test suite: a 784-50-10
// network quantized to int8, run from floats and from raw pixels, saved,
// loaded and baked. Exits 1 if the quantized network disagrees with itself
// or strays from the float one.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/io/bake.hpp>
#include <fixnet/io/quantized_model_file.hpp>
#include <fixnet/quantized.hpp>

using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

/// An image-like row: pixels / 255, as the MNIST loaders give.
std::array<std::uint8_t, 784> some_pixels(std::uint32_t seed) {
  std::array<std::uint8_t, 784> p{};
  for (std::size_t i = 0; i < 784; ++i)
    p[i] = static_cast<std::uint8_t>((seed * 2654435761u + i * 40503u) >> 24);
  return p;
}
std::array<float, 784> as_floats(const std::array<std::uint8_t, 784>& pixels) {
  std::array<float, 784> x{};
  for (std::size_t i = 0; i < 784; ++i) x[i] = static_cast<float>(pixels[i]) / 255.0f;
  return x;
}

int main() {
  std::printf("Highway target: %s\n", fixnet::simd_target());
  auto net = std::make_unique<Mnist>();  // a trained network in practice
  fixnet::initialize(*net, fixnet::init::XavierUniform{}, fixnet::init::Uniform{-0.1, 0.1}, 7);

  // Rows like the ones the network will see: a few hundred to a few thousand.
  std::vector<std::array<float, 784>> calibration_rows;
  for (std::uint32_t s = 0; s < 500; ++s) calibration_rows.push_back(as_floats(some_pixels(s)));

  // int8 weights, uint8 activations; inputs coded as raw pixels.
  const auto q = fixnet::quantize(*net, calibration_rows, {.input = fixnet::pixels_over_255});

  const std::array<std::uint8_t, 784> pixels = some_pixels(1000);
  const std::array<float, 784> x = as_floats(pixels);
  // Floats in, as net->forward(x); or the raw pixels (std::array<std::uint8_t, 784>).
  const std::array<float, 10> y = q.forward(x);
  const std::array<float, 10> z = q.forward(pixels);

  const std::array<float, 10> f = net->forward(x);
  float largest = 0;
  for (std::size_t k = 0; k < 10; ++k) largest = std::max(largest, std::abs(y[k] - f[k]));
  std::printf("784-50-10: %zu bytes float, %zu bytes int8; largest output difference %.4f\n",
              sizeof(Mnist), sizeof(q), largest);

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "fixnet_quantized_tour";
  std::filesystem::create_directories(dir);
  fixnet::save(q, dir / "mnist-int8.safetensors");
  auto loaded = std::make_unique<fixnet::Quantized<Mnist>>();
  fixnet::load(*loaded, dir / "mnist-int8.safetensors");
  fixnet::write_header(q, dir / "mnist_int8.hpp", "mnist_int8");  // defines mnist_int8::network()
  std::printf("saved, loaded%s and baked (%ju bytes of header)\n",
              *loaded == q ? " (equal)" : " (DIFFERENT)",
              static_cast<std::uintmax_t>(std::filesystem::file_size(dir / "mnist_int8.hpp")));
  std::filesystem::remove_all(dir);
  return y == z && *loaded == q && largest < 0.05f ? 0 : 1;
}
