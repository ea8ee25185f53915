// quiver: one binary, subcommands. `serve` runs the database; later subcommands (ingest, backup,
// restore) speak only the Qdrant REST API.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/backup_command.h"
#include "app/ingest_command.h"
#include "app/serve.h"

int main(int argc, char** argv) {
  CLI::App app{"Quiver: a Qdrant-compatible vector database"};
  app.require_subcommand(1);
  quiver::app::ServeOptions serve_options;
  auto* serve = app.add_subcommand("serve", "Run the database server (REST on :6333)");
  serve->add_option("--config,--config-path", serve_options.config_path,
                    "YAML configuration file (Qdrant's config.yaml keys)");
  serve->add_flag("--check-config", serve_options.check_config,
                  "Validate the configuration (file and environment) and exit: 0 valid, 1 not");
  serve->add_flag("--allow-world-readable-config", serve_options.allow_world_readable_config,
                  "Start even when the config file holding API keys (or the TLS key) is "
                  "readable by every user");
  serve->add_option("--snapshot", serve_options.snapshots,
                    "Recover a collection before serving: <snapshot_file_path>:<collection_name> "
                    "(repeatable)");
  serve->add_option("--storage-snapshot", serve_options.storage_snapshot,
                    "Recover every collection of a full-storage snapshot before serving");
  serve->add_flag("--force-snapshot", serve_options.force_snapshot,
                  "With --snapshot/--storage-snapshot: replace collections that exist already");
  quiver::ops::ingest::IngestOptions ingest_options;
  auto* ingest = quiver::app::AddIngestCommand(app, ingest_options);
  quiver::app::BackupCommandOptions backup_options;
  quiver::app::RestoreCommandOptions restore_options;
  auto backup = quiver::app::AddBackupCommands(app, backup_options, restore_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (serve->parsed()) return quiver::app::RunServe(serve_options);
  if (ingest->parsed()) return quiver::app::RunIngestCommand(ingest_options);
  if (backup.backup->parsed() || backup.restore->parsed()) {
    return quiver::app::RunBackupCommands(backup, backup_options, restore_options);
  }
  return 2;
}
