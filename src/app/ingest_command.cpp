#include "app/ingest_command.h"

#include <cstdlib>

namespace quiver::app {

CLI::App* AddIngestCommand(CLI::App& app, ops::ingest::IngestOptions& o) {
  auto* cmd = app.add_subcommand(
      "ingest",
      "Load records into a collection of any Qdrant-API server (Quiver or Qdrant)\n"
      "Exit codes: 0 all records loaded, 2 finished with rejected records, 1 failed, 130 "
      "interrupted");
  cmd->add_option("--url", o.url, "Server URL (http:// or https://)")->capture_default_str();
  cmd->add_option("--collection,-c", o.collection, "Target collection")->required();
  cmd->add_option("--api-key", o.api_key,
                  "API key (default: $QUIVER_API_KEY, else $QDRANT_API_KEY); never printed");
  auto* file =
      cmd->add_option("--file,-f", o.file,
                      "Input file: .jsonl .csv .tsv .npy .fvecs, optionally .gz/.zst; - = stdin");
  auto* from = cmd->add_option("--from", o.from,
                               "Copy from another server's collection: URL/COLLECTION (scroll)");
  file->excludes(from);
  cmd->add_option("--from-api-key", o.from_api_key, "API key of the --from server");
  cmd->add_option("--format", o.format, "auto|jsonl|csv|tsv|npy|fvecs (auto: by file name)")
      ->capture_default_str();
  cmd->add_option("--payload", o.payload_file, "NPY/fvecs: JSONL file with one payload per row");
  cmd->add_option("--id", o.id,
                  "Point ids: auto (the record's), line (line/row number), field:NAME (a payload "
                  "field), uuid5:NAME (UUIDv5 of a payload field)")
      ->capture_default_str();
  cmd->add_option("--id-namespace", o.id_namespace,
                  "UUID namespace for --id uuid5 (default: RFC 4122 NAMESPACE_URL)");
  cmd->add_option("--vector-name", o.vector_name, "Put vectors under this named vector");
  cmd->add_option(
         "--vector-column", o.vector_column,
         "CSV: vector column (JSON array), or prefix of numbered columns NAME_0, NAME_1...")
      ->capture_default_str();
  cmd->add_option("--id-column", o.id_column, "CSV: id column")->capture_default_str();
  cmd->add_option("--delimiter", o.delimiter, "CSV delimiter (\\t or tab for tabs)")
      ->capture_default_str();
  cmd->add_option("--create", o.create,
                  "Create the collection when missing: size=N,distance=Cosine[,on_disk=true,"
                  "datatype=float16,name=V,m=16,ef_construct=100,...]");
  cmd->add_option("--index", o.indexes, "Create a payload index first: FIELD:TYPE (repeatable)");
  cmd->add_flag("--bulk", o.bulk,
                "Defer indexing during the load (indexing_threshold 0), restore it after, wait "
                "for green");
  cmd->add_flag("--wait-indexed", o.wait_indexed, "Wait until the collection is green");
  cmd->add_option("--green-timeout", o.green_timeout_sec, "Seconds to wait for green")
      ->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "Points per request")->capture_default_str();
  cmd->add_option("--batch-bytes", o.batch_bytes,
                  "Maximum request body bytes (keep below the server's max_request_size_mb)")
      ->capture_default_str();
  cmd->add_option("--parallel,-p", o.parallel, "Concurrent keep-alive connections")
      ->capture_default_str();
  cmd->add_option("--retries", o.retries, "Retries per request (connection errors, 5xx, 429)")
      ->capture_default_str();
  cmd->add_option("--retry-max-delay", o.retry_max_delay_sec, "Longest backoff between retries (s)")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_sec, "Per-request timeout (s)")->capture_default_str();
  cmd->add_option("--reject-file", o.reject_file,
                  "Bad records as JSONL {line, reason, record} (default: <input>.rejects.jsonl; "
                  "none to disable)");
  cmd->add_flag("--strict", o.strict, "Stop at the first bad record (exit 1)");
  cmd->add_option("--checkpoint", o.checkpoint,
                  "Progress file: rerunning the same command resumes after a crash or Ctrl-C");
  cmd->add_option("--checkpoint-interval", o.checkpoint_interval_sec,
                  "Seconds between wait=true requests that advance the checkpoint")
      ->capture_default_str();
  cmd->add_option("--report", o.report, "Write the final summary as JSON to this file");
  cmd->add_option("--progress", o.progress, "auto|bar|log|none")->capture_default_str();
  cmd->add_option("--log-interval", o.log_interval_sec, "Seconds between progress log lines")
      ->capture_default_str();
  cmd->add_flag("--dry-run", o.dry_run, "Read and check every record; send nothing");
  cmd->add_option("--limit", o.limit, "Load at most this many records");
  cmd->add_flag("--insecure", o.insecure, "Do not verify TLS certificates");
  cmd->add_option("--ca-cert", o.ca_cert, "PEM file of CA certificates for https");
  return cmd;
}

int RunIngestCommand(ops::ingest::IngestOptions& o) {
  if (o.api_key.empty()) {
    for (const char* name : {"QUIVER_API_KEY", "QDRANT_API_KEY"}) {
      if (const char* v = std::getenv(name); v && *v) {
        o.api_key = v;
        break;
      }
    }
  }
  return ops::ingest::RunIngest(o);
}

}  // namespace quiver::app
