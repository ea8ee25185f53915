// Peer for the search benchmark: hnswlib 0.6.2 (Debian, header-only), compiled by us with -O3
// -march=native, on the same data. Prints one JSON line.
//   g++ -O3 -march=native -std=c++17 -fopenmp bench/search/hnswlib_peer.cpp -o /tmp/hnswlib_peer
//   /tmp/hnswlib_peer DATA_DIR M EF_CONSTRUCT THREADS ef1,ef2,...
// Its level-0 block (links and vectors) is backed by transparent huge pages, as Quiver's sealed
// segments are (base/huge_pages.h), unless QUIVER_NO_HUGE_PAGES is set: the two then compare on
// equal terms (in-process at 500k, huge pages gave hnswlib +10-23% QPS and Quiver +14-29%).
#include <hnswlib/hnswlib.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "npy.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: hnswlib_peer DATA_DIR M EF_CONSTRUCT THREADS EFS\n";
    return 2;
  }
  std::string dir = argv[1];
  int m = std::stoi(argv[2]), efc = std::stoi(argv[3]), threads = std::stoi(argv[4]);
  size_t n, dim, nq, qd, gq, gk;
  auto base = LoadNpy<float>(dir + "/base.npy", &n, &dim);
  auto queries = LoadNpy<float>(dir + "/queries.npy", &nq, &qd);
  auto gt = LoadNpy<int64_t>(dir + "/gt.npy", &gq, &gk);
  hnswlib::InnerProductSpace space(dim);
  hnswlib::HierarchicalNSW<float> index(&space, n, m, efc, 42);
  if (!std::getenv("QUIVER_NO_HUGE_PAGES")) {  // before the first touch: faults take huge pages
    const uintptr_t huge = uintptr_t{2} << 20;
    const uintptr_t begin =
        (reinterpret_cast<uintptr_t>(index.data_level0_memory_) + huge - 1) & ~(huge - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(index.data_level0_memory_) +
                           n * index.size_data_per_element_) &
                          ~(huge - 1);
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  auto t0 = std::chrono::steady_clock::now();
  AddAllParallel(index, base.data(), n, dim, threads);
  double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::ostringstream out;
  out << "{\"peer\":\"hnswlib-0.6.2\",\"n\":" << n << ",\"build_seconds\":" << build
      << ",\"runs\":[";
  std::stringstream efs(argv[5]);
  std::string tok;
  bool first = true;
  while (std::getline(efs, tok, ',')) {
    index.setEf(std::stoul(tok));
    size_t hits = 0;
    auto q0 = std::chrono::steady_clock::now();
    for (size_t q = 0; q < nq; ++q) {
      auto res = index.searchKnn(queries.data() + q * dim, 10);
      std::set<int64_t> truth(gt.begin() + q * gk, gt.begin() + q * gk + 10);
      while (!res.empty()) {
        hits += truth.count(static_cast<int64_t>(res.top().second));
        res.pop();
      }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - q0).count();
    out << (first ? "" : ",") << "{\"ef\":" << tok << ",\"recall\":" << double(hits) / (nq * 10.0)
        << ",\"qps\":" << nq / secs << "}";
    first = false;
  }
  out << "]}";
  std::cout << out.str() << std::endl;
  return 0;
}
