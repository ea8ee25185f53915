#include "base/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // Linux 6.1; glibc 2.36's headers do not name it yet
#endif

namespace quiver::base {

void UseHugePages(const void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  // Only arrays that glibc maps on their own (it always does from 32 MB): the mark stays on the
  // range, and on heap memory reused later khugepaged would fill sparse 2 MB ranges, raising RSS.
  constexpr size_t kMinBytes = size_t{32} << 20;
  if (bytes < kMinBytes) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  // QUIVER_NO_HUGE_PAGES set to any value (even 0) turns this off (for benchmark comparisons).
  static const bool disabled = std::getenv("QUIVER_NO_HUGE_PAGES") != nullptr;
  if (disabled || p == nullptr || end <= begin) return;
  void* start = reinterpret_cast<void*>(begin);
  // MADV_HUGEPAGE marks the range (THP "madvise" mode, Debian's default); MADV_COLLAPSE then
  // copies its pages into huge pages at once instead of waiting for khugepaged's slow scan.
  if (madvise(start, end - begin, MADV_HUGEPAGE) != 0) return;
  (void)madvise(start, end - begin, MADV_COLLAPSE);
}

}  // namespace quiver::base
