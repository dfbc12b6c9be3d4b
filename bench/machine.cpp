// fixnet benchmarks — this machine's limits: the FMA peak of one core on the
// static Highway target, and the read bandwidth of a buffer that lives in L2.
// Both are measured once at start-up, so that every scenario can report its
// distance to the peak, and are also registered as benchmarks of their own
// (`machine/fma_peak`, `machine/l2_read`).
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include <time.h>

#include "common.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet_bench::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Independent FMA chains per round of `fma_chains`.
constexpr std::size_t kChains = 12;

/// One FMA a = a * m + c on each of the chains `a`.
template <class V, class... Vs>
HWY_INLINE void fma_each(V m, V c, Vs&... a) {
  ((a = hn::MulAdd(a, m, c)), ...);
}

/// Runs `rounds` x kChains independent FMAs a = a * m + c on full vectors.
/// Why 12 chains: an FMA has 4 cycles of latency and current x86 cores
/// (Zen 4/5, Golden Cove, Skylake-SP) start two per cycle, so 8 must be in
/// flight to saturate both ports; 12 leave slack, and with the two constants
/// still fit the 16 vector registers of AVX2 without spilling. Each a
/// converges to c / (1 - m) = 1: no overflow, no denormals.
HWY_NOINLINE float fma_chains(std::size_t rounds) {
  const hn::ScalableTag<float> d;
  const auto m = hn::Set(d, 0.999999f);
  const auto c = hn::Set(d, 1e-6f);
  auto a0 = hn::Set(d, 1.00f), a1 = hn::Set(d, 1.01f), a2 = hn::Set(d, 1.02f);
  auto a3 = hn::Set(d, 1.03f), a4 = hn::Set(d, 1.04f), a5 = hn::Set(d, 1.05f);
  auto a6 = hn::Set(d, 1.06f), a7 = hn::Set(d, 1.07f), a8 = hn::Set(d, 1.08f);
  auto a9 = hn::Set(d, 1.09f), a10 = hn::Set(d, 1.10f), a11 = hn::Set(d, 1.11f);
  for (std::size_t r = 0; r < rounds; ++r)
    fma_each(m, c, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
  // Every chain feeds the result, so none of them is dead code.
  const auto s = hn::Add(hn::Add(hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)),
                                 hn::Add(hn::Add(a4, a5), hn::Add(a6, a7))),
                         hn::Add(hn::Add(a8, a9), hn::Add(a10, a11)));
  return hn::GetLane(hn::SumOfLanes(d, s));
}

/// FLOPs of one call of `fma_chains(rounds)`: an FMA is two.
double fma_chains_flops(std::size_t rounds) {
  const hn::ScalableTag<float> d;
  return 2.0 * double(rounds) * double(kChains) * double(hn::Lanes(d));
}

/// Sums n floats (a multiple of 8 vectors) `passes` times. Eight accumulators,
/// so that the adds' latency never holds back the loads: the loop is limited
/// by how fast the cache delivers lines.
HWY_NOINLINE float sum_buffer(const float* HWY_RESTRICT p, std::size_t n, std::size_t passes) {
  const hn::ScalableTag<float> d;
  const std::size_t N = hn::Lanes(d);
  auto s0 = hn::Zero(d), s1 = hn::Zero(d), s2 = hn::Zero(d), s3 = hn::Zero(d);
  auto s4 = hn::Zero(d), s5 = hn::Zero(d), s6 = hn::Zero(d), s7 = hn::Zero(d);
  for (std::size_t pass = 0; pass < passes; ++pass) {
    for (std::size_t i = 0; i < n; i += 8 * N) {
      s0 = hn::Add(s0, hn::Load(d, p + i + 0 * N));
      s1 = hn::Add(s1, hn::Load(d, p + i + 1 * N));
      s2 = hn::Add(s2, hn::Load(d, p + i + 2 * N));
      s3 = hn::Add(s3, hn::Load(d, p + i + 3 * N));
      s4 = hn::Add(s4, hn::Load(d, p + i + 4 * N));
      s5 = hn::Add(s5, hn::Load(d, p + i + 5 * N));
      s6 = hn::Add(s6, hn::Load(d, p + i + 6 * N));
      s7 = hn::Add(s7, hn::Load(d, p + i + 7 * N));
    }
  }
  const auto s = hn::Add(hn::Add(hn::Add(s0, s1), hn::Add(s2, s3)),
                         hn::Add(hn::Add(s4, s5), hn::Add(s6, s7)));
  return hn::GetLane(hn::SumOfLanes(d, s));
}

}  // namespace fixnet_bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

namespace fixnet_bench {

namespace {

namespace target = fixnet_bench::HWY_NAMESPACE;

/// 256 KiB: four times Zen 5's and five times Golden Cove's 48 KiB L1D, and
/// well inside every current core's L2 (512 KiB to 2 MiB), so that the
/// buffer is read from L2. 64 Ki floats, a multiple of 8 vectors on every
/// target.
constexpr std::size_t kL2Floats = 256 * 1024 / sizeof(float);
constexpr std::size_t kL2PassesPerCall = 16;

const float* l2_buffer() {
  static const AlignedVector<float> buffer = [] {
    AlignedVector<float> b(kL2Floats);
    SplitMix rng(7);
    for (float& v : b) v = rng.uniform();
    return b;
  }();
  return buffer.data();
}

double g_fma_peak_gflops = 0;
double g_l2_read_gbps = 0;

/// CPU time of the calling thread in seconds: like the benchmark library's
/// rates, the limits must not count time the thread spent descheduled.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

/// Smallest CPU time of `trials` runs of f(work), after doubling `work`
/// until one run takes at least 20 ms (so that the clock's resolution and
/// the call overhead do not matter, in optimised and in sanitizer builds
/// alike). The minimum, not the mean: the machine may be busy, and
/// interference only ever makes a run slower.
template <class F>
double best_seconds(F f, std::size_t& work, int trials) {
  const auto time = [&] {
    const double start = thread_seconds();
    benchmark::DoNotOptimize(f(work));
    return thread_seconds() - start;
  };
  while (time() < 0.02) work *= 2;
  double best = time();
  for (int t = 1; t < trials; ++t) best = std::min(best, time());
  return best;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string format(double value, const char* unit) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f %s", value, unit);
  return text;
}

void bm_fma_peak(benchmark::State& state) {
  constexpr std::size_t kRounds = std::size_t{1} << 16;
  for (auto _ : state) benchmark::DoNotOptimize(target::fma_chains(kRounds));
  const double flops = double(state.iterations()) * target::fma_chains_flops(kRounds);
  state.counters["FLOPS"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
  state.counters["%peak"] =
      benchmark::Counter(flops * 1e-9 * 100.0 / fma_peak_gflops(), benchmark::Counter::kIsRate);
  state.SetLabel(fixnet::simd_target());
}

void bm_l2_read(benchmark::State& state) {
  const float* buffer = l2_buffer();
  for (auto _ : state) benchmark::DoNotOptimize(target::sum_buffer(buffer, kL2Floats, kL2PassesPerCall));
  const double bytes = double(state.iterations()) * kL2PassesPerCall * kL2Floats * sizeof(float);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));  // bytes_per_second
  state.SetLabel("256 KiB buffer");
}

}  // namespace

double fma_peak_gflops() noexcept { return g_fma_peak_gflops; }
double l2_read_gbps() noexcept { return g_l2_read_gbps; }

void measure_machine_limits() {
  std::size_t rounds = std::size_t{1} << 12;
  const double fma_seconds = best_seconds(target::fma_chains, rounds, 10);
  g_fma_peak_gflops = target::fma_chains_flops(rounds) * 1e-9 / fma_seconds;

  const float* buffer = l2_buffer();
  std::size_t passes = 1;
  const double l2_seconds = best_seconds(
      [&](std::size_t n) { return target::sum_buffer(buffer, kL2Floats, n); }, passes, 10);
  g_l2_read_gbps = double(passes) * kL2Floats * sizeof(float) * 1e-9 / l2_seconds;

  benchmark::AddCustomContext("highway_target", fixnet::simd_target());
  benchmark::AddCustomContext("fma_peak_gflops", format(g_fma_peak_gflops, "GFLOP/s"));
  benchmark::AddCustomContext("l2_read_gbps", format(g_l2_read_gbps, "GB/s"));
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("cores", std::to_string(std::thread::hardware_concurrency()));
  benchmark::AddCustomContext("compiler", compiler());
#ifdef FIXNET_BENCH_BUILD
  benchmark::AddCustomContext("fixnet_build", FIXNET_BENCH_BUILD);
#endif
  std::fprintf(stderr,
               "fixnet benchmarks: Highway target %s; %s, %u cores; one core's FMA peak %.1f "
               "GFLOP/s, L2 read %.1f GB/s (measured at start-up)\n",
               fixnet::simd_target(), cpu_model().c_str(), std::thread::hardware_concurrency(),
               g_fma_peak_gflops, g_l2_read_gbps);
}

void register_machine_benchmarks() {
  benchmark::RegisterBenchmark("machine/fma_peak", bm_fma_peak);
  benchmark::RegisterBenchmark("machine/l2_read", bm_l2_read);
}

}  // namespace fixnet_bench
