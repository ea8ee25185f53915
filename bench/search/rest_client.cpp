// A REST search client in C++ for the search benchmark: the Python client costs ~0.2-0.3 ms per
// request by itself, which hides the server's own speed at 1-2 ms per query. Each thread keeps one
// keep-alive HTTP/1.1 connection and sends POST /collections/{c}/points/query for its share of the
// queries (request bodies are encoded before the clock starts; responses are read and their ids
// parsed inside the timed loop). Prints one JSON line: recall@k against the ground truth, QPS,
// latency percentiles.
//
//   g++ -O2 -std=c++17 -pthread bench/search/rest_client.cpp -o /tmp/quiver_rest_client
//   /tmp/quiver_rest_client PORT COLLECTION queries.npy gt.npy THREADS EF [FILTER_JSON] [N]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "npy.h"

namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("connect failed");
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, 0);
    if (n <= 0) throw std::runtime_error("send failed");
    off += size_t(n);
  }
}

// Reads one response (Content-Length framed); returns its body. `buf` keeps bytes past it.
std::string ReadResponse(int fd, std::string& buf) {
  size_t head_end;
  char tmp[65536];
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("recv failed");
    buf.append(tmp, size_t(n));
  }
  std::string head = buf.substr(0, head_end);
  if (head.compare(0, 12, "HTTP/1.1 200") != 0) throw std::runtime_error("status: " + head);
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto cl = lower.find("content-length:");
  if (cl == std::string::npos) throw std::runtime_error("no content-length");
  size_t len = std::stoull(head.substr(cl + 15));
  while (buf.size() < head_end + 4 + len) {
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("recv failed");
    buf.append(tmp, size_t(n));
  }
  std::string body = buf.substr(head_end + 4, len);
  buf.erase(0, head_end + 4 + len);
  return body;
}

std::vector<long long> Ids(const std::string& body) {
  std::vector<long long> ids;
  for (size_t p = body.find("\"id\":"); p != std::string::npos; p = body.find("\"id\":", p + 5)) {
    ids.push_back(std::atoll(body.c_str() + p + 5));
  }
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s PORT COLLECTION queries.npy gt.npy THREADS EF [FILTER] [N]\n",
                 argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string collection = argv[2];
  size_t n, dim, gt_rows, gt_cols;
  const std::vector<float> q = LoadNpy<float>(argv[3], &n, &dim);
  const std::vector<long long> gt = LoadNpy<long long>(argv[4], &gt_rows, &gt_cols);
  const int threads = std::atoi(argv[5]);
  const int ef = std::atoi(argv[6]);
  const std::string filter = argc > 7 ? argv[7] : "";
  if (gt_rows < n) throw std::runtime_error("fewer ground-truth rows than queries");
  if (argc > 8 && std::atoi(argv[8]) > 0) n = std::min<size_t>(n, std::atoi(argv[8]));
  const size_t k = 10;
  const float* qv = q.data();
  const long long* gv = gt.data();

  std::vector<std::string> requests(n);
  for (size_t i = 0; i < n; ++i) {
    std::string body = "{\"query\":[";
    char num[32];
    for (size_t j = 0; j < dim; ++j) {
      std::snprintf(num, sizeof num, j ? ",%.8g" : "%.8g", qv[i * dim + j]);
      body += num;
    }
    body +=
        "],\"limit\":" + std::to_string(k) + ",\"params\":{\"hnsw_ef\":" + std::to_string(ef) + "}";
    if (!filter.empty()) body += ",\"filter\":" + filter;
    body += "}";
    requests[i] = "POST /collections/" + collection +
                  "/points/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  "application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  std::vector<std::vector<long long>> results(n);
  std::vector<double> latency(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    try {
      int fd = Connect(port);
      std::string buf;
      for (size_t i = next++; i < n; i = next++) {
        auto t0 = std::chrono::steady_clock::now();
        SendAll(fd, requests[i]);
        results[i] = Ids(ReadResponse(fd, buf));
        latency[i] =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
      }
      close(fd);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "client error: %s\n", e.what());
      failed = true;
    }
  };
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (failed) return 1;
  size_t hits = 0;
  for (size_t i = 0; i < n; ++i) {
    std::set<long long> truth(gv + i * gt_cols, gv + i * gt_cols + k);
    for (long long id : results[i]) hits += truth.count(id);
  }
  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) { return latency[std::min(n - 1, size_t(p * double(n)))]; };
  std::printf(
      "{\"recall\": %.4f, \"qps\": %.1f, \"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, "
      "\"queries\": %zu, \"threads\": %d, \"hnsw_ef\": %d}\n",
      double(hits) / double(n * k), double(n) / secs, pct(0.5), pct(0.95), pct(0.99), n, threads,
      ef);
  return 0;
}
