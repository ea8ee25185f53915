// `quiver ingest`: load records from a file (JSONL, CSV, NPY, fvecs; gzip/zstd; "-" for stdin) or
// from another collection (--from URL/COLLECTION) into a collection of any Qdrant-API server, using
// only the documented Qdrant REST API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quiver::ops::ingest {

// Exit codes of `quiver ingest`.
inline constexpr int kExitSuccess = 0;        // every record loaded
inline constexpr int kExitFailure = 1;        // the load stopped (bad arguments, server, --strict)
inline constexpr int kExitPartial = 2;        // the load finished; some records were rejected
inline constexpr int kExitInterrupted = 130;  // SIGINT/SIGTERM; rerun to resume with --checkpoint

struct IngestOptions {
  std::string url = "http://localhost:6333";
  std::string collection;
  std::string api_key;  // never printed
  std::string file;     // input path, "-" = stdin
  std::string from;     // URL/COLLECTION to copy from
  std::string from_api_key;
  std::string format = "auto";
  std::string payload_file;  // NPY/fvecs payloads, one JSON object per line
  std::string id = "auto";
  std::string id_namespace;  // UUID for --id uuid5:FIELD ("" = RFC 4122 NAMESPACE_URL)
  std::string vector_name;
  std::string vector_column = "vector";
  std::string id_column = "id";
  std::string delimiter = ",";
  std::string create;
  std::vector<std::string> indexes;
  bool bulk = false;
  bool wait_indexed = false;
  double green_timeout_sec = 3600;
  size_t batch_size = 256;
  size_t batch_bytes = 8 << 20;
  int parallel = 4;
  int retries = 10;
  double retry_max_delay_sec = 10;
  double timeout_sec = 120;
  std::string reject_file;  // "" = <input name>.rejects.jsonl in the current directory
  bool strict = false;
  std::string checkpoint;
  double checkpoint_interval_sec = 2;
  std::string report;
  std::string progress = "auto";  // auto, bar, log, none
  double log_interval_sec = 10;
  bool dry_run = false;
  uint64_t limit = 0;
  bool insecure = false;
  std::string ca_cert;
};

// Runs a load; returns one of the exit codes above.
int RunIngest(const IngestOptions& options);

}  // namespace quiver::ops::ingest
