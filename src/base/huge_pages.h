// Transparent huge pages for large, long-lived arrays that are read at random (a sealed segment's
// vectors, a graph's links, quantized codes): one 2 MB TLB entry instead of 512 4 KB ones, so a
// graph walk or a filtered scan that touches a new row at every step misses the TLB far less.
#pragma once

#include <cstddef>

namespace quiver::base {

// Backs the whole 2 MB pages inside [p, p + bytes) with huge pages now (MADV_HUGEPAGE, then
// MADV_COLLAPSE, Linux 6.1+), for memory the process has written. Only for arrays of 32 MB or
// more (which glibc maps on their own; smaller ones share heap pages that are reused later).
// Best effort: where the kernel cannot (older kernel, THP disabled, no free huge page) nothing
// changes. Anonymous memory only.
void UseHugePages(const void* p, size_t bytes);

}  // namespace quiver::base
