// fixnet example: blobs_predict — a program that ships a trained network as a
// file: loads the model `blobs --save` wrote and classifies points.
//
//   blobs_predict MODEL X Y [X Y ...]
#include <cstdio>
#include <exception>

#include <fixnet/io/model_file.hpp>

#include "blobs_model.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: blobs_predict MODEL X Y [X Y ...]\n");
    return 2;
  }
  examples::blobs::Net net;
  try {
    fixnet::load(net, argv[1]);  // checked against Net; throws fixnet::ModelFileError
  } catch (const std::exception& e) {
    std::fprintf(stderr, "blobs_predict: %s\n", e.what());
    return 1;
  }
  return examples::blobs::classify(net, argc - 2, argv + 2);
}
