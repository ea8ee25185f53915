// Registers the `ingest` subcommand (src/ops/ingest) on the quiver command line.
#pragma once

#include <CLI/CLI.hpp>

#include "ops/ingest/ingest.h"

namespace quiver::app {

// Adds `ingest` to `app`, filling `options` when it is parsed; returns the subcommand.
CLI::App* AddIngestCommand(CLI::App& app, ops::ingest::IngestOptions& options);

// Runs a parsed `ingest` (api keys from the environment when not given); returns the exit code.
int RunIngestCommand(ops::ingest::IngestOptions& options);

}  // namespace quiver::app
