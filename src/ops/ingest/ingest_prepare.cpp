// IngestRunner::Prepare: options, input, checkpoint, target collection, reject file.
#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include "ops/ingest/ingest_runner.h"
#include "ops/ingest/scroll_reader.h"

namespace quiver::ops::ingest {
namespace {

std::string NormalizeUrl(std::string url) {
  if (url.find("://") == std::string::npos) url = "http://" + url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

RetryPolicy IngestRunner::Policy() const {
  RetryPolicy p;
  p.max_attempts = std::max(1, options_.retries + 1);
  p.max_delay_sec = options_.retry_max_delay_sec;
  return p;
}

HttpEndpoint IngestRunner::Endpoint(const std::string& url, const std::string& api_key) const {
  HttpEndpoint e;
  e.base_url = url;
  e.api_key = api_key;
  e.insecure = options_.insecure;
  e.ca_cert = options_.ca_cert;
  e.timeout_sec = options_.timeout_sec;
  return e;
}

base::Status IngestRunner::Prepare() {
  const IngestOptions& o = options_;
  if (o.file.empty() == o.from.empty()) {
    return base::Status::Validation(
        "give exactly one input: --file PATH (or -) or --from URL/COLLECTION");
  }
  if (o.collection.empty()) return base::Status::Validation("--collection is required");
  if (o.parallel < 1 || o.parallel > 256)
    return base::Status::Validation("--parallel must be 1..256");
  if (o.batch_size < 1) return base::Status::Validation("--batch-size must be at least 1");
  if (o.batch_bytes < 4096) return base::Status::Validation("--batch-bytes must be at least 4096");
  if (o.delimiter.size() != 1 && o.delimiter != "\\t" && o.delimiter != "tab") {
    return base::Status::Validation("--delimiter must be one character");
  }
  base_url_ = NormalizeUrl(o.url);
  auto id = IdSpec::Parse(o.id);
  if (!id.ok()) return id.status();
  convert_.id = id.value();
  if (!o.id_namespace.empty()) {
    auto ns = ParseUuidBytes(o.id_namespace);
    if (!ns.ok()) return base::Status::Validation("--id-namespace: " + ns.status().message());
    convert_.id_namespace = ns.value();
  }
  convert_.vector_name = o.vector_name;
  QUIVER_RETURN_IF_ERROR(OpenInput());
  QUIVER_RETURN_IF_ERROR(ReadCheckpoint());
  if (!o.dry_run) {
    admin_client_ = std::make_unique<RetryingClient>(Endpoint(base_url_, o.api_key), Policy(),
                                                     &stop_, &stats_.retries);
    admin_ = std::make_unique<CollectionAdmin>(admin_client_.get(), o.collection);
    QUIVER_RETURN_IF_ERROR(PrepareCollection());
  } else if (!o.create.empty()) {
    size_t size = 0;
    auto body = CreateBodyFromSpec(o.create, &size);
    if (!body.ok()) return body.status();
    convert_.schema.known = true;
    std::string name = o.vector_name;
    if (name.empty()) {
      convert_.schema.unnamed = size;
    } else {
      convert_.schema.named[name] = size;
    }
  }
  return PrepareRejects();
}

base::Status IngestRunner::OpenInput() {
  const IngestOptions& o = options_;
  if (!o.from.empty()) {
    std::string url, collection;
    QUIVER_RETURN_IF_ERROR(SplitFromUrl(o.from, &url, &collection));
    url = NormalizeUrl(url);
    auto client = std::make_unique<RetryingClient>(Endpoint(url, o.from_api_key), Policy(), &stop_,
                                                   &stats_.retries);
    auto reader = OpenScrollReader(std::move(client), collection);
    if (!reader.ok()) return reader.status();
    reader_ = std::move(reader.value());
    identity_.source = RedactUrl(url) + "/" + collection;
    identity_.format = "scroll";
  } else {
    FileReaderOptions fo;
    fo.path = o.file;
    fo.payload_path = o.payload_file;
    fo.delimiter = o.delimiter.size() == 1 ? o.delimiter[0] : '\t';
    fo.id_column = o.id_column;
    fo.vector_column = o.vector_column;
    auto format = ParseInputFormat(o.format, &fo.delimiter);
    if (!format.ok()) return format.status();
    fo.format = format.value();
    if (fo.format == InputFormat::kAuto) {
      fo.format = o.file == "-" ? InputFormat::kJsonl : FormatFromFileName(o.file, &fo.delimiter);
    }
    format_ = fo.format;
    auto reader = OpenFileReader(fo);
    if (!reader.ok()) return reader.status();
    reader_ = std::move(reader.value());
    char resolved[PATH_MAX];
    identity_.source =
        o.file == "-" ? "-" : (realpath(o.file.c_str(), resolved) ? resolved : o.file);
    identity_.format = FormatName(format_);
    struct stat st;
    if (o.file != "-" && stat(o.file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      identity_.source_size = static_cast<uint64_t>(st.st_size);
    }
    const RecordLayout& layout = reader_->layout();
    if (layout.kind == RecordLayout::Kind::kCsv && layout.csv.id_column < 0 &&
        convert_.id.kind == IdSpec::Kind::kAuto) {
      return base::Status::Validation("the CSV header has no `" + o.id_column +
                                      "` column: name the id column with --id-column, or derive "
                                      "ids with --id line or --id uuid5:FIELD");
    }
  }
  identity_.id_spec = convert_.id.ToString();
  identity_.collection = o.collection;
  input_.total_bytes = reader_->total_bytes().value_or(0);
  input_.total_records = reader_->total_records().value_or(0);
  return base::Status::Ok();
}

base::Status IngestRunner::ReadCheckpoint() {
  if (options_.checkpoint.empty()) return base::Status::Ok();
  if (options_.file == "-") LogLine("note: resuming from stdin re-reads and skips what was loaded");
  auto loaded = LoadCheckpoint(options_.checkpoint);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return base::Status::Ok();
  std::string why = loaded.value()->Mismatch(identity_);
  if (!why.empty()) {
    return base::Status::Validation("checkpoint " + options_.checkpoint +
                                    " belongs to a different load (" + why +
                                    "); delete it to start over");
  }
  resumed_ = std::move(loaded.value());
  QUIVER_RETURN_IF_ERROR(reader_->Seek(resumed_->position));
  LogLine("resuming from checkpoint " + options_.checkpoint + ": " +
          Thousands(resumed_->totals.records) + " records already done");
  return base::Status::Ok();
}

base::Status IngestRunner::CreateFromSource(CollectionAdmin& target) {
  std::string url, collection;
  QUIVER_RETURN_IF_ERROR(SplitFromUrl(options_.from, &url, &collection));
  RetryingClient client(Endpoint(NormalizeUrl(url), options_.from_api_key), Policy(), &stop_,
                        nullptr);
  CollectionAdmin source(&client, collection);
  auto state = source.Get();
  if (!state.ok()) return state.status();
  if (!state.value())
    return base::Status::NotFound("source collection " + collection + " does not exist");
  std::string body = "{\"vectors\":" + state.value()->vectors_json;
  if (!state.value()->sparse_vectors_json.empty()) {
    body += ",\"sparse_vectors\":" + state.value()->sparse_vectors_json;
  }
  body += "}";
  QUIVER_RETURN_IF_ERROR(target.Create(body));
  LogLine("created collection " + options_.collection + " with the vectors of " + collection);
  for (const auto& [field, type] : state.value()->payload_indexes) {
    QUIVER_RETURN_IF_ERROR(target.CreateIndex(field, "\"" + type + "\""));
  }
  return base::Status::Ok();
}

base::Status IngestRunner::PrepareCollection() {
  const IngestOptions& o = options_;
  auto state = admin_->Get();
  if (!state.ok()) return state.status();
  size_t create_size = 0;
  std::string create_body;
  if (!o.create.empty()) {
    auto body = CreateBodyFromSpec(o.create, &create_size);
    if (!body.ok()) return body.status();
    create_body = body.value();
  }
  if (!state.value()) {
    if (!create_body.empty()) {
      QUIVER_RETURN_IF_ERROR(admin_->Create(create_body));
      LogLine("created collection " + o.collection);
    } else if (!o.from.empty()) {
      QUIVER_RETURN_IF_ERROR(CreateFromSource(*admin_));
    } else {
      return base::Status::NotFound("collection " + o.collection +
                                    " does not exist; add --create size=N,distance=Cosine");
    }
    state = admin_->Get();
    if (!state.ok()) return state.status();
    if (!state.value())
      return base::Status::NotFound("collection " + o.collection + " was not created");
  } else if (!create_body.empty()) {
    base::Status fits = state.value()->schema.Check(o.vector_name, create_size);
    if (!fits.ok()) {
      return base::Status::Validation(
          "collection " + o.collection +
          " exists with other vectors than --create says: " + fits.message());
    }
  }
  convert_.schema = state.value()->schema;
  for (const std::string& spec : o.indexes) {
    auto index = ParseIndexSpec(spec);
    if (!index.ok()) return index.status();
    QUIVER_RETURN_IF_ERROR(admin_->CreateIndex(index.value().first, index.value().second));
  }
  bool deferred_before = resumed_ && resumed_->bulk_active;  // a killed run left its 0 in place
  if (o.bulk || deferred_before) {
    original_threshold_ =
        deferred_before ? resumed_->original_indexing_threshold : state.value()->indexing_threshold;
    bulk_active_ = deferred_before;  // restored at the end even when nothing is left to load
    if (o.bulk && !(resumed_ && resumed_->complete)) {
      QUIVER_RETURN_IF_ERROR(admin_->SetIndexingThreshold(0));
      bulk_active_ = true;
      LogLine("bulk load: indexing deferred (optimizers_config.indexing_threshold = 0)");
    }
  }
  return base::Status::Ok();
}

base::Status IngestRunner::PrepareRejects() {
  std::string path = options_.reject_file;
  if (path.empty()) {
    std::string stem = !options_.from.empty() ? options_.collection
                       : options_.file == "-" ? "stdin"
                                              : BaseName(options_.file);
    path = stem + ".rejects.jsonl";
  }
  if (path == "-" || path == "none") path.clear();
  uint64_t keep_before = resumed_ ? resumed_->position.records + 1 : 0;
  auto log = RejectLog::Open(path, keep_before);
  if (!log.ok()) return log.status();
  rejects_ = std::move(log.value());
  return base::Status::Ok();
}

}  // namespace quiver::ops::ingest
