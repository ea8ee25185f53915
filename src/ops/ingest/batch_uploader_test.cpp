// BatchUploader against a scripted in-process HTTP server: splitting on 400 to isolate bad records,
// size-based splitting, retries on 503, fatal errors on 404.
#include "ops/ingest/batch_uploader.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

namespace quiver::ops::ingest {
namespace {

// Answers each request with respond(body) -> (status, body); HTTP/1.1 keep-alive, one client.
class ScriptedServer {
 public:
  using Respond = std::function<std::pair<int, std::string>(const std::string& body)>;
  explicit ScriptedServer(Respond respond) : respond_(std::move(respond)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listen_fd_, 4);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    if (conn_fd_ >= 0) shutdown(conn_fd_, SHUT_RDWR);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

 private:
  void Serve() {
    while (true) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      conn_fd_ = fd;
      std::string buf;
      char chunk[65536];
      while (true) {
        size_t header_end;
        while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
          ssize_t n = read(fd, chunk, sizeof(chunk));
          if (n <= 0) goto next_connection;
          buf.append(chunk, static_cast<size_t>(n));
        }
        size_t cl = buf.find("Content-Length: ");
        size_t length = cl < header_end ? std::stoul(buf.substr(cl + 16)) : 0;
        while (buf.size() < header_end + 4 + length) {
          ssize_t n = read(fd, chunk, sizeof(chunk));
          if (n <= 0) goto next_connection;
          buf.append(chunk, static_cast<size_t>(n));
        }
        std::string body = buf.substr(header_end + 4, length);
        buf.erase(0, header_end + 4 + length);
        ++requests_;
        auto [status, reply] = respond_(body);
        std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " +
                          "application/json\r\nContent-Length: " + std::to_string(reply.size()) +
                          "\r\n\r\n" + reply;
        if (write(fd, out.data(), out.size()) < 0) break;
      }
    next_connection:
      close(fd);
      conn_fd_ = -1;
    }
  }
  Respond respond_;
  int listen_fd_ = -1;
  std::atomic<int> conn_fd_{-1};
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

const std::string kOk = R"({"result":{"operation_id":1,"status":"acknowledged"},"status":"ok"})";

RawBatch Records(int n, int dims) {
  RawBatch b;
  for (int i = 1; i <= n; ++i) {
    std::string line = "{\"id\":" + std::to_string(i) + ",\"vector\":[";
    for (int d = 0; d < dims; ++d) line += d ? ",1" : "1";
    line += "]}";
    RawRecord r;
    r.number = static_cast<uint64_t>(i);
    r.offset = static_cast<uint32_t>(b.data.size());
    r.size = static_cast<uint32_t>(line.size());
    b.data += line;
    b.records.push_back(r);
  }
  return b;
}

struct Fixture {
  explicit Fixture(const std::string& url, size_t max_body = 1 << 20) {
    HttpEndpoint e;
    e.base_url = url;
    UploadConfig config;
    config.points_path = "/collections/c/points";
    config.max_body_bytes = max_body;
    uploader = std::make_unique<BatchUploader>(
        config, MakeJsonConverter(ConvertOptions{}),
        std::make_unique<RetryingClient>(e, RetryPolicy{5, 0.001, 0.002}, nullptr, &stats.retries),
        &stats, &barrier);
  }
  LiveStats stats;
  BarrierPoint barrier;
  std::unique_ptr<BatchUploader> uploader;
};

TEST(BatchUploader, SplitsRejectedBatchesToIsolateBadRecords) {
  ScriptedServer server([](const std::string& body) -> std::pair<int, std::string> {
    for (const char* bad : {"{\"id\":13,", "{\"id\":31,"}) {
      if (body.find(bad) != std::string::npos) {
        return {400,
                std::string(R"({"status":{"error":"Wrong input: point )") + (bad + 6) + "\"}}"};
      }
    }
    return {200, kOk};
  });
  Fixture f(server.url());
  BatchUploader::Outcome out;
  ASSERT_TRUE(f.uploader->Process(Records(40, 3), false, &out).ok());
  EXPECT_EQ(out.counts.records, 40u);
  EXPECT_EQ(out.counts.loaded, 38u);
  EXPECT_EQ(out.counts.rejected, 2u);
  EXPECT_NE(out.rejects.find(R"({"line":13,"reason":"Wrong input: point 13,",)"), std::string::npos)
      << out.rejects;
  EXPECT_LT(out.rejects.find("\"line\":13"), out.rejects.find("\"line\":31"));
  EXPECT_LE(server.requests(), 1 + 2 * 2 * 6);  // two binary searches over 40 records
  EXPECT_GT(f.stats.splits.load(), 0u);
  EXPECT_EQ(f.barrier.Get().substr(0, 8), "{\"id\":40");
}

TEST(BatchUploader, SplitsBodiesOverTheByteLimit) {
  std::atomic<size_t> largest{0};
  ScriptedServer server([&](const std::string& body) -> std::pair<int, std::string> {
    largest = std::max(largest.load(), body.size());
    return {200, kOk};
  });
  Fixture f(server.url(), 4096);
  BatchUploader::Outcome out;
  ASSERT_TRUE(f.uploader->Process(Records(50, 100), true, &out).ok());  // ~250 bytes per point
  EXPECT_EQ(out.counts.loaded, 50u);
  EXPECT_TRUE(out.durable);
  EXPECT_LE(largest.load(), 4096u);
  EXPECT_GE(server.requests(), 4);
}

TEST(BatchUploader, RetriesUnavailableAndStopsOnNotFound) {
  std::atomic<int> calls{0};
  ScriptedServer server([&](const std::string&) -> std::pair<int, std::string> {
    int n = ++calls;
    if (n <= 2) return {503, R"({"status":{"error":"busy"}})"};
    if (n == 3) return {200, kOk};
    return {404, R"({"status":{"error":"Not found: Collection `c` doesn't exist!"}})"};
  });
  Fixture f(server.url());
  BatchUploader::Outcome out;
  ASSERT_TRUE(f.uploader->Process(Records(5, 2), false, &out).ok());
  EXPECT_EQ(out.counts.loaded, 5u);
  EXPECT_EQ(f.stats.retries.load(), 2u);
  base::Status st = f.uploader->Process(Records(5, 2), false, &out);
  EXPECT_EQ(st.message(),
            "the server refused the upsert: Not found: Collection `c` doesn't exist!");
}

TEST(BatchUploader, StrictStopsAtTheFirstLocalReject) {
  LiveStats stats;
  BarrierPoint barrier;
  UploadConfig config;
  config.strict = true;
  config.dry_run = true;
  ConvertOptions options;
  options.schema.known = true;
  options.schema.unnamed = 2;
  BatchUploader uploader(config, MakeJsonConverter(options), nullptr, &stats, &barrier);
  BatchUploader::Outcome out;
  base::Status st = uploader.Process(Records(5, 3), false, &out);
  EXPECT_EQ(st.message(),
            "--strict: record 1 rejected: Vector dimension error: expected dim: 2, got 3");
  EXPECT_NE(out.rejects.find("\"line\":1,"), std::string::npos);
}

}  // namespace
}  // namespace quiver::ops::ingest
