// fixnet — the library's version, as in meson.build (a test checks they agree).
#ifndef FIXNET_VERSION_HPP
#define FIXNET_VERSION_HPP

#include <string_view>

#define FIXNET_VERSION_MAJOR 0
#define FIXNET_VERSION_MINOR 1
#define FIXNET_VERSION_PATCH 0

namespace fixnet {

/// "major.minor.patch", written into model files' metadata.
inline constexpr std::string_view version = "0.1.0";

}  // namespace fixnet

#endif  // FIXNET_VERSION_HPP
