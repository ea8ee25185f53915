// NumPy .npy headers (format versions 1-3) and the element types `quiver ingest` reads from
// .npy and .fvecs files: little-endian float16, float32 and float64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace quiver::ops::ingest {

enum class DType { kF16, kF32, kF64 };

inline size_t DTypeSize(DType t) { return t == DType::kF16 ? 2 : t == DType::kF32 ? 4 : 8; }

struct NpyHeader {
  DType dtype = DType::kF32;
  uint64_t rows = 0;
  uint64_t dims = 0;
  size_t data_offset = 0;  // bytes before the first row (magic, version, length, header text)
};

// Bytes needed to know the header's total size (magic + version + length field).
constexpr size_t kNpyPreambleSize = 12;

// Total header size from the first kNpyPreambleSize bytes; Format error when they are not an NPY
// preamble.
base::Result<size_t> NpyHeaderSize(std::string_view preamble);

// Parses the complete header (`bytes` holds at least NpyHeaderSize bytes). Format error for
// anything but a C-ordered 2-D array of little-endian float16/32/64.
base::Result<NpyHeader> ParseNpyHeader(std::string_view bytes);

// IEEE 754 half to float.
float HalfToFloat(uint16_t h);

// Reads element `i` of a little-endian row of `dtype` elements.
float ReadElement(const char* row, DType dtype, size_t i);

}  // namespace quiver::ops::ingest
