// fixnet benchmarks — model files of 784-50-10 (fixnet/io/model_file.hpp):
// to and from bytes in memory, and save and load through a file (save is
// atomic: a temporary file, fsync, rename, directory fsync). Baselines in
// the same binary: reading the parameters out in canonical order (what any
// format must do), writing those bytes to a file with one fsync (a raw dump
// with no header, checks or atomic rename), and reading a file back.
// One "sample" is one whole model.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "common.hpp"

#include <fixnet/io/model_file.hpp>

namespace fixnet_bench {
namespace {

std::filesystem::path scratch(const char* name) {
  const auto dir = std::filesystem::temp_directory_path() / "fixnet_bench_model_file";
  std::filesystem::create_directories(dir);
  return dir / name;
}

std::unique_ptr<Mnist> trained_like() {
  auto net = std::make_unique<Mnist>();
  fixnet::initialize(*net, fixnet::init::ScaledNormal{}, fixnet::init::Normal{0.0, 0.1}, 7);
  return net;
}

/// Times `op()` on one model per iteration, keeping what it writes to memory.
template <class Op>
void time_per_model(benchmark::State& state, Op&& op) {
  for (auto _ : state) {
    op();
    benchmark::ClobberMemory();
  }
  set_sample_counters(state, 1, 0);
}

void to_bytes(benchmark::State& state) {
  const auto net = trained_like();
  for (auto _ : state) benchmark::DoNotOptimize(fixnet::to_safetensors(*net));
  set_sample_counters(state, 1, 0);
}

void from_bytes(benchmark::State& state) {
  const auto net = trained_like();
  const std::vector<std::byte> bytes = fixnet::to_safetensors(*net);
  auto into = std::make_unique<Mnist>();
  time_per_model(state, [&] { fixnet::from_safetensors(*into, bytes); });
}

void save_file(benchmark::State& state) {
  const auto net = trained_like();
  const auto path = scratch("save.safetensors");
  for (auto _ : state) fixnet::save(*net, path);
  set_sample_counters(state, 1, 0);
}

void load_file(benchmark::State& state) {
  const auto net = trained_like();
  const auto path = scratch("load.safetensors");
  fixnet::save(*net, path);
  auto into = std::make_unique<Mnist>();
  time_per_model(state, [&] { fixnet::load(*into, path); });
}

// Baselines.
void raw_parameters(benchmark::State& state) {
  const auto net = trained_like();
  std::vector<float> values(Mnist::parameter_count);
  time_per_model(state, [&] {
    net->get_parameters(std::span<float, Mnist::parameter_count>(values.data(), values.size()));
  });
}

void raw_write_fsync(benchmark::State& state) {
  const auto net = trained_like();
  std::vector<float> values(Mnist::parameter_count);
  const auto path = scratch("raw.bin");
  for (auto _ : state) {
    net->get_parameters(std::span<float, Mnist::parameter_count>(values.data(), values.size()));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::write(fd, values.data(), values.size() * sizeof(float)) < 0 || ::fsync(fd) != 0) {
      state.SkipWithError("cannot write the scratch file");
      break;
    }
    ::close(fd);
  }
  set_sample_counters(state, 1, 0);
}

void raw_read(benchmark::State& state) {
  const auto net = trained_like();
  const auto path = scratch("read.safetensors");
  fixnet::save(*net, path);
  for (auto _ : state) benchmark::DoNotOptimize(fixnet::safetensors::read_file(path));
  set_sample_counters(state, 1, 0);
}

}  // namespace

void verify_baselines() {
  const auto net = trained_like();
  const auto path = scratch("verify.safetensors");
  fixnet::save(*net, path);
  auto back = std::make_unique<Mnist>();
  fixnet::load(*back, path);
  if (!(*back == *net)) {
    std::fprintf(stderr, "model_file: a saved and loaded 784-50-10 differs from the original\n");
    std::abort();
  }
}

void register_benchmarks() {
  benchmark::RegisterBenchmark("model_file/784-50-10/to_safetensors", to_bytes);
  benchmark::RegisterBenchmark("model_file/784-50-10/from_safetensors", from_bytes);
  benchmark::RegisterBenchmark("model_file/784-50-10/save", save_file);
  benchmark::RegisterBenchmark("model_file/784-50-10/load", load_file);
  benchmark::RegisterBenchmark("baseline/784-50-10/get_parameters", raw_parameters);
  benchmark::RegisterBenchmark("baseline/784-50-10/raw_write_fsync", raw_write_fsync);
  benchmark::RegisterBenchmark("baseline/784-50-10/read_file", raw_read);
}

}  // namespace fixnet_bench
