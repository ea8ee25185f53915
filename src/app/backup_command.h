// Registers `backup` (run, list, verify) and `restore` (src/ops/backup_tool) on the quiver command
// line. docs/operations/backup.md.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "ops/backup_tool/backup_tool.h"
#include "ops/s3/s3_store.h"

namespace quiver::app {

// What the backup and restore commands share: the store, the servers, the key.
struct BackupCommonOptions {
  std::string location;  // --to / --from
  std::vector<std::string> urls;
  std::string api_key, ca_cert;
  bool insecure = false;
  ops::S3Options s3;
  std::string encryption_key_file;
  std::string temp_dir;
};

struct BackupCommandOptions {
  BackupCommonOptions common;
  std::vector<std::string> collections;
  int keep_last = 0, keep_daily = 0, keep_weekly = 0;
  std::string max_age;
  std::string schedule, schedule_name, metrics_file;
  std::string metrics_listen;  // HOST:PORT serving GET /metrics while --schedule runs
  // list / verify
  std::string id;
  bool latest = false;
  std::string restore_into;
  bool json = false;
};

struct RestoreCommandOptions {
  BackupCommonOptions common;
  std::string id, before;
  bool latest = false;
  std::vector<std::string> collections, renames;
  bool force = false, dry_run = false;
  double green_timeout_sec = 600;
};

struct BackupCommands {
  CLI::App* backup = nullptr;
  CLI::App* run = nullptr;
  CLI::App* list = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* restore = nullptr;
};

BackupCommands AddBackupCommands(CLI::App& app, BackupCommandOptions& backup,
                                 RestoreCommandOptions& restore);
// Runs whichever of them was parsed; returns the exit code (ops::backup::ExitCode).
int RunBackupCommands(const BackupCommands& commands, BackupCommandOptions& backup,
                      RestoreCommandOptions& restore);

// Shared helpers (backup_command.cpp).
void AddCommonOptions(CLI::App* cmd, BackupCommonOptions& o, bool servers);
void LogLine(const std::string& line);
int Fail(const base::Status& status);

}  // namespace quiver::app
