// `quiver serve`: wires config, catalog, REST API and HTTP server; runs until SIGTERM/SIGINT.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace quiver::app {

struct ServeOptions {
  std::optional<std::string> config_path;
  bool check_config = false;                    // validate the configuration and exit
  std::vector<std::string> snapshots;           // --snapshot PATH:COLLECTION (repeatable)
  std::optional<std::string> storage_snapshot;  // --storage-snapshot PATH
  bool force_snapshot = false;                  // --force-snapshot: replace existing collections
  // Start even when a config file with secrets (or the TLS key) is world-readable.
  bool allow_world_readable_config = false;
};

// Returns the process exit code: 0 after a clean shutdown, 1 when start-up failed.
int RunServe(const ServeOptions& options);

}  // namespace quiver::app
