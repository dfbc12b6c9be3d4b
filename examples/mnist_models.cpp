// The model files of the MNIST examples (see mnist_networks.hpp): --save's
// checks and fixnet::save for each network, compiled once into a library
// that mnist, deep and galaxy_style link, so that the JSON and safetensors
// code is not compiled into every example.
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/core.h>

#include <fixnet/io/model_file.hpp>

#include "mnist_networks.hpp"
#include "output_files.hpp"

namespace examples::mnist {

namespace {

template <class Net>
void save(const Net& net, const std::string& path, const ModelInfo& info) {
  fixnet::ModelFileOptions options;
  options.metadata = {{std::string(program_key), info.program},
                      {std::string(classes_key), info.classes},
                      {std::string(preprocessing_key), std::string(pixels_over_255)},
                      {std::string(evaluation_batch_key), std::to_string(info.evaluation_batch)},
                      {std::string(data_key), info.data}};
  fixnet::save(net, path, options);
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  fmt::print("model saved to {} ({}, {} parameters{})\n", path, fixnet::describe_network<Net>(),
             Net::parameter_count, ec ? "" : fmt::format(", {} bytes", bytes));
}

}  // namespace

void check_not_inputs(std::span<const Output> outputs, const fixnet::data::MnistFiles& inputs) {
  const std::filesystem::path files[] = {inputs.train_images, inputs.train_labels, inputs.test_images,
                                         inputs.test_labels};
  examples::check_not_inputs(outputs, files);
}

void save_model(const MnistNetwork& net, const std::string& path, const ModelInfo& info) {
  save(net, path, info);
}
void save_model(const DeepNetwork& net, const std::string& path, const ModelInfo& info) {
  save(net, path, info);
}
void save_model(const GalaxyNetwork& net, const std::string& path, const ModelInfo& info) {
  save(net, path, info);
}

}  // namespace examples::mnist
