#include "ops/ingest/npy_format.h"

#include <cstring>
#include <string>

namespace quiver::ops::ingest {
namespace {

uint32_t Le32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The text after `'key':` in a Python dict literal, trimmed; empty when the key is missing.
std::string_view DictValue(std::string_view dict, std::string_view key) {
  std::string quoted = "'" + std::string(key) + "'";
  size_t k = dict.find(quoted);
  if (k == std::string_view::npos) return {};
  size_t colon = dict.find(':', k + quoted.size());
  if (colon == std::string_view::npos) return {};
  size_t start = dict.find_first_not_of(" ", colon + 1);
  if (start == std::string_view::npos) return {};
  size_t end;
  if (dict[start] == '(') {
    end = dict.find(')', start);
    if (end == std::string_view::npos) return {};
    ++end;
  } else if (dict[start] == '\'') {
    end = dict.find('\'', start + 1);
    if (end == std::string_view::npos) return {};
    ++end;
  } else {
    end = dict.find_first_of(",}", start);
    if (end == std::string_view::npos) return {};
  }
  return dict.substr(start, end - start);
}

bool ParseUint(std::string_view s, uint64_t* out) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  if (b == std::string_view::npos) return false;
  s = s.substr(b, e - b + 1);
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  *out = std::stoull(std::string(s));
  return true;
}

}  // namespace

base::Result<size_t> NpyHeaderSize(std::string_view preamble) {
  if (preamble.size() < 10 || preamble.substr(0, 6) != "\x93NUMPY") {
    return base::Status::Format("not an NPY file (bad magic)");
  }
  int major = static_cast<unsigned char>(preamble[6]);
  if (major == 1) {
    uint16_t len = static_cast<uint16_t>(static_cast<unsigned char>(preamble[8]) |
                                         (static_cast<unsigned char>(preamble[9]) << 8));
    return size_t{10} + len;
  }
  if ((major == 2 || major == 3) && preamble.size() >= 12) {
    return size_t{12} + Le32(preamble.data() + 8);
  }
  return base::Status::Format("unsupported NPY format version " + std::to_string(major));
}

base::Result<NpyHeader> ParseNpyHeader(std::string_view bytes) {
  auto size = NpyHeaderSize(bytes);
  if (!size.ok()) return size.status();
  if (bytes.size() < size.value()) return base::Status::Format("NPY header is truncated");
  NpyHeader h;
  h.data_offset = size.value();
  size_t text_start = static_cast<unsigned char>(bytes[6]) == 1 ? 10 : 12;
  std::string_view dict = bytes.substr(text_start, size.value() - text_start);
  std::string_view descr = DictValue(dict, "descr");
  if (descr == "'<f4'" || descr == "'=f4'") {
    h.dtype = DType::kF32;
  } else if (descr == "'<f2'" || descr == "'=f2'") {
    h.dtype = DType::kF16;
  } else if (descr == "'<f8'" || descr == "'=f8'") {
    h.dtype = DType::kF64;
  } else {
    return base::Status::Format("NPY dtype " + std::string(descr) +
                                " is not supported (little-endian float16, float32 or float64)");
  }
  if (DictValue(dict, "fortran_order") != "False") {
    return base::Status::Format("NPY array is in Fortran order; save it C-ordered");
  }
  std::string_view shape = DictValue(dict, "shape");
  if (shape.size() < 2 || shape.front() != '(') return base::Status::Format("NPY shape is missing");
  shape = shape.substr(1, shape.size() - 2);
  size_t comma = shape.find(',');
  std::string_view second = comma == std::string_view::npos ? "" : shape.substr(comma + 1);
  if (!second.empty() && second.back() == ',') second.remove_suffix(1);
  if (comma == std::string_view::npos || !ParseUint(shape.substr(0, comma), &h.rows) ||
      !ParseUint(second, &h.dims) || h.dims == 0) {
    return base::Status::Format("NPY shape (" + std::string(shape) +
                                ") is not 2-D (rows, dimensions)");
  }
  return h;
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalize
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3FF) << 13;
    }
  } else if (exp == 0x1F) {
    bits = sign | 0x7F800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float ReadElement(const char* row, DType dtype, size_t i) {
  switch (dtype) {
    case DType::kF16: {
      uint16_t h;
      std::memcpy(&h, row + 2 * i, 2);
      return HalfToFloat(h);
    }
    case DType::kF32: {
      float f;
      std::memcpy(&f, row + 4 * i, 4);
      return f;
    }
    case DType::kF64: {
      double d;
      std::memcpy(&d, row + 8 * i, 8);
      return static_cast<float>(d);
    }
  }
  return 0;
}

}  // namespace quiver::ops::ingest
