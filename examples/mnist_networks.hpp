// The networks of the MNIST examples, named once for the example programs
// (mnist.cpp, deep.cpp, galaxy_style.cpp, classify.cpp) and for the
// translation units that instantiate their training (train_batch.cpp); and
// their model files (--save, classify), written and described by
// mnist_models.cpp.
#ifndef FIXNET_EXAMPLES_MNIST_NETWORKS_HPP
#define FIXNET_EXAMPLES_MNIST_NETWORKS_HPP

#include <cstddef>
#include <ratio>
#include <span>
#include <string>
#include <string_view>

#include <fixnet/data/locate.hpp>
#include <fixnet/fixnet.hpp>

#include "output_files.hpp"

namespace fixnet {
template <class Net>
class Quantized;
}  // namespace fixnet

namespace examples::mnist {

/// mnist: the tutorial's 784-50-10 sigmoid/softmax network.
using MnistNetwork = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

/// deep: the layers, one per line. Inverted dropout (20% of each hidden
/// layer's units in training, nothing in inference) is a layer of its own.
using DeepNetwork =
    fixnet::Network<fixnet::Dense<784, 256, fixnet::Relu>, fixnet::Dropout<256, std::ratio<1, 5>>,
                    fixnet::Dense<256, 128, fixnet::Relu>, fixnet::Dropout<128, std::ratio<1, 5>>,
                    fixnet::Dense<128, 10, fixnet::Softmax>>;

/// galaxy_style: the galaxy tutorial's 784-8-3 network, a sigmoid unit per
/// class (trained with binary cross-entropy on three classes of the data).
using GalaxyNetwork = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 784, 8, 3>;

// Model files (--save): fixnet::save's safetensors file, with these metadata
// entries beside fixnet's own ("fixnet.network" names the type), so that
// `classify` knows which network the file holds, how its inputs were made
// and which classes its outputs stand for.

/// The program that trained the model: "mnist", "deep", "galaxy_style".
inline constexpr std::string_view program_key = "fixnet.example.program";
/// The classes of the data set its outputs 0, 1, ... stand for, in order:
/// "0,1,2,3,4,5,6,7,8,9", or galaxy_style's --classes ("0,1,2").
inline constexpr std::string_view classes_key = "fixnet.example.classes";
/// The preprocessing of the inputs: "pixels / 255" (no standardisation: the
/// examples feed the loader's [0, 1] pixels to the network).
inline constexpr std::string_view preprocessing_key = "fixnet.example.preprocessing";
inline constexpr std::string_view pixels_over_255 = "pixels / 255";
/// The batch size the program evaluated the model with: the batch forward
/// pass and the one-by-one pass of the tail may round differently, so that
/// `classify` evaluates with the same batch to print the same numbers.
inline constexpr std::string_view evaluation_batch_key = "fixnet.example.evaluation_batch";
/// Where the training data came from (DataLocation::describe()).
inline constexpr std::string_view data_key = "fixnet.example.data";

/// What a program records about a model it saves.
struct ModelInfo {
  std::string program;
  std::string classes = "0,1,2,3,4,5,6,7,8,9";
  std::size_t evaluation_batch = 0;
  std::string data;
};

/// The outputs (--csv, --plot, --save, --checkpoint), checked once the data
/// are found and before training (output_files.hpp): none is one of the
/// data set's files.
void check_not_inputs(std::span<const Output> outputs, const fixnet::data::MnistFiles& inputs);

/// Writes `net` with fixnet::save (atomically) and `info` as metadata, then
/// prints "model saved to PATH (...)". Throws fixnet::ModelFileError.
void save_model(const MnistNetwork& net, const std::string& path, const ModelInfo& info);
void save_model(const DeepNetwork& net, const std::string& path, const ModelInfo& info);
void save_model(const GalaxyNetwork& net, const std::string& path, const ModelInfo& info);
/// The same for quantized networks (--save-quantized).
void save_model(const fixnet::Quantized<MnistNetwork>& q, const std::string& path,
                const ModelInfo& info);
void save_model(const fixnet::Quantized<DeepNetwork>& q, const std::string& path,
                const ModelInfo& info);

}  // namespace examples::mnist

#endif  // FIXNET_EXAMPLES_MNIST_NETWORKS_HPP
