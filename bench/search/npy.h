// Minimal .npy reader for the search benchmark's C++ peers (little-endian, C order; float32 or
// int64). Reads at most `max_rows` rows when given.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

template <typename T>
std::vector<T> LoadNpy(const std::string& path, size_t* rows, size_t* cols,
                       size_t max_rows = SIZE_MAX) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  char magic[6];
  in.read(magic, 6);
  uint8_t major, minor;
  in.read(reinterpret_cast<char*>(&major), 1);
  in.read(reinterpret_cast<char*>(&minor), 1);
  uint32_t hlen = 0;
  if (major == 1) {
    uint16_t h;
    in.read(reinterpret_cast<char*>(&h), 2);
    hlen = h;
  } else {
    in.read(reinterpret_cast<char*>(&hlen), 4);
  }
  std::string header(hlen, ' ');
  in.read(header.data(), hlen);
  auto open = header.find('(');
  auto comma = header.find(',', open);
  auto close = header.find(')', open);
  *rows = std::stoull(header.substr(open + 1, comma - open - 1));
  std::string c = header.substr(comma + 1, close - comma - 1);
  *cols = c.find_first_of("0123456789") == std::string::npos ? 1 : std::stoull(c);
  if (*rows > max_rows) *rows = max_rows;
  std::vector<T> data(*rows * *cols);
  in.read(reinterpret_cast<char*>(data.data()), data.size() * sizeof(T));
  return data;
}
