// fixnet — the exception for bad data: files that are missing, malformed or
// inconsistent, and data sets that cannot be used as asked.
#ifndef FIXNET_DATA_ERROR_HPP
#define FIXNET_DATA_ERROR_HPP

#include <stdexcept>

namespace fixnet::data {

/// Thrown when data cannot be used: a file is missing or malformed (wrong
/// magic number, truncated, corrupt gzip stream), images and labels disagree,
/// a label is out of range, the samples do not fit the network, or no data
/// directory was found. The message names the file (or data set) and says
/// what was expected and what was found, e.g.
///
///   fixnet: data/train-labels-idx1-ubyte.gz: truncated: expected 60000 bytes
///   of labels after the 8-byte header, got 1234
///
/// Whatever was being loaded is discarded: nothing half-loaded is returned.
/// Wrong arguments from the program itself (an index past the end, a
/// validation set larger than the data) are `std::invalid_argument` instead.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fixnet::data

#endif  // FIXNET_DATA_ERROR_HPP
