// What `quiver backup` and `quiver restore` need from a server, through the documented Qdrant REST
// API only (so it works against Qdrant too): version, collections, exact counts, point samples,
// snapshots (create, streamed download, delete) and recovery by streamed multipart upload.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "ops/backup_tool/manifest.h"
#include "ops/ingest/http_client.h"

namespace quiver::ops::backup {

struct SnapshotInfo {
  std::string name;
  uint64_t size = 0;
  std::string checksum;  // sha256 hex, "" when the server gave none
};

struct CollectionState {
  std::string status;       // green, yellow, grey, red
  std::string config_json;  // result.config, raw
};

class QdrantClient {
 public:
  explicit QdrantClient(ingest::HttpEndpoint endpoint);

  // GET /: {title, version}.
  base::Status ServerInfo(std::string& title, std::string& version);
  base::Result<std::vector<std::string>> ListCollections();
  // NotFound when the collection does not exist.
  base::Result<CollectionState> GetCollection(const std::string& name);
  base::Result<uint64_t> CountExact(const std::string& name);
  // The first `limit` points by id with payload and vectors: id JSON + sha256 of the canonical
  // JSON of {id, payload, vector}.
  base::Result<std::vector<SamplePoint>> Sample(const std::string& name, int limit);
  // The same digest for the given ids (missing points are left out).
  base::Result<std::vector<SamplePoint>> Digests(const std::string& name,
                                                 const std::vector<std::string>& id_jsons);
  base::Result<SnapshotInfo> CreateSnapshot(const std::string& collection);
  base::Status DeleteSnapshot(const std::string& collection, const std::string& snapshot);
  // Streams the snapshot into `file`; returns the sha256 hex of what was received.
  base::Result<std::string> DownloadSnapshot(const std::string& collection,
                                             const std::string& snapshot,
                                             const std::filesystem::path& file);
  // POST /collections/{name}/snapshots/upload?priority=snapshot&checksum=..., multipart field
  // "snapshot" streamed from `file`.
  base::Status UploadSnapshot(const std::string& collection, const std::filesystem::path& file,
                              const std::string& sha256);
  base::Status DeleteCollection(const std::string& name);
  // Polls until status is green (or the timeout passes).
  base::Status WaitGreen(const std::string& name, double timeout_sec);

  const std::string& url() const { return endpoint_.base_url; }

 private:
  base::Result<std::string> Call(const char* method, const std::string& path,
                                 const std::string& body);
  ingest::HttpEndpoint endpoint_;
  std::unique_ptr<ingest::RetryingClient> client_;
};

// Percent-encodes a path segment.
std::string EscapeSegment(const std::string& s);

}  // namespace quiver::ops::backup
