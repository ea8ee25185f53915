// CRC-32C (Castagnoli), used to checksum WAL records and data-file sections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace quiver::base {

// Extends `crc` (0 to start) with `data`. Uses SSE4.2's crc32 instruction when the CPU has it.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);
// The table-driven version (any CPU); same results.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size);
inline uint32_t Crc32c(std::string_view data) { return Crc32c(0, data.data(), data.size()); }

}  // namespace quiver::base
