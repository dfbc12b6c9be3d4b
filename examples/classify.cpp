// fixnet example: classify — a model that `mnist`, `deep` or `galaxy_style`
// saved (--save FILE), loaded and put to work: its accuracy on a data set,
// or the class of given images.
//
//   classify --model FILE [--network auto|mnist|deep|galaxy]
//            [--data DIR] [--split test|train] [--limit N] [--report]
//            [--images FILE [--labels FILE]] [--index I,J,...]
//
// The network type is read from the file: fixnet::save records it as the
// metadata entry "fixnet.network" ("Network<Dense<784, 50, Sigmoid>, ...>"),
// and classify knows the three networks of the MNIST examples
// (mnist_networks.hpp); another is refused with the list of those it knows.
// --network names one instead, for a file without that entry (written by
// PyTorch with the same tensor names); fixnet::load then checks the shapes.
// The examples' own entries (mnist_networks.hpp) say which classes the
// outputs stand for (galaxy_style's three), how the inputs were made (pixels
// / 255) and the batch the training program evaluated with: classify
// evaluates with the same batch, so that it prints the same accuracy and
// loss as the run that saved the model.
//
// A quantized file (mnist or deep --save-quantized) is loaded as the
// fixnet::Quantized<Net> it holds and run as such.
//
// What it does:
//   - by default, the accuracy (and mean loss) on the test images of the
//     data set (--data DIR, else $FIXNET_DATA, else Debian's Fashion-MNIST;
//     --split train for the training images), --report adding the per-class
//     report; a galaxy_style model sees only its three classes;
//   - --images FILE: the images of an IDX file instead (with --labels FILE,
//     the accuracy; without, the class of each image);
//   - --index I,J,...: the class of those images of the split (or of
//     --images), one line each, with the output behind it and the label.
//
// Exits non-zero with a message when the model file cannot be read or does
// not hold a network classify knows (fixnet::ModelFileError's message), the
// data are missing, or a flag is wrong.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include <fixnet/data/idx.hpp>
#include <fixnet/data/locate.hpp>
#include <fixnet/data/mnist.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/io/describe.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/io/quantized_model_file.hpp>
#include <fixnet/quantized.hpp>
#include <fixnet/train/evaluate.hpp>
#include <fixnet/train/metrics.hpp>

#include "flags.hpp"
#include "mnist_networks.hpp"

namespace {

namespace ex = examples::mnist;

struct Options {
  std::string model;
  std::string network = "auto";
  std::string data;
  std::string split = "test";
  std::uint64_t limit = 0;  // 0: all
  bool report = false;
  std::string images;
  std::string labels;
  std::string index;
};

/// What classify knows of each network: its --network name, its loss, and
/// the batch sizes whose evaluation is compiled in (those its training
/// program evaluates with: --batch-size's choices, mnist --reference's 100,
/// galaxy_style's 256).
template <class Net>
struct Known;
template <>
struct Known<ex::MnistNetwork> {
  static constexpr const char* name = "mnist";
  using Loss = fixnet::CrossEntropy;
  using batches = std::index_sequence<32, 16, 64, 100, 128>;
};
template <>
struct Known<ex::DeepNetwork> {
  static constexpr const char* name = "deep";
  using Loss = fixnet::CrossEntropy;
  using batches = std::index_sequence<64, 16, 32, 128>;
};
template <>
struct Known<ex::GalaxyNetwork> {
  static constexpr const char* name = "galaxy";
  using Loss = fixnet::BinaryCrossEntropy;
  using batches = std::index_sequence<256>;
};

template <class Net>
std::string known_line() {
  return fmt::format("  {:<7} {}\n", Known<Net>::name, fixnet::describe_network<Net>());
}

std::string known_networks() {
  return known_line<ex::MnistNetwork>() + known_line<ex::DeepNetwork>() +
         known_line<ex::GalaxyNetwork>();
}

using Images = fixnet::data::Dataset<float, 784>;

/// "a,b,c" -> {"a", "b", "c"}.
std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const std::size_t comma = text.find(',');
    items.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "0,1,2" -> {0, 1, 2}; throws ModelFileError for anything else.
std::vector<std::uint8_t> parse_classes(std::string_view text, const std::string& model) {
  std::vector<std::uint8_t> classes;
  for (const std::string& item : split_commas(text)) {
    if (!all_digits(item) || item.size() > 3 || std::stoul(item) > 255)
      throw fixnet::ModelFileError(fmt::format(
          "fixnet: {}: has metadata {} = '{}': expected classes 0-255 separated by commas", model,
          ex::classes_key, text));
    classes.push_back(static_cast<std::uint8_t>(std::stoul(item)));
  }
  return classes;
}

/// "3,17,42" -> {3, 17, 42}.
std::vector<std::size_t> parse_indices(const std::string& text) {
  std::vector<std::size_t> indices;
  for (const std::string& item : split_commas(text)) {
    if (!all_digits(item) || item.size() > 18)
      throw std::invalid_argument(fmt::format(
          "--index: expected image indices separated by commas (e.g. 0,17,42), got '{}'", text));
    indices.push_back(static_cast<std::size_t>(std::stoull(item)));
  }
  return indices;
}

/// fixnet::evaluate with a workspace for batches of `batch` when it is one of
/// `Bs` (compiled in), else of the first of them (`used` says which).
template <class Net, std::size_t... Bs>
fixnet::Evaluation evaluate(const Net& net, const Images& data, std::size_t batch,
                            std::size_t& used, std::index_sequence<Bs...>) {
  constexpr std::array<std::size_t, sizeof...(Bs)> compiled{Bs...};
  used = std::find(compiled.begin(), compiled.end(), batch) != compiled.end() ? batch : compiled[0];
  fixnet::Evaluation result;
  (
      [&] {
        if (used == Bs) result = fixnet::evaluate<Bs>(net, data, typename Known<Net>::Loss{});
      }(),
      ...);
  return result;
}

/// The model file's entries that classify reads, checked.
struct ModelFile {
  std::string network;  // "" when the file does not say
  std::string program;
  std::vector<std::uint8_t> classes;  // outputs 0, 1, ... are these classes
  std::size_t evaluation_batch = 0;   // 0: not recorded
  std::string data;
  bool standardization = false;
  bool quantized = false;  // int8 (mnist/deep --save-quantized)
};

ModelFile read_model_file(const std::string& path) {
  const std::vector<std::byte> bytes = fixnet::safetensors::read_file(path);
  const fixnet::safetensors::Reader file(bytes, path);
  ModelFile m;
  const auto entry = [&](std::string_view key) {
    return std::string(file.metadata(key).value_or(""));
  };
  m.network = entry("fixnet.network");
  m.program = entry(ex::program_key);
  m.data = entry(ex::data_key);
  const std::string classes = entry(ex::classes_key);
  if (!classes.empty()) m.classes = parse_classes(classes, path);
  if (const std::string batch = entry(ex::evaluation_batch_key); !batch.empty()) {
    if (!all_digits(batch) || batch.size() > 6)
      file.fail(fmt::format("has metadata {} = '{}': expected a whole number",
                            ex::evaluation_batch_key, batch));
    m.evaluation_batch = std::stoul(batch);
  }
  if (const std::string pre = entry(ex::preprocessing_key);
      !pre.empty() && pre != ex::pixels_over_255)
    file.fail(fmt::format("has metadata {} = '{}': classify prepares its inputs as '{}' only",
                          ex::preprocessing_key, pre, ex::pixels_over_255));
  m.standardization = file.contains(fixnet::standardization_mean_name);
  m.quantized = fixnet::holds_quantized_network(file);
  return m;
}

std::string class_list(const std::vector<std::uint8_t>& classes) {
  std::string s;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    if (k > 0) s += ',';
    s += std::to_string(classes[k]);
  }
  return s;
}

/// The images to classify and whether they have labels: --images (and
/// --labels), or the split of the data set. `origin` says which.
struct Input {
  Images images;
  bool labelled = true;
  std::string origin;
  std::string label;  // of the accuracy line: "test accuracy", "accuracy"
};

Input read_input(const Options& o, std::size_t limit) {
  Input in;
  fixnet::data::IdxOptions read;
  read.max_samples = limit;
  if (!o.images.empty()) {
    in.origin = o.images;
    in.label = "accuracy";
    if (!o.labels.empty()) {
      in.images = fixnet::data::load_idx<float, 784>(o.images, o.labels, read);
      in.origin += " with labels " + o.labels;
      return in;
    }
    // No labels: the images alone, labelled 0 (not looked at).
    const fixnet::data::IdxImages raw = fixnet::data::read_idx_images(o.images, limit);
    if (raw.rows * raw.columns != 784)
      throw fixnet::data::DataError(
          fmt::format("{}: images are {} x {} pixels, expected 28 x 28 = 784 (the networks' input)",
                      o.images, raw.rows, raw.columns));
    in.images = Images(10);
    in.images.reserve(raw.count);
    for (std::size_t i = 0; i < raw.count; ++i) {
      Images::row_type row;
      for (std::size_t p = 0; p < 784; ++p)
        row[p] = static_cast<float>(double(raw.pixels[i * 784 + p]) / 255.0);
      in.images.add(row, 0);
    }
    in.labelled = false;
    return in;
  }
  const fixnet::data::DataLocation where = fixnet::data::locate_data(o.data);
  const auto part =
      o.split == "train" ? fixnet::data::MnistPart::train : fixnet::data::MnistPart::test;
  in.images = fixnet::data::load_mnist<ex::MnistNetwork>(where.files, part, read);
  in.origin =
      fmt::format("{}: {} images", where.describe(), o.split == "train" ? "training" : "test");
  in.label = o.split + " accuracy";
  return in;
}

/// The model of a file: a float network, or its int8 form.
template <class Net>
struct Model {
  std::unique_ptr<Net> net;                      // deep: ~1 MiB of parameters
  std::unique_ptr<fixnet::Quantized<Net>> int8;  // or this, for a quantized file
  std::optional<fixnet::Standardization<float, Net::inputs>> standardization;

  Model(const Options& o, const ModelFile& m) {
    if (m.quantized) {
      int8 = std::make_unique<fixnet::Quantized<Net>>();
      fixnet::load(*int8, o.model);
    } else {
      net = std::make_unique<Net>();
      if (m.standardization)
        fixnet::load(*net, standardization.emplace(), o.model);
      else
        fixnet::load(*net, o.model);
    }
  }
  std::array<float, Net::outputs> forward(const Images::row_type& x) const {
    return int8 ? int8->forward(x) : net->forward(x);
  }
};

template <class Net>
int classify(const Options& o, const ModelFile& m) {
  const Model<Net> model(o, m);
  const auto& standardization = model.standardization;
  std::vector<std::uint8_t> classes = m.classes;
  if (classes.empty())
    for (std::size_t k = 0; k < Net::outputs; ++k) classes.push_back(static_cast<std::uint8_t>(k));
  if (classes.size() != Net::outputs)
    throw fixnet::ModelFileError(
        fmt::format("fixnet: {}: has metadata {} = '{}' for a network of {} outputs", o.model,
                    ex::classes_key, class_list(classes), Net::outputs));
  fmt::print("model: {}: {}{} ({}), {} parameters{}\n", o.model, m.quantized ? "int8 " : "",
             fixnet::describe_network<Net>(), Known<Net>::name, Net::parameter_count,
             standardization ? ", with the standardisation of its inputs" : "");
  if (!m.program.empty())
    fmt::print("saved by: {}, trained on {}; outputs are classes {}\n", m.program,
               m.data.empty() ? std::string("(not recorded)") : m.data, class_list(classes));

  // --index reads only as far as the largest index.
  const std::vector<std::size_t> indices =
      o.index.empty() ? std::vector<std::size_t>{} : parse_indices(o.index);
  std::size_t limit =
      o.limit > 0 ? static_cast<std::size_t>(o.limit) : std::numeric_limits<std::size_t>::max();
  if (!indices.empty()) limit = *std::max_element(indices.begin(), indices.end()) + 1;
  const bool subset = classes.size() != 10 || !std::is_sorted(classes.begin(), classes.end()) ||
                      std::adjacent_find(classes.begin(), classes.end()) != classes.end() ||
                      classes.back() != 9;
  // A subset of the classes is filtered after reading, --limit applying to it.
  Input in =
      read_input(o, subset && indices.empty() ? std::numeric_limits<std::size_t>::max() : limit);
  if (standardization) in.images.standardize(*standardization);
  fmt::print("data: {} ({} read, pixels / 255)\n", in.origin, in.images.size());

  if (!indices.empty() || !in.labelled) {
    // One line per image: --index's, or every image of an unlabelled file.
    std::vector<std::size_t> which = indices;
    if (which.empty())
      for (std::size_t i = 0; i < std::min(in.images.size(), limit); ++i) which.push_back(i);
    for (const std::size_t i : which) {
      if (i >= in.images.size())
        throw std::invalid_argument(
            fmt::format("--index: image {} is out of range: {} holds {} images", i, in.origin,
                        in.images.size()));
      const auto y = model.forward(in.images.row(i));
      const std::size_t k = fixnet::argmax(y);
      std::string line = fmt::format("image {}: {} (output {:.4f})", i, classes[k], y[k]);
      if (in.labelled) {
        const std::uint8_t label = in.images.label(i);
        const bool known = std::find(classes.begin(), classes.end(), label) != classes.end();
        line += fmt::format(", label {}: {}", label,
                            !known                ? "not one of the model's classes"
                            : label == classes[k] ? "right"
                                                  : "wrong");
      }
      fmt::print("{}\n", line);
    }
    return EXIT_SUCCESS;
  }

  Images data = std::move(in.images);
  if (subset) {
    data = data.keep_classes(std::span<const std::uint8_t>(classes));
    if (o.limit > 0) data = data.head(o.limit);
    fmt::print("the model's classes {} only: {} images, as outputs 0-{}\n", class_list(classes),
               data.size(), classes.size() - 1);
  }
  if (model.int8) {
    // One image at a time, the loss from the outputs: as mnist --quantize prints it.
    const fixnet::Evaluation e = fixnet::evaluate(*model.int8, data, typename Known<Net>::Loss{});
    fmt::print("int8 {}: {}/{} = {:.2f}% (loss {:.4f})\n", in.label, e.confusion.correct(),
               e.samples, 100.0 * e.accuracy(), e.loss);
    if (o.report)
      fmt::print("per class (outputs 0-{}):\n{}", Net::outputs - 1,
                 fixnet::format_report(e.confusion));
    return EXIT_SUCCESS;
  }
  std::size_t used = 0;
  const std::size_t batch = m.evaluation_batch ? m.evaluation_batch : 32;
  const fixnet::Evaluation e =
      evaluate(*model.net, data, batch, used, typename Known<Net>::batches{});
  if (used != batch)
    fmt::print(
        "(evaluated in batches of {}: the file's {} is not compiled in here, so the last digits of "
        "the "
        "loss may differ from the training run's)\n",
        used, batch);
  fmt::print("{}: {}/{} = {:.2f}% (loss {:.4f})\n", in.label, e.confusion.correct(), e.samples,
             100.0 * e.accuracy(), e.loss);
  if (o.report)
    fmt::print("per class (outputs 0-{}):\n{}", Net::outputs - 1,
               fixnet::format_report(e.confusion));
  return EXIT_SUCCESS;
}

int run(const Options& o) {
  const ModelFile m = read_model_file(o.model);
  std::string network = o.network;
  if (network == "auto") {
    if (m.network.empty())
      throw fixnet::ModelFileError(
          fmt::format("fixnet: {}: has no metadata entry fixnet.network (not saved by fixnet?): "
                      "name its network with "
                      "--network; classify knows:\n{}",
                      o.model, known_networks()));
    if (m.network == fixnet::describe_network<ex::MnistNetwork>())
      network = "mnist";
    else if (m.network == fixnet::describe_network<ex::DeepNetwork>())
      network = "deep";
    else if (m.network == fixnet::describe_network<ex::GalaxyNetwork>())
      network = "galaxy";
    else
      throw fixnet::ModelFileError(
          fmt::format("fixnet: {}: holds {}, not a network classify knows; it knows:\n{}", o.model,
                      m.network, known_networks()));
  }
  const auto describe = [](const std::string& name) {
    return name == "deep"     ? fixnet::describe_network<ex::DeepNetwork>()
           : name == "galaxy" ? fixnet::describe_network<ex::GalaxyNetwork>()
                              : fixnet::describe_network<ex::MnistNetwork>();
  };
  if (!m.network.empty() && m.network != describe(network))
    throw fixnet::ModelFileError(fmt::format("fixnet: {}: holds {}, not --network {} ({})", o.model,
                                             m.network, network, describe(network)));
  if (network == "deep") return classify<ex::DeepNetwork>(o, m);
  if (network == "galaxy") return classify<ex::GalaxyNetwork>(o, m);
  return classify<ex::MnistNetwork>(o, m);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  examples::Flags flags(
      "fixnet classify: loads a model that mnist, deep or galaxy_style saved (--save) and reports "
      "its accuracy "
      "on a data set (the test images by default) or the class of given images.");
  flags.add_text("--model", options.model, "The model file (safetensors) to load: required");
  flags.add_choice(
      "--network", options.network, {"auto", "mnist", "deep", "galaxy"},
      "The network the file holds: auto reads it from the file's fixnet.network entry; mnist "
      "(784-50-10 sigmoid/softmax), deep (784-256-128-10 ReLU/softmax), galaxy (784-8-3 sigmoid) "
      "for a "
      "file without it");
  flags.add_text(
      "--data", options.data,
      "Directory of the MNIST-format files (train-images-idx3-ubyte[.gz], ...). Not given: "
      "$FIXNET_DATA, then /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)");
  flags.add_choice("--split", options.split, {"test", "train"}, "Which images of the data set");
  flags.add_count("--limit", options.limit,
                  "Only the first N images (of the model's classes) (0: all)");
  flags.add_switch("--report", options.report,
                   "Print the per-class report (precision, recall) too");
  flags.add_text("--images", options.images,
                 "An IDX image file (idx3-ubyte, gzipped or not) of 28 x 28 images to classify "
                 "instead of the data set");
  flags.add_text("--labels", options.labels,
                 "The IDX label file of --images: then the accuracy is reported");
  flags.add_text("--index", options.index,
                 "Classify only these images (indices from 0, separated by commas), one line each");
  if (const auto exit_code = flags.parse(argc, argv)) return *exit_code;

  try {
    if (options.model.empty())
      throw std::invalid_argument("--model: expected the model file to load (see --help)");
    if (!options.labels.empty() && options.images.empty())
      throw std::invalid_argument("--labels: expected --images too (the labels of its images)");
    fmt::print("fixnet classify\n");
    fmt::print("Highway target: {}\n", fixnet::simd_target());
    return run(options);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "classify: error: {}\n", e.what());
    return EXIT_FAILURE;
  }
}
