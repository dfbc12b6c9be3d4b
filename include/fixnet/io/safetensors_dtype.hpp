// fixnet — the element types of safetensors tensors: their names and sizes,
// the C++ types that hold them, and the exact widening of half and bfloat16.
#ifndef FIXNET_IO_SAFETENSORS_DTYPE_HPP
#define FIXNET_IO_SAFETENSORS_DTYPE_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace fixnet::safetensors {

/// Element types of the format. fixnet writes F32 (F64 for double networks,
/// integer types for counters and quantized layers) and reads every floating
/// type into float or double.
enum class Dtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

/// The format's spelling of a dtype ("F32").
constexpr std::string_view dtype_name(Dtype d) noexcept {
  switch (d) {
    case Dtype::F64: return "F64";
    case Dtype::F32: return "F32";
    case Dtype::F16: return "F16";
    case Dtype::BF16: return "BF16";
    case Dtype::I64: return "I64";
    case Dtype::I32: return "I32";
    case Dtype::I16: return "I16";
    case Dtype::I8: return "I8";
    case Dtype::U8: return "U8";
    case Dtype::BOOL: return "BOOL";
  }
  return "?";
}

/// Bytes per element.
constexpr std::size_t dtype_size(Dtype d) noexcept {
  switch (d) {
    case Dtype::F64:
    case Dtype::I64: return 8;
    case Dtype::F32:
    case Dtype::I32: return 4;
    case Dtype::F16:
    case Dtype::BF16:
    case Dtype::I16: return 2;
    case Dtype::I8:
    case Dtype::U8:
    case Dtype::BOOL: return 1;
  }
  return 1;
}

/// The dtype spelled `s`, if the format has one.
inline std::optional<Dtype> parse_dtype(std::string_view s) noexcept {
  for (Dtype d : {Dtype::F64, Dtype::F32, Dtype::F16, Dtype::BF16, Dtype::I64, Dtype::I32, Dtype::I16,
                  Dtype::I8, Dtype::U8, Dtype::BOOL})
    if (dtype_name(d) == s) return d;
  return std::nullopt;
}

constexpr bool is_floating(Dtype d) noexcept {
  return d == Dtype::F64 || d == Dtype::F32 || d == Dtype::F16 || d == Dtype::BF16;
}

/// The dtype a C++ element type is stored as.
template <class T>
inline constexpr std::optional<Dtype> dtype_of = std::nullopt;
template <>
inline constexpr std::optional<Dtype> dtype_of<double> = Dtype::F64;
template <>
inline constexpr std::optional<Dtype> dtype_of<float> = Dtype::F32;
template <>
inline constexpr std::optional<Dtype> dtype_of<std::int64_t> = Dtype::I64;
template <>
inline constexpr std::optional<Dtype> dtype_of<std::int32_t> = Dtype::I32;
template <>
inline constexpr std::optional<Dtype> dtype_of<std::int16_t> = Dtype::I16;
template <>
inline constexpr std::optional<Dtype> dtype_of<std::int8_t> = Dtype::I8;
template <>
inline constexpr std::optional<Dtype> dtype_of<std::uint8_t> = Dtype::U8;

/// Element types `Writer::add` and `Reader::read` take.
template <class T>
concept Element = dtype_of<T>.has_value();

/// IEEE half (binary16) to float, exactly (every half is a float).
constexpr float half_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0x1f) {  // inf or NaN: keep the payload
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal half: a normal float, shifted until the leading 1 is implicit
    std::uint32_t e = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

/// bfloat16 to float, exactly (the top half of a float's bits).
constexpr float bfloat16_to_float(std::uint16_t b) noexcept {
  return std::bit_cast<float>(std::uint32_t(b) << 16);
}

}  // namespace fixnet::safetensors

#endif  // FIXNET_IO_SAFETENSORS_DTYPE_HPP
