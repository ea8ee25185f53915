#include "base/huge_pages.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace quiver::base {
namespace {

// The kernel's THP mode: "always", "madvise" (Debian's default), "never" or "" when unknown.
std::string ThpMode() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(f, line);
  for (const char* mode : {"always", "madvise", "never"}) {
    if (line.find(std::string("[") + mode + "]") != std::string::npos) return mode;
  }
  return "";
}

// AnonHugePages (kB) of the mapping that contains `p`, from /proc/self/smaps.
long HugeKbAt(const void* p) {
  std::ifstream f("/proc/self/smaps");
  std::string line;
  bool inside = false;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(f, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::stol(line.substr(line.find(':') + 1));
    }
  }
  return -1;
}

// Whether this kernel collapses a written 4 MB anonymous range into huge pages now (Linux 6.1+,
// THP not disabled, a free huge page at hand): when it cannot, UseHugePages leaves memory as it
// is by design, and there is nothing to check.
bool KernelCollapses() {
  constexpr size_t kBytes = size_t{8} << 20;
  void* mem = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return false;
  const uintptr_t huge = uintptr_t{2} << 20;
  void* aligned =
      reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(mem) + huge - 1) & ~(huge - 1));
  std::memset(aligned, 1, 4 << 20);
  const bool ok = madvise(aligned, 4 << 20, MADV_HUGEPAGE) == 0 &&
                  madvise(aligned, 4 << 20, 25 /* MADV_COLLAPSE */) == 0;
  munmap(mem, kBytes);
  return ok;
}

TEST(HugePages, KeepsTheContentAndBacksWholePagesWithHugePages) {
  if (std::getenv("QUIVER_NO_HUGE_PAGES")) GTEST_SKIP() << "turned off";
  constexpr size_t kBytes = size_t{40} << 20;
  void* mem = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* words = static_cast<uint32_t*>(mem);
  const size_t n = kBytes / sizeof(uint32_t);
  std::iota(words, words + n, 7u);  // written first, as a filled segment column is
  UseHugePages(mem, kBytes);
  for (size_t i = 0; i < n; i += 4099) ASSERT_EQ(words[i], uint32_t(i + 7));
  EXPECT_EQ(words[n - 1], uint32_t(n - 1 + 7));
  if (ThpMode() == "always" || ThpMode() == "madvise") {
    // 40 MB mapped at a 4 KB boundary holds at least 19 whole 2 MB pages.
    const long huge_kb = HugeKbAt(mem);
    if (huge_kb < 19 * 2048 && !KernelCollapses()) {
      munmap(mem, kBytes);
      GTEST_SKIP() << "this kernel does not collapse memory into huge pages now";
    }
    EXPECT_GE(huge_kb, 19 * 2048);
  }
  munmap(mem, kBytes);
}

TEST(HugePages, SmallOrEmptyRangesAreLeftAlone) {
  std::vector<uint8_t> small(size_t{8} << 20, 3);
  UseHugePages(small.data(), small.size());  // under 32 MB: left as it is
  if (ThpMode() == "madvise") {
    EXPECT_EQ(HugeKbAt(small.data()), 0);
  }
  UseHugePages(nullptr, size_t{64} << 20);
  UseHugePages(small.data(), 0);
  for (uint8_t b : small) ASSERT_EQ(b, 3);
}

}  // namespace
}  // namespace quiver::base
