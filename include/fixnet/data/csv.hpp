// fixnet — numeric CSV files into data sets, for training on your own data.
//
//   // iris.csv: sepal_length,sepal_width,petal_length,petal_width,species
//   using Net = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 4, 8, 3>;
//   fixnet::data::Dataset<float, 4> iris = fixnet::data::load_csv<Net>(
//       "iris.csv", {.targets = {"species"}});
//
//   // plant.csv: setpoint,measured,command — a regression of 2 inputs, 1 output
//   using Controller = fixnet::Mlp<fixnet::Tanh, fixnet::Identity, 2, 16, 1>;
//   auto plant = fixnet::data::load_regression_csv<Controller>("plant.csv",
//                                                              {.targets = {"command"}});
//
// The file: a header line of column names (unless `header = false`), then
// one sample per line, every field a number (RFC 4180 quoting and CRLF line
// ends are understood: parsing is libcsv's). The target columns — the class
// label for `load_csv`, `Net::outputs` target values for
// `load_regression_csv` — are named or numbered in `CsvOptions::targets`
// (by default the last column, or the last `Net::outputs` columns);
// `ignore` leaves columns out (an id, a date); every other column is a
// feature, in file order, and there must be `Net::inputs` of them. A class
// label is an index 0, 1, ... or, with `class_names`, one of those names.
//
// Everything is checked, and an error names the file, the line and the
// column: a field that is not a number (or not finite), a line with another
// number of fields than the header, a label that is not a class index below
// `classes`, a column name the header does not have, features that do not
// match the network's input width. Errors are `fixnet::data::DataError`.
#ifndef FIXNET_DATA_CSV_HPP
#define FIXNET_DATA_CSV_HPP

#include <csv.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "fixnet/core/config.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/error.hpp"

namespace fixnet::data {

/// A column of a CSV file: by its name in the header line ("species") or by
/// its position, counting from 0.
class CsvColumn {
 public:
  CsvColumn(const char* name) : name_(name) {}
  CsvColumn(std::string name) : name_(std::move(name)) {}
  CsvColumn(std::string_view name) : name_(name) {}
  template <std::integral I>
  CsvColumn(I index) : index_(static_cast<std::size_t>(index)), negative_(index < 0) {}

  /// The position of this column in a file of `fields` columns whose header
  /// line holds `header` (empty without a header line). Throws `DataError`
  /// naming `file` for a name the header lacks or an index past the end.
  std::size_t resolve(const std::vector<std::string>& header, std::size_t fields,
                      const std::string& file) const {
    if (!name_.empty()) {
      const auto it = std::find(header.begin(), header.end(), name_);
      if (it != header.end()) return static_cast<std::size_t>(it - header.begin());
      std::string names;
      for (const std::string& n : header) names += (names.empty() ? "" : ", ") + n;
      throw DataError("fixnet: " + file + ": no column named \"" + name_ + "\"" +
                      (header.empty() ? " (the file has no header line: give columns by index)"
                                      : " (the header has: " + names + ")"));
    }
    if (negative_ || index_ >= fields)
      throw DataError("fixnet: " + file + ": column index " +
                      (negative_ ? std::string("below 0") : std::to_string(index_)) +
                      " is out of range: the file has " + std::to_string(fields) +
                      " columns, indices 0 to " + std::to_string(fields - 1));
    return index_;
  }

 private:
  std::string name_;
  std::size_t index_ = 0;
  bool negative_ = false;
};

/// How `load_csv` and `load_regression_csv` read a file.
struct CsvOptions {
  /// The label column (classification: one) or the target columns
  /// (regression: `Net::outputs` of them), by name or index. Empty: the last
  /// column, or the last `Net::outputs` columns.
  std::vector<CsvColumn> targets{};
  /// Columns that are neither features nor targets (an id, a date).
  std::vector<CsvColumn> ignore{};
  /// Classification: the number of classes; 0 means one more than the
  /// largest label found (or the number of `class_names`).
  std::size_t classes = 0;
  /// Classification: the label column holds these names instead of indices;
  /// name k is class k.
  std::vector<std::string> class_names{};
  /// Whether the first line holds the column names.
  bool header = true;
  /// The field separator: ',' by default, ';' or '\t' for others.
  char delimiter = ',';
};

namespace detail {

/// Where in the file a field is: "data.csv:17: column 3 (\"petal_width\")".
struct CsvPlace {
  const std::string* file;
  std::size_t line;
  std::size_t column;
  const std::vector<std::string>* header;

  std::string str() const {
    std::string s = "fixnet: " + *file + ":" + std::to_string(line) + ": column " +
                    std::to_string(column);
    if (column < header->size()) s += " (\"" + (*header)[column] + "\")";
    return s;
  }
};

/// A finite number, or a DataError naming the place.
template <Scalar T>
T parse_csv_number(std::string_view field, const CsvPlace& at) {
  if (field.empty()) throw DataError(at.str() + ": the field is empty: expected a number");
  double value = 0;
  const char* first = field.data();
  if (*first == '+') ++first;  // from_chars does not take a leading '+'
  const auto [end, error] = std::from_chars(first, field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size())
    throw DataError(at.str() + ": \"" + std::string(field) + "\" is not a number");
  if (!std::isfinite(value) || !std::isfinite(static_cast<T>(value)))
    throw DataError(at.str() + ": " + std::string(field) + " is not a finite number");
  return static_cast<T>(value);
}

/// The fields of one record of a CSV file, as libcsv hands them over.
struct CsvRecords {
  std::vector<std::string> fields;
  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> lines;  // the line each record ends on
  std::size_t line = 1;            // the line being parsed

  static void on_field(void* text, std::size_t size, void* self) noexcept {
    auto& r = *static_cast<CsvRecords*>(self);
    try {
      r.fields.emplace_back(static_cast<const char*>(text), size);
    } catch (...) {
      r.failed = true;
    }
  }
  static void on_record(int, void* self) noexcept {
    auto& r = *static_cast<CsvRecords*>(self);
    try {
      r.records.push_back(std::move(r.fields));
      r.lines.push_back(r.line);
      r.fields.clear();
    } catch (...) {
      r.failed = true;
    }
  }
  bool failed = false;  // out of memory in a callback (no exception may cross libcsv)
};

/// Every record of the file at `path`, with the line each ends on.
inline CsvRecords read_csv_records(const std::filesystem::path& path, char delimiter) {
  const std::string file = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    throw DataError("fixnet: " + file + ": no such file");
  if (!std::filesystem::is_regular_file(status))
    throw DataError("fixnet: " + file + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("fixnet: " + file + ": cannot open the file");

  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
    throw DataError("fixnet: " + file + ": cannot set up the CSV parser");
  struct Free {
    csv_parser* p;
    ~Free() { csv_free(p); }
  } free_parser{&parser};
  csv_set_delim(&parser, static_cast<unsigned char>(delimiter));

  CsvRecords records;
  std::string line;
  bool first = true;
  // Line by line, so that every field and record is known by its line.
  while (std::getline(in, line)) {
    if (first && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // a UTF-8 byte-order mark
    first = false;
    if (!in.eof()) line += '\n';
    if (csv_parse(&parser, line.data(), line.size(), CsvRecords::on_field, CsvRecords::on_record,
                  &records) != line.size())
      throw DataError("fixnet: " + file + ":" + std::to_string(records.line) + ": " +
                      csv_strerror(csv_error(&parser)) + " (a stray or unclosed quote?)");
    if (records.failed) throw DataError("fixnet: " + file + ": out of memory");
    ++records.line;
  }
  if (in.bad()) throw DataError("fixnet: " + file + ": reading the file failed");
  --records.line;
  if (csv_fini(&parser, CsvRecords::on_field, CsvRecords::on_record, &records) != 0)
    throw DataError("fixnet: " + file + ":" + std::to_string(records.line) +
                    ": a quoted field is not closed at the end of the file");
  if (records.failed) throw DataError("fixnet: " + file + ": out of memory");
  return records;
}

/// Reads a CSV file into a data set of type D (see the top of this header).
template <class D>
D load_csv(const std::filesystem::path& path, const CsvOptions& options, std::size_t targets) {
  using T = typename D::scalar_type;
  constexpr std::size_t inputs = D::width;
  const std::string file = path.string();
  const CsvRecords csv = read_csv_records(path, options.delimiter);
  if (csv.records.empty() || (options.header && csv.records.size() == 1))
    throw DataError("fixnet: " + file + ": no samples" +
                    (csv.records.empty() ? std::string(": the file is empty") : ", only a header line"));
  const std::vector<std::string> header = options.header ? csv.records.front() : std::vector<std::string>{};
  const std::size_t fields = csv.records.front().size();

  // Which column is what.
  std::vector<std::size_t> target_columns;
  for (const CsvColumn& c : options.targets) target_columns.push_back(c.resolve(header, fields, file));
  if (options.targets.empty())
    for (std::size_t k = 0; k < targets && k < fields; ++k) target_columns.push_back(fields - targets + k);
  if (target_columns.size() != targets)
    throw DataError("fixnet: " + file + ": expected " + std::to_string(targets) +
                    (D::classification ? " label column" : " target columns (the network's outputs)") +
                    ", got " + std::to_string(target_columns.size()));
  std::vector<char> role(fields, 'f');  // f: feature, t: target, i: ignored
  for (const std::size_t c : target_columns) role[c] = 't';
  for (const CsvColumn& c : options.ignore) {
    const std::size_t i = c.resolve(header, fields, file);
    if (role[i] == 't')
      throw DataError("fixnet: " + file + ": column " + std::to_string(i) +
                      " is both a target and ignored");
    role[i] = 'i';
  }
  std::vector<std::size_t> features;
  for (std::size_t c = 0; c < fields; ++c)
    if (role[c] == 'f') features.push_back(c);
  if (features.size() != inputs)
    throw DataError("fixnet: " + file + ": " + std::to_string(fields) + " columns, of which " +
                    std::to_string(target_columns.size()) + " target and " +
                    std::to_string(fields - features.size() - target_columns.size()) +
                    " ignored, leave " + std::to_string(features.size()) +
                    " features: expected " + std::to_string(inputs) +
                    " (the network's inputs); list the others in CsvOptions::ignore");

  typename D::storage_type rows;
  std::vector<typename D::label_type> labels;
  const std::size_t first = options.header ? 1 : 0;
  rows.reserve(csv.records.size() - first);
  labels.reserve(csv.records.size() - first);
  std::size_t largest = 0;
  for (std::size_t r = first; r < csv.records.size(); ++r) {
    const std::vector<std::string>& record = csv.records[r];
    const std::size_t line = csv.lines[r];
    if (record.size() != fields)
      throw DataError("fixnet: " + file + ":" + std::to_string(line) + ": expected " +
                      std::to_string(fields) + " fields (as on line " +
                      std::to_string(csv.lines.front()) + "), got " + std::to_string(record.size()));
    const auto at = [&](std::size_t column) { return CsvPlace{&file, line, column, &header}; };
    typename D::row_type& row = rows.emplace_back();
    for (std::size_t k = 0; k < inputs; ++k)
      row[k] = parse_csv_number<T>(record[features[k]], at(features[k]));
    if constexpr (D::classification) {
      const std::size_t c = target_columns.front();
      const std::string& field = record[c];
      std::size_t label = 0;
      if (!options.class_names.empty()) {
        const auto it = std::find(options.class_names.begin(), options.class_names.end(), field);
        if (it == options.class_names.end())
          throw DataError(at(c).str() + ": \"" + field + "\" is not one of the " +
                          std::to_string(options.class_names.size()) + " class names given");
        label = static_cast<std::size_t>(it - options.class_names.begin());
      } else {
        const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), label);
        if (field.empty() || error != std::errc() || end != field.data() + field.size())
          throw DataError(at(c).str() + ": \"" + field +
                          "\" is not a class index (0, 1, ...); for class names, set "
                          "CsvOptions::class_names");
      }
      const std::size_t classes = options.classes != 0 ? options.classes : D::max_classes;
      if (label >= classes)
        throw DataError(at(c).str() + ": label " + field + " is out of range: expected a class index below " +
                        std::to_string(classes) +
                        (options.classes != 0 ? " (CsvOptions::classes)" : " (labels are bytes)"));
      largest = std::max(largest, label);
      labels.push_back(static_cast<typename D::label_type>(label));
    } else {
      typename D::label_type& target = labels.emplace_back();
      for (std::size_t k = 0; k < targets; ++k)
        target[k] = parse_csv_number<T>(record[target_columns[k]], at(target_columns[k]));
    }
  }
  if constexpr (D::classification) {
    const std::size_t classes = options.classes != 0          ? options.classes
                                : !options.class_names.empty() ? options.class_names.size()
                                                               : largest + 1;
    return D(std::move(rows), std::move(labels), classes);
  } else {
    return D(std::move(rows), std::move(labels));
  }
}

}  // namespace detail

/// A classification data set for network `Net` from the CSV file at `path`:
/// `Net::inputs` feature columns and one label column (see the top of this
/// header). Throws `DataError` naming the line and column of the first
/// problem.
template <class Net>
Dataset<typename Net::scalar_type, Net::inputs> load_csv(const std::filesystem::path& path,
                                                        const CsvOptions& options = {}) {
  return detail::load_csv<Dataset<typename Net::scalar_type, Net::inputs>>(path, options, 1);
}

/// A regression data set for network `Net` from the CSV file at `path`:
/// `Net::inputs` feature columns and `Net::outputs` target columns.
template <class Net>
RegressionDataset<typename Net::scalar_type, Net::inputs, Net::outputs> load_regression_csv(
    const std::filesystem::path& path, const CsvOptions& options = {}) {
  return detail::load_csv<RegressionDataset<typename Net::scalar_type, Net::inputs, Net::outputs>>(
      path, options, Net::outputs);
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_CSV_HPP
