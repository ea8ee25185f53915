// Write-ahead log: checksummed records in numbered files, group commit by a background syncer.
// Format: docs/formats/wal.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/file_system.h"
#include "base/status.h"

namespace quiver::engine {

struct WalOptions {
  // A new file is started when the current one passes this size.
  uint64_t file_capacity_bytes = 32ull << 20;
};

class Wal {
 public:
  using ReplayFn = std::function<base::Status(uint64_t op_id, std::string_view payload)>;
  using DoneFn = std::function<void(base::Status)>;

  virtual ~Wal() = default;

  // Opens (creating) the log in `dir` and calls `replay` for every record with op_id > after_op,
  // in order. A torn tail (a record cut short or failing its checksum at the end of the last file)
  // is truncated away and logged; a bad record followed by good data, a file with a bad header,
  // or op ids that do not increase return Corruption naming the file and offset: the caller must
  // refuse to serve rather than serve wrong data. A non-ok Status from `replay` stops the open.
  static base::Result<std::unique_ptr<Wal>> Open(base::FileSystem* fs, const std::string& dir,
                                                 uint64_t after_op, const ReplayFn& replay,
                                                 WalOptions options = {});

  // Appends one record. op_id must be greater than every earlier one. The bytes reach the OS
  // before this returns (a kill -9 loses nothing appended); durability against power loss comes
  // from the syncer (WhenDurable / SyncNow). Thread-safe.
  virtual base::Status Append(uint64_t op_id, std::string_view payload) = 0;

  // Calls `done` (on the syncer thread, or inline when already durable) once every record up to
  // `op_id` is fsynced; with an error Status when the fsync failed. Concurrent waiters share one
  // fsync (group commit).
  virtual void WhenDurable(uint64_t op_id, DoneFn done) = 0;

  // Blocks until everything appended so far is fsynced.
  virtual base::Status SyncNow() = 0;

  // Starts a new file and deletes the files whose records all have op_id <= `op_id` (they are
  // covered by a checkpoint).
  virtual base::Status TruncateUpTo(uint64_t op_id) = 0;

  // The highest op_id appended or replayed (0 when none).
  virtual uint64_t LastOpId() const = 0;
  // Bytes in the live files.
  virtual uint64_t SizeBytes() const = 0;
};

}  // namespace quiver::engine
