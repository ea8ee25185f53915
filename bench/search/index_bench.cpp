// In-process comparison of one Quiver HNSW graph (engine/index, as a sealed segment holds it) with
// hnswlib 0.6.2 on the same rows: build time with the same thread count, then recall@10 against
// exact search and single-thread QPS per ef. With GRAPH_FILE, Quiver's graph is loaded from it when
// it exists and saved to it otherwise (for search-only experiments). With KEY=VALUE, searches are
// filtered to the rows whose payload.jsonl line has that string value (e.g. category=c3): the
// plain filtered walk, with seeds sampled from the matches, with the two-hop walk, and both.
// mod=K filters to every K-th row instead (a filter unrelated to the clusters). It isolates the
// graph from REST, segments and filters, so that changes to the graph code can be measured on their
// own.
//   cmake --build --preset release --target quiver_index_bench
//   build/bench/search/quiver_index_bench DATA_DIR N THREADS ef1,ef2,... [quiver|hnswlib|both]
//     [GRAPH_FILE] [KEY=VALUE]
// Mode `cells` (with KEY=VALUE; GRAPH_FILE is ignored, the list is of probe counts) measures an
// experimental filtered path instead: see RunCells. Two more experiments with KEY=VALUE (pass ""
// as GRAPH_FILE): `subgraph` builds a graph over the matching rows only (what payload-aware links
// give a filter; SUB_M and SUB_EF set m and ef_construct) and searches it at each ef; `sketch`
// ranks the matches by 1-bit sketches (sign of row - mean, plain and norm-corrected) and rescores
// the best R exactly, for each R in the list (QN limits the number of queries).
// DATA_DIR holds base.npy and queries.npy from bench/common/datagen.py; the first N base rows are
// indexed and the exact top 10 over them is computed here.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/huge_pages.h"
#include "engine/index/distance_kernels.h"
#include "engine/index/hnsw_index.h"
#include "npy.h"

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<std::vector<uint32_t>> ExactTop10(const std::vector<float>& base, size_t n,
                                              const std::vector<float>& queries, size_t nq,
                                              size_t dim, int threads,
                                              const std::vector<uint8_t>* mask) {
  std::vector<std::vector<uint32_t>> gt(nq);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<float> scores(n);
    for (size_t q = next++; q < nq; q = next++) {
      quiver::engine::ScoreMany(quiver::engine::Distance::kCosine, &queries[q * dim], base.data(),
                                n, dim, scores.data());
      std::vector<uint32_t> ids;
      for (size_t i = 0; i < n; ++i) {
        if (!mask || (*mask)[i]) ids.push_back(uint32_t(i));
      }
      std::partial_sort(ids.begin(), ids.begin() + 10, ids.end(),
                        [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
      gt[q].assign(ids.begin(), ids.begin() + 10);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return gt;
}

// The ids of the 10 best (lowest first member) pairs, best first.
std::vector<uint32_t> Best10(std::vector<std::pair<float, uint32_t>>& top) {
  const size_t k = std::min<size_t>(10, top.size());
  std::partial_sort(top.begin(), top.begin() + k, top.end());
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < k; ++i) ids.push_back(top[i].second);
  return ids;
}

template <class SearchFn>
void RunQueries(const char* peer, const std::vector<size_t>& efs, size_t nq,
                const std::vector<std::vector<uint32_t>>& gt, SearchFn search) {
  for (size_t ef : efs) {
    size_t hits = 0;
    double secs = 1e30;
    for (int pass = 0; pass < 3; ++pass) {  // the best of three passes: this machine is shared
      hits = 0;
      auto t0 = Clock::now();
      for (size_t q = 0; q < nq; ++q) {
        std::vector<uint32_t> got = search(q, ef);
        std::set<uint32_t> truth(gt[q].begin(), gt[q].end());
        for (uint32_t id : got) hits += truth.count(id);
      }
      secs = std::min(secs, Since(t0));
    }
    std::cout << "{\"peer\":\"" << peer << "\",\"ef\":" << ef
              << ",\"recall\":" << double(hits) / (nq * 10.0) << ",\"qps\":" << nq / secs << "}"
              << std::endl;
  }
}

// Experiment for a planner path not in the server yet: cells of ~250 rows (centres: an even sample
// of the rows, every row assigned to its nearest centre through a small graph over them). A
// filtered query walks the centre graph to the `probe` nearest cells that hold matches and scores
// their matching rows exactly. Prints recall, QPS and the rows scored per query for each probe
// count.
void RunCells(const std::vector<float>& base, size_t n, size_t dim,
              const std::vector<float>& queries, size_t nq,
              const std::vector<std::vector<uint32_t>>& gt, const std::vector<uint32_t>& matches,
              int threads, const std::vector<size_t>& probes) {
  using quiver::engine::Distance;
  using quiver::engine::HnswIndex;
  const size_t ncells = std::max<size_t>(1, n / 250);
  std::vector<float> centres(ncells * dim);
  for (size_t c = 0; c < ncells; ++c) {
    std::copy_n(&base[(c * n / ncells) * dim], dim, &centres[c * dim]);
  }
  auto t0 = Clock::now();
  quiver::engine::HnswParams params;
  params.threads = threads;
  auto graph = HnswIndex::Build(centres.data(), nullptr, uint32_t(ncells), uint32_t(dim),
                                Distance::kCosine, params);
  std::vector<uint32_t> cell_of(n);
  std::atomic<size_t> next{0};
  auto assign = [&] {
    for (size_t i = next++; i < n; i = next++) {
      auto found = graph->Search(&base[i * dim], 1, 32, nullptr);
      cell_of[i] = found.empty() ? 0 : found[0].second;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(assign);
  assign();
  for (auto& t : pool) t.join();
  // Route by each cell's mean (normalised), not by the sampled row: a row's own noise would rank
  // its cell.
  std::vector<float> means(ncells * dim, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    for (size_t d = 0; d < dim; ++d) means[cell_of[i] * dim + d] += base[i * dim + d];
  }
  for (size_t c = 0; c < ncells; ++c) {
    float norm = 0;
    for (size_t d = 0; d < dim; ++d) norm += means[c * dim + d] * means[c * dim + d];
    norm = norm > 0 ? 1.0f / std::sqrt(norm) : 0.0f;
    for (size_t d = 0; d < dim; ++d) means[c * dim + d] *= norm;
  }
  centres = std::move(means);
  graph = HnswIndex::Build(centres.data(), nullptr, uint32_t(ncells), uint32_t(dim),
                           Distance::kCosine, params);
  std::cerr << "cells: " << ncells << " centres, graph and assignment " << Since(t0) << " s\n";
  std::vector<std::vector<uint32_t>> members(ncells);  // the matching rows of each cell
  for (uint32_t i : matches) members[cell_of[i]].push_back(i);
  std::function<bool(uint32_t)> has_matches = [&](uint32_t c) { return !members[c].empty(); };
  for (size_t probe : probes) {
    size_t scored = 0;
    RunQueries("cells", {probe}, nq, gt, [&](size_t q, size_t) {
      const float* query = &queries[q * dim];
      std::vector<std::pair<float, uint32_t>> top;
      for (const auto& [score, c] :
           graph->Search(query, probe, std::max<size_t>(probe, 32), &has_matches)) {
        for (uint32_t i : members[c]) {
          top.emplace_back(-quiver::engine::Score(Distance::kCosine, query, &base[i * dim], dim),
                           i);
        }
      }
      scored += top.size();
      return Best10(top);
    });
    std::cout << "{\"peer\":\"cells\",\"probe\":" << probe
              << ",\"rows_scored_per_query\":" << scored / (3.0 * nq) << "}" << std::endl;
  }
}

// Experiment: 1-bit sketches of the matches (sign of row - mean; plain, and with the per-row
// norm correction of RaBitQ) rank them, the best R are rescored exactly, for each R in `rs`.
void RunSketch(const std::vector<float>& base, size_t n, size_t dim,
               const std::vector<float>& queries, size_t nq,
               const std::vector<std::vector<uint32_t>>& gt, const std::vector<uint32_t>& matches,
               const std::vector<size_t>& rs) {
  std::vector<float> mean(dim, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    for (size_t d = 0; d < dim; ++d) mean[d] += base[i * dim + d];
  }
  for (auto& x : mean) x /= float(n);
  const size_t m = matches.size();
  std::vector<float> bits(m * dim);  // +1 / -1 per dimension here: ranking quality only
  std::vector<float> norm(m), align(m);
  for (size_t j = 0; j < m; ++j) {
    const float* x = &base[size_t(matches[j]) * dim];
    double nn = 0, al = 0;
    for (size_t d = 0; d < dim; ++d) {
      const float c = x[d] - mean[d];
      bits[j * dim + d] = c > 0 ? 1.0f : -1.0f;
      nn += c * c;
      al += std::fabs(c);
    }
    norm[j] = float(std::sqrt(nn));
    align[j] = float(al / std::sqrt(nn) / std::sqrt(double(dim)));  // <x^, b^>
  }
  const size_t sq = std::getenv("QN") ? std::stoul(std::getenv("QN")) : nq;
  for (int corrected = 0; corrected < 2; ++corrected) {
    RunQueries(corrected ? "sketch-corrected" : "sketch", rs, sq, gt, [&](size_t q, size_t r) {
      const float* query = &queries[q * dim];
      std::vector<std::pair<float, uint32_t>> est(m);
      for (size_t j = 0; j < m; ++j) {
        float s = 0;
        for (size_t d = 0; d < dim; ++d) s += bits[j * dim + d] * query[d];
        if (corrected) s = norm[j] * s / std::sqrt(float(dim)) / align[j];
        est[j] = {-s, uint32_t(j)};
      }
      const size_t keep = std::min(r, m);
      std::partial_sort(est.begin(), est.begin() + keep, est.end());
      std::vector<std::pair<float, uint32_t>> top;
      for (size_t j = 0; j < keep; ++j) {
        const uint32_t i = matches[est[j].second];
        top.emplace_back(
            -quiver::engine::Score(quiver::engine::Distance::kCosine, query, &base[i * dim], dim),
            i);
      }
      return Best10(top);
    });
  }
}

// Experiment: a graph over the matching rows only (what payload-aware links give a filter),
// built with SUB_M / SUB_EF (default m 16, ef_construct 100) and searched at each ef.
void RunSubgraph(const std::vector<float>& base, size_t dim, const std::vector<float>& queries,
                 size_t nq, const std::vector<std::vector<uint32_t>>& gt,
                 const std::vector<uint32_t>& matches, int threads,
                 const std::vector<size_t>& efs) {
  quiver::engine::HnswParams params;
  params.threads = threads;
  if (const char* m = std::getenv("SUB_M")) params.m = std::stoul(m);
  if (const char* e = std::getenv("SUB_EF")) params.ef_construct = std::stoul(e);
  std::vector<float> rows(matches.size() * dim);
  for (size_t j = 0; j < matches.size(); ++j) {
    std::copy_n(&base[size_t(matches[j]) * dim], dim, &rows[j * dim]);
  }
  const auto t0 = Clock::now();
  auto sub =
      quiver::engine::HnswIndex::Build(rows.data(), nullptr, uint32_t(matches.size()),
                                       uint32_t(dim), quiver::engine::Distance::kCosine, params);
  std::cout << "{\"peer\":\"subgraph\",\"n\":" << matches.size() << ",\"m\":" << params.m
            << ",\"ef_construct\":" << params.ef_construct << ",\"build_seconds\":" << Since(t0)
            << "}" << std::endl;
  RunQueries("subgraph", efs, nq, gt, [&](size_t q, size_t ef) {
    std::vector<uint32_t> ids;
    for (const auto& [score, id] : sub->Search(&queries[q * dim], 10, ef, nullptr)) {
      ids.push_back(matches[id]);
    }
    return ids;
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: quiver_index_bench DATA_DIR N THREADS EFS [quiver|hnswlib|both]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int threads = std::stoi(argv[3]);
  const std::string which = argc > 5 ? argv[5] : "both";
  const std::string graph_file = argc > 6 ? argv[6] : "";
  std::vector<size_t> efs;
  std::stringstream list(argv[4]);
  for (std::string tok; std::getline(list, tok, ',');) efs.push_back(std::stoul(tok));
  size_t n, dim, nq, qd;
  auto base = LoadNpy<float>(dir + "/base.npy", &n, &dim, std::stoull(argv[2]));
  auto queries = LoadNpy<float>(dir + "/queries.npy", &nq, &qd);
  // As a sealed segment's column (QUIVER_NO_HUGE_PAGES=1: 4 KB pages, for both peers).
  quiver::base::UseHugePages(base.data(), base.size() * sizeof(float));
  const std::string filter = argc > 7 ? argv[7] : "";
  std::vector<uint8_t> mask;
  std::vector<uint32_t> matches;
  if (!filter.empty()) {
    const auto eq = filter.find('=');
    // By append: `"\"" + string` here trips GCC 12's -Wrestrict false positive.
    const std::string needle = std::string("\"")
                                   .append(filter.substr(0, eq))
                                   .append("\": \"")
                                   .append(filter.substr(eq + 1))
                                   .append("\"");
    std::ifstream payloads(dir + "/payload.jsonl");
    std::string line;
    const bool modulo = filter.substr(0, eq) == "mod";  // mod=K: every K-th row, no payload
    for (size_t i = 0; i < n && (modulo || std::getline(payloads, line)); ++i) {
      mask.push_back(modulo ? i % std::stoul(filter.substr(eq + 1)) == 0
                            : line.find(needle) != std::string::npos);
      if (mask.back()) matches.push_back(uint32_t(i));
    }
    mask.resize(n, 0);
    std::cerr << filter << ": " << matches.size() << " of " << n << " rows\n";
  }
  auto t0 = Clock::now();
  auto gt = ExactTop10(base, n, queries, nq, dim, threads, mask.empty() ? nullptr : &mask);
  std::cerr << "exact top 10 of " << nq << " queries over " << n << " rows: " << Since(t0)
            << " s\n";

  if (which == "cells") {  // the efs are the probe counts
    if (filter.empty()) {
      std::cerr << "cells: needs KEY=VALUE\n";
      return 2;
    }
    RunCells(base, n, dim, queries, nq, gt, matches, threads, efs);
    return 0;
  }
  if ((which == "sketch" || which == "subgraph") && matches.empty()) {
    std::cerr << which << ": needs KEY=VALUE with matching rows\n";
    return 2;
  }
  if (which == "sketch") {
    RunSketch(base, n, dim, queries, nq, gt, matches, efs);
    return 0;
  }
  if (which == "subgraph") {
    RunSubgraph(base, dim, queries, nq, gt, matches, threads, efs);
    return 0;
  }
  if (which != "hnswlib") {
    quiver::engine::HnswParams params;
    params.threads = threads;
    std::unique_ptr<quiver::engine::HnswIndex> index;
    if (!graph_file.empty() && std::filesystem::exists(graph_file)) {
      std::ifstream in(graph_file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto loaded = quiver::engine::HnswIndex::Deserialize(
          bytes, base.data(), uint32_t(n), uint32_t(dim), quiver::engine::Distance::kCosine);
      if (!loaded.ok()) {
        std::cerr << "cannot load " << graph_file << "\n";
        return 1;
      }
      index = std::move(*loaded);
    } else {
      t0 = Clock::now();
      index = quiver::engine::HnswIndex::Build(base.data(), nullptr, uint32_t(n), uint32_t(dim),
                                               quiver::engine::Distance::kCosine, params);
      std::cout << "{\"peer\":\"quiver\",\"n\":" << n << ",\"build_seconds\":" << Since(t0) << "}"
                << std::endl;
      if (!graph_file.empty()) std::ofstream(graph_file, std::ios::binary) << index->Serialize();
    }
    if (filter.empty()) {
      RunQueries("quiver", efs, nq, gt, [&](size_t q, size_t ef) {
        std::vector<uint32_t> ids;
        for (const auto& [score, id] : index->Search(&queries[q * dim], 10, ef, nullptr)) {
          ids.push_back(id);
        }
        return ids;
      });
      return 0;
    }
    // The planner's exact path for a filter (Collection::SearchSegment): the matching rows
    // scored one by one, whole rows prefetched a few ahead.
    RunQueries("quiver-filter-exact", {0}, nq, gt, [&](size_t q, size_t) {
      std::vector<std::pair<float, uint32_t>> top;
      const size_t m = matches.size(), row_bytes = dim * sizeof(float);
      for (size_t j = 0; j < m; ++j) {
        if (j + 4 < m) {
          const char* ahead = reinterpret_cast<const char*>(&base[size_t(matches[j + 4]) * dim]);
          for (size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(ahead + b);
        }
        const float s = quiver::engine::Score(quiver::engine::Distance::kCosine, &queries[q * dim],
                                              &base[size_t(matches[j]) * dim], dim);
        top.emplace_back(-s, matches[j]);
      }
      return Best10(top);
    });
    std::function<bool(uint32_t)> accept = [&](uint32_t i) { return mask[i] != 0; };
    std::vector<uint32_t> seeds;
    const size_t sample = std::min<size_t>(512, matches.size());  // as Collection::SearchSegment
    for (size_t j = 0; j < sample; ++j) seeds.push_back(matches[j * matches.size() / sample]);
    for (int variant = 0; variant < 4; ++variant) {
      const bool with_seeds = variant & 1, two_hop = variant & 2;
      const std::string name =
          std::string("quiver-filter") + (with_seeds ? "-seeds" : "") + (two_hop ? "-twohop" : "");
      RunQueries(name.c_str(), efs, nq, gt, [&](size_t q, size_t ef) {
        std::vector<uint32_t> ids;
        for (const auto& [score, id] : index->Search(
                 &queries[q * dim], 10, ef, &accept,
                 with_seeds ? std::span<const uint32_t>(seeds) : std::span<const uint32_t>(),
                 two_hop)) {
          ids.push_back(id);
        }
        return ids;
      });
    }
  }
  if (which != "quiver") {
    hnswlib::InnerProductSpace space(dim);
    hnswlib::HierarchicalNSW<float> index(&space, n, 16, 100, 42);
    quiver::base::UseHugePages(index.data_level0_memory_, n * index.size_data_per_element_);
    t0 = Clock::now();
    AddAllParallel(index, base.data(), n, dim, threads);
    std::cout << "{\"peer\":\"hnswlib-0.6.2\",\"n\":" << n << ",\"build_seconds\":" << Since(t0)
              << "}" << std::endl;
    RunQueries("hnswlib-0.6.2", efs, nq, gt, [&](size_t q, size_t ef) {
      index.setEf(ef);
      auto res = index.searchKnn(&queries[q * dim], 10);
      std::vector<uint32_t> ids;
      for (; !res.empty(); res.pop()) ids.push_back(uint32_t(res.top().second));
      return ids;
    });
  }
  return 0;
}
