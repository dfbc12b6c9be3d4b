// The second translation unit of the ODR test (see odr.hpp).
#include <array>

#include <fixnet/fixnet.hpp>

#include "odr.hpp"

namespace odr_test {

Results run_b(const Classifier& classifier, const Mixed& mixed)
#include "odr_run.inc"

}  // namespace odr_test
