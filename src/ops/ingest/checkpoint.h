// The --checkpoint file: what a load has made durable, so that rerunning the same command resumes
// after it. Ids are deterministic, so records re-sent after the checkpoint overwrite themselves and
// the collection ends with every record exactly once. JSON, replaced atomically (temp file, fsync,
// rename, fsync of the directory) so a crash leaves either the old or the new checkpoint.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "ops/ingest/load_tracker.h"

namespace quiver::ops::ingest {

struct Checkpoint {
  // Identity of the load: a checkpoint is only used by a rerun of the same load.
  std::string source;  // input path, or "URL/COLLECTION" for --from (credentials removed)
  std::optional<uint64_t> source_size;  // size of a regular input file
  std::string format;
  std::string id_spec;
  std::string collection;

  LoadTotals totals;  // up to `position`
  SourcePosition position;
  bool complete = false;  // every record was processed and the final barrier succeeded

  // --bulk: indexing was deferred by this load; `original_indexing_threshold` is the value to
  // restore (null when the collection had none set).
  bool bulk_active = false;
  std::optional<uint64_t> original_indexing_threshold;

  std::string ToJson() const;
  // Format error when `json` is not a checkpoint.
  static base::Result<Checkpoint> FromJson(std::string_view json);

  // Why this checkpoint cannot be used for `current` (same identity fields); "" when it can.
  std::string Mismatch(const Checkpoint& current) const;
};

// Reads `path`; nullopt when the file does not exist. Format error when it is damaged.
base::Result<std::optional<Checkpoint>> LoadCheckpoint(const std::string& path);

// Writes `checkpoint` to `path` atomically and durably.
base::Status SaveCheckpoint(const std::string& path, const Checkpoint& checkpoint);

}  // namespace quiver::ops::ingest
