// fixnet — a standard allocator whose blocks start on a 64-byte boundary.
//
//   std::vector<std::array<float, 784>, fixnet::AlignedAllocator<std::array<float, 784>>> rows;
//   // rows.data() is 64-byte aligned: the kernels' vector loads never split a
//   // cache line at the start of the data.
#ifndef FIXNET_ALIGNED_ALLOCATOR_HPP
#define FIXNET_ALIGNED_ALLOCATOR_HPP

#include <cstddef>
#include <limits>
#include <new>

#include "fixnet/core/config.hpp"

namespace fixnet {

/// An allocator for standard containers whose storage starts on an
/// `Alignment`-byte boundary (by default `fixnet::alignment`, 64 bytes: one
/// cache line, the widest Highway vector on x86). Stateless: any two compare
/// equal. Uses the aligned forms of `operator new`/`operator delete` (C++17),
/// so it needs nothing from the platform. (Highway 1.0.3's own
/// `hwy::AllocateAligned` returns a unique pointer, not a container allocator.)
template <class T, std::size_t Alignment = alignment>
struct AlignedAllocator {
  static_assert(Alignment >= alignof(T) && (Alignment & (Alignment - 1)) == 0,
                "fixnet: AlignedAllocator needs a power-of-two alignment of at least alignof(T)");

  using value_type = T;
  template <class U>
  struct rebind {
    using other = AlignedAllocator<U, Alignment>;
  };

  AlignedAllocator() noexcept = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U, Alignment>&) noexcept {}

  /// Storage for n objects; throws std::bad_array_new_length if n objects do
  /// not fit in a size_t, std::bad_alloc if the memory is not there.
  [[nodiscard]] T* allocate(std::size_t n) {
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{Alignment}));
  }
  // The unsized form: clang before 19 declares the sized operator delete only
  // under -fsized-deallocation, so the sized call did not compile there.
  void deallocate(T* p, std::size_t) noexcept {
    ::operator delete(p, std::align_val_t{Alignment});
  }

  template <class U>
  friend bool operator==(const AlignedAllocator&, const AlignedAllocator<U, Alignment>&) noexcept {
    return true;
  }
};

}  // namespace fixnet

#endif  // FIXNET_ALIGNED_ALLOCATOR_HPP
