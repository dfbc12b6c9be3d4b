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
#include <fixnet/io/quantized_model_file.hpp>
#include <fixnet/quantized.hpp>

#include "mnist_networks.hpp"
#include "output_files.hpp"

namespace examples::mnist {

namespace {

template <class Net>
std::size_t parameter_count(const Net&) {
  return Net::parameter_count;
}
template <class Net>
std::size_t parameter_count(const fixnet::Quantized<Net>&) {
  return Net::parameter_count;
}
template <class Net>
std::string description(const Net&) {
  return fixnet::describe_network<Net>();
}
template <class Net>
std::string description(const fixnet::Quantized<Net>&) {
  return "int8 " + fixnet::describe_network<Net>();
}

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
  fmt::print("model saved to {} ({}, {} parameters{})\n", path, description(net),
             parameter_count(net), ec ? "" : fmt::format(", {} bytes", bytes));
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
void save_model(const fixnet::Quantized<MnistNetwork>& q, const std::string& path,
                const ModelInfo& info) {
  save(q, path, info);
}
void save_model(const fixnet::Quantized<DeepNetwork>& q, const std::string& path,
                const ModelInfo& info) {
  save(q, path, info);
}

}  // namespace examples::mnist
