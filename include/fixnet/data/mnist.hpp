// fixnet — loading MNIST and the data sets in its format (Fashion-MNIST,
// KMNIST): 28 x 28 grey images in ten classes, a training and a test part.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   const auto where = fixnet::data::locate_data(flags.data);  // fixnet/data/locate.hpp
//   auto [train, test] = fixnet::data::load_mnist<Net>(where.files);
//   // train: 60000 rows of 784 floats in [0, 1] (pixels / 255); test: 10000
#ifndef FIXNET_DATA_MNIST_HPP
#define FIXNET_DATA_MNIST_HPP

#include <cstddef>
#include <filesystem>

#include "fixnet/data/dataset.hpp"
#include "fixnet/data/idx.hpp"
#include "fixnet/data/locate.hpp"

namespace fixnet::data {

/// The training or the test part.
enum class MnistPart { train, test };

/// Both parts, as data sets of the same shape.
template <class Data>
struct TrainTest {
  Data train;
  Data test;
};

/// One part of the data set in `files`, for the network `Net`: rows of
/// `Net::inputs` values (images must have that many pixels), each pixel
/// byte / `options.pixel_divisor` (255: values in [0, 1]), labels checked
/// against `options.classes` (10). Throws `DataError` as `load_idx` does
/// (fixnet/data/idx.hpp).
template <class Net>
Dataset<typename Net::scalar_type, Net::inputs> load_mnist(const MnistFiles& files, MnistPart part,
                                                           const IdxOptions& options = {}) {
  return part == MnistPart::train ? load_idx<Net>(files.train_images, files.train_labels, options)
                                  : load_idx<Net>(files.test_images, files.test_labels, options);
}

/// Both parts (`options.max_samples` limits each).
template <class Net>
TrainTest<Dataset<typename Net::scalar_type, Net::inputs>> load_mnist(const MnistFiles& files,
                                                                      const IdxOptions& options = {}) {
  return {load_mnist<Net>(files, MnistPart::train, options),
          load_mnist<Net>(files, MnistPart::test, options)};
}

/// Both parts, from the four files in `directory` (see `mnist_files`:
/// `DataError` naming the missing ones).
template <class Net>
TrainTest<Dataset<typename Net::scalar_type, Net::inputs>> load_mnist(
    const std::filesystem::path& directory, const IdxOptions& options = {}) {
  return load_mnist<Net>(mnist_files(directory), options);
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_MNIST_HPP
