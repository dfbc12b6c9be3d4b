// fixnet benchmarks — what every benchmark binary shares: the counters each
// scenario reports, the machine's limits measured at start-up, FLOP counts,
// deterministic synthetic data and the start-up checks.
#ifndef FIXNET_BENCH_COMMON_HPP
#define FIXNET_BENCH_COMMON_HPP

#include <array>
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <fixnet/fixnet.hpp>

namespace fixnet_bench {

// --- Networks ---------------------------------------------------------------

/// The reference experiment's 2-4-3 classifier of three Gaussian blobs.
using Blobs = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
/// The MNIST tutorial's 784-50-10.
using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

// --- Machine limits (bench/machine.cpp) -------------------------------------

/// Single-core FMA peak of the static Highway target in GFLOP/s, measured
/// once at start-up (before any scenario runs) by `measure_machine_limits`.
double fma_peak_gflops() noexcept;

/// Read bandwidth of a 256 KiB buffer (resident in L2) in GB/s, measured at
/// start-up.
double l2_read_gbps() noexcept;

/// Measures both limits, publishes them (and the Highway target, compiler
/// and CPU) in the benchmark context, and prints them to stderr: stdout is
/// left to the benchmark library, so that `--benchmark_format=json` stays
/// parseable.
void measure_machine_limits();

/// Registers `machine/fma_peak` and `machine/l2_read`.
void register_machine_benchmarks();

// --- Defined by each benchmark binary ---------------------------------------

/// Registers the binary's scenarios.
void register_benchmarks();

/// Checks, before anything is timed, that every baseline computes what fixnet
/// computes on the same parameters; aborts with a message if not.
void verify_baselines();

// --- Counters -----------------------------------------------------------------

/// Sets the counters every scenario reports, from the number of samples one
/// iteration of the benchmark loop processes and the FLOPs per sample:
///   items_per_second  samples per second (`SetItemsProcessed`);
///   time/sample       its inverse, in seconds (the console prints it with an
///                     SI prefix, e.g. "time/sample=1.39us");
///   FLOPS, %peak      when flops_per_sample > 0: useful FLOPs per second
///                     (console: "FLOPS=56.9G/s") and that rate as a
///                     percentage of `fma_peak_gflops()` (console:
///                     "%peak=23.1/s": the console appends "/s" to every
///                     rate counter).
/// Rates divide by the CPU time the benchmark library measured (its
/// default), so time the process spent descheduled on a busy machine does
/// not count.
inline void set_sample_counters(benchmark::State& state, double samples_per_iteration,
                                double flops_per_sample) {
  using benchmark::Counter;
  const double samples = double(state.iterations()) * samples_per_iteration;
  state.SetItemsProcessed(static_cast<std::int64_t>(samples));
  // A rate is count / seconds; kInvert makes it seconds / count.
  state.counters["time/sample"] = Counter(samples, Counter::kIsRate | Counter::kInvert);
  if (flops_per_sample > 0) {
    const double flops = samples * flops_per_sample;
    state.counters["FLOPS"] = Counter(flops, Counter::kIsRate);
    state.counters["%peak"] = Counter(flops * 1e-9 * 100.0 / fma_peak_gflops(), Counter::kIsRate);
  }
}

// --- FLOP counts ------------------------------------------------------------

/// FLOPs of one sample's forward pass: 2 In Out per dense layer, counting the
/// matrix products only (bias, activations and softmax are left out: they are
/// O(Out), not O(In Out)).
template <class Net>
constexpr double forward_flops() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (0.0 + ... +
            (2.0 * double(Net::template layer_type<I>::inputs) *
             double(Net::template layer_type<I>::outputs)));
  }(std::make_index_sequence<Net::layer_count>{});
}

/// FLOPs of one sample's training step, by the usual convention 3x the
/// forward pass (forward, input gradient, weight gradient), as issue 3's
/// targets count them. The exact count of products done is a little over 2x
/// for a two-layer net, since nobody computes the first layer's input
/// gradient; the optimiser's update is per step, not per sample, and is left
/// out.
template <class Net>
constexpr double training_flops() {
  return 3.0 * forward_flops<Net>();
}

// --- Data -----------------------------------------------------------------------

/// std::allocator with 64-byte alignment: data sets of std::array rows whose
/// first row starts on a cache line (so do all rows of 784 floats, 49 lines
/// each), as fixnet's own buffers do.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};

  AlignedAllocator() noexcept = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }

  template <class U>
  bool operator==(const AlignedAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

/// A small, fast, deterministic generator (SplitMix64) for synthetic data:
/// tens of millions of values at start-up must not cost seconds.
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform on [0, 1), 24 random bits.
  float uniform() noexcept { return float(next() >> 40) * 0x1.0p-24f; }

 private:
  std::uint64_t state_;
};

/// n samples with In features uniform on [0, 1), as pixels / 255 are.
template <std::size_t In>
AlignedVector<std::array<float, In>> random_inputs(std::size_t n, std::uint64_t seed) {
  AlignedVector<std::array<float, In>> xs(n);
  SplitMix rng(seed);
  for (auto& x : xs)
    for (float& v : x) v = rng.uniform();
  return xs;
}

/// n class indices below Classes.
template <std::size_t Classes>
std::vector<std::uint8_t> random_labels(std::size_t n, std::uint64_t seed) {
  static_assert(Classes <= 256);
  std::vector<std::uint8_t> labels(n);
  SplitMix rng(seed);
  for (auto& l : labels) l = static_cast<std::uint8_t>(rng.next() % Classes);
  return labels;
}

/// A network on the heap (784-50-10 is 156 KiB) with Xavier weights and
/// small non-zero biases, so that the bias paths are exercised by the checks.
template <class Net>
std::unique_ptr<Net> make_network(std::uint64_t seed) {
  auto net = std::make_unique<Net>();
  fixnet::initialize(*net, fixnet::init::XavierUniform{}, fixnet::init::Uniform{-0.1, 0.1}, seed);
  return net;
}

/// Makes the compiler assume that `value`, in memory, is read and changed
/// here. For an object in memory that is read again afterwards, instead of
/// benchmark::DoNotOptimize: for objects of at most a pointer's size it uses
/// an "+m,r" asm constraint, after which GCC 12 was seen to read a stale copy
/// (the latency chains of the 1-input and 1-output networks broke: 19 ns a
/// sample, less than their two tanh take).
template <class T>
void escape(T& value) noexcept {
  asm volatile("" : : "r"(&value) : "memory");
}

/// 0.0f that the compiler cannot see: latency chains fold an output into the
/// next input as `x + runtime_zero() * y`, a true data dependency that
/// leaves the input's value unchanged.
inline float runtime_zero() noexcept {
  static volatile float zero = 0.0f;
  return zero;
}

/// Aborts with a message: the benchmarks must not time baselines that
/// compute something else.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fixnet benchmarks: baseline check failed: %s\n", what);
  std::abort();
}

/// Fails unless `found` matches `expected` within `tolerance` everywhere.
inline void check_close(const std::string& what, const std::vector<float>& expected,
                        const std::vector<float>& found, float tolerance) {
  if (expected.size() != found.size()) fail((what + ": sizes differ").c_str());
  for (std::size_t k = 0; k < expected.size(); ++k)
    if (!(std::abs(expected[k] - found[k]) <= tolerance)) {
      const std::string message = what + ": element " + std::to_string(k) + " is " +
                                  std::to_string(found[k]) + ", expected " +
                                  std::to_string(expected[k]) + " (tolerance " +
                                  std::to_string(tolerance) + ")";
      fail(message.c_str());
    }
}

// --- Names ------------------------------------------------------------------
// Benchmarks are named <scenario>/<implementation>, the implementation being
// fixnet, eigen or reference; bench/run_benchmarks.py builds its table rows
// from the scenario and its columns from the implementation.

/// "784-50-10" for Mlp<..., 784, 50, 10>.
template <class Net>
std::string shape_name() {
  std::string name = std::to_string(Net::inputs);
  fixnet::detail::for_each_index<Net::layer_count>([&](auto i) {
    // Appended piecewise: GCC 12 warns wrongly (-Wrestrict) about "-" + string.
    name += '-';
    name += std::to_string(Net::template layer_type<decltype(i)::value>::outputs);
  });
  return name;
}

/// Registers fn as `name`; returns the benchmark to configure further.
inline benchmark::internal::Benchmark* add(const std::string& name,
                                           void (*fn)(benchmark::State&)) {
  return benchmark::RegisterBenchmark(name.c_str(), fn);
}

/// Registers `scenario`/fixnet, `scenario`/eigen and `scenario`/reference,
/// in that order.
inline void add_contenders(const std::string& scenario, void (*fixnet)(benchmark::State&),
                           void (*eigen)(benchmark::State&),
                           void (*reference)(benchmark::State&)) {
  add(scenario + "/fixnet", fixnet);
  add(scenario + "/eigen", eigen);
  add(scenario + "/reference", reference);
}

}  // namespace fixnet_bench

#endif  // FIXNET_BENCH_COMMON_HPP
