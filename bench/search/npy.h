// Small helpers shared by the search benchmark's C++ programs (rest_client, hnswlib_peer,
// index_bench): an .npy reader and hnswlib's parallel build.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

// Reads a C-ordered, little-endian .npy file of float32 (T = float) or int64 (T = int64_t / long
// long) rows: at most `max_rows` of them when given. Throws on a missing file, a foreign format or
// another dtype.
template <typename T>
std::vector<T> LoadNpy(const std::string& path, size_t* rows, size_t* cols,
                       size_t max_rows = SIZE_MAX) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error("not npy: " + path);
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    uint16_t h;
    in.read(reinterpret_cast<char*>(&h), 2);
    hlen = h;
  } else {
    in.read(reinterpret_cast<char*>(&hlen), 4);
  }
  std::string header(hlen, ' ');
  in.read(header.data(), hlen);
  const char* want = std::is_floating_point_v<T> ? "'<f4'" : "'<i8'";
  if (header.find(want) == std::string::npos) {
    throw std::runtime_error(path + ": want dtype " + want);
  }
  auto open = header.find('(');
  auto comma = header.find(',', open);
  auto close = header.find(')', open);
  *rows = std::stoull(header.substr(open + 1, comma - open - 1));
  std::string c = header.substr(comma + 1, close - comma - 1);
  *cols = c.find_first_of("0123456789") == std::string::npos ? 1 : std::stoull(c);
  if (*rows > max_rows) *rows = max_rows;
  std::vector<T> data(*rows * *cols);
  in.read(reinterpret_cast<char*>(data.data()), data.size() * sizeof(T));
  if (!in) throw std::runtime_error(path + ": shorter than its header says");
  return data;
}

// Adds rows [0, n) of `data` to an hnswlib index with `threads` threads (row 0 first), as
// hnswlib's own examples do.
template <typename Index>
void AddAllParallel(Index& index, const float* data, size_t n, size_t dim, int threads) {
  if (n == 0) return;
  index.addPoint(data, 0);
  std::atomic<size_t> next{1};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) index.addPoint(data + i * dim, i);
    });
  }
  for (auto& t : pool) t.join();
}
