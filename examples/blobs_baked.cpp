// fixnet example: blobs_baked — a program that ships a trained network in its
// code: the header fixnet-bake wrote from the model `blobs --save` saved
// (`fixnet-bake blobs.safetensors --name blobs_model > blobs_model_baked.hpp`)
// holds the network as a constant. No file, no loading, nothing at start-up.
//
//   blobs_baked X Y [X Y ...]
#include "blobs_model.hpp"
#include "blobs_model_baked.hpp"

static_assert(std::is_same_v<blobs_model::Network, examples::blobs::Net>);

int main(int argc, char** argv) {
  constexpr const auto& net = blobs_model::network;  // in read-only data
  return examples::blobs::classify(net, argc - 1, argv + 1);
}
