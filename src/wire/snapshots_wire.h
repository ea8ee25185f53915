// Qdrant JSON ⇄ snapshot types: SnapshotRecover in, SnapshotDescription out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace quiver::wire {

struct SnapshotRecoverRequest {
  std::string location;
  std::string priority = "snapshot";  // no_sync | snapshot | replica
  std::string checksum;               // "" = not given
  std::string api_key;
};

// Format error on malformed JSON, a missing `location`, unknown fields or an unknown priority.
base::Result<SnapshotRecoverRequest> ParseSnapshotRecover(std::string_view body);

// Checks a `priority` value (query parameter of the upload); Format error when unknown.
base::Status CheckSnapshotPriority(std::string_view priority);

struct SnapshotInfoOut {
  std::string name;
  std::string creation_time;  // "" → null
  uint64_t size = 0;
  std::string checksum;  // "" → null
};

std::string RenderSnapshotDescription(const SnapshotInfoOut& d);
std::string RenderSnapshotList(const std::vector<SnapshotInfoOut>& list);

}  // namespace quiver::wire
