// fixnet benchmarks — the entry point shared by every benchmark binary:
// machine limits first (every scenario's "%peak" divides by them), then the
// baselines' checks, then the scenarios the command line selects.
#include "common.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  fixnet_bench::measure_machine_limits();
  fixnet_bench::verify_baselines();
  fixnet_bench::register_machine_benchmarks();
  fixnet_bench::register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
