#include "ops/s3/s3_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "ops/s3/s3_credentials.h"
#include "ops/s3/s3_http.h"
#include "ops/s3/s3_url.h"
#include "ops/s3/s3_xml.h"

namespace quiver::ops {
namespace {

using base::Result;
using base::Status;
using s3::HttpResponse;
using s3::QueryParams;

constexpr uint64_t kMaxParts = 10000;

struct Call {
  Call(std::string m, std::string k, QueryParams q = {})
      : method(std::move(m)), key(std::move(k)), query(std::move(q)) {}
  std::string method;
  std::string key;  // full key
  QueryParams query;
  std::vector<std::string> headers;
  std::string_view body;
  std::FILE* sink = nullptr;
};

class S3ObjectStore final : public ObjectStore {
 public:
  S3ObjectStore(s3::S3Location loc, s3::Endpoint endpoint, bool custom_endpoint, std::string region,
                std::unique_ptr<s3::CredentialProvider> creds, S3Options options)
      : loc_(std::move(loc)),
        endpoint_(std::move(endpoint)),
        custom_endpoint_(custom_endpoint),
        region_(std::move(region)),
        creds_(std::move(creds)),
        options_(std::move(options)) {}

  std::string Describe() const override {
    std::string out = "s3://" + loc_.bucket + "/" + loc_.prefix;
    if (custom_endpoint_) out += " (endpoint " + endpoint_.base + ")";
    return out;
  }

  Status PutFile(const std::string& key, const std::filesystem::path& file) override {
    QUIVER_RETURN_IF_ERROR(CheckKey(key));
    const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::BadInput("cannot open " + file.string() + " for upload");
    struct stat st {};
    Status status;
    if (fstat(fd, &st) != 0) {
      status = Status::Internal("cannot stat " + file.string());
    } else {
      const uint64_t size = static_cast<uint64_t>(st.st_size);
      auto read_part = [&](uint64_t offset, size_t length, std::string& buf) -> Status {
        buf.resize(length);
        size_t done = 0;
        while (done < length) {
          const ssize_t n = pread(fd, buf.data() + done, length - done, offset + done);
          if (n <= 0)
            return Status::Internal("reading " + file.string() + " failed (or it shrank)");
          done += static_cast<size_t>(n);
        }
        return Status::Ok();
      };
      if (size <= options_.part_size) {
        std::string buf;
        status = read_part(0, size, buf);
        if (status.ok()) status = PutObject(loc_.prefix + key, buf);
      } else {
        status = PutMultipart(loc_.prefix + key, size, read_part);
      }
    }
    close(fd);
    return status;
  }

  Status PutBytes(const std::string& key, std::string_view bytes) override {
    QUIVER_RETURN_IF_ERROR(CheckKey(key));
    if (bytes.size() <= options_.part_size) return PutObject(loc_.prefix + key, bytes);
    return PutMultipart(loc_.prefix + key, bytes.size(),
                        [&](uint64_t offset, size_t length, std::string& buf) {
                          buf.assign(bytes.substr(offset, length));
                          return Status::Ok();
                        });
  }

  Status GetToFile(const std::string& key, const std::filesystem::path& file) override {
    QUIVER_RETURN_IF_ERROR(CheckKey(key));
    static std::atomic<uint64_t> counter{0};
    const std::filesystem::path temp = file.string() + ".s3tmp-" + std::to_string(getpid()) + "-" +
                                       std::to_string(counter.fetch_add(1));
    std::FILE* out = std::fopen(temp.c_str(), "wbx");
    if (out == nullptr) return Status::BadInput("cannot create " + temp.string());
    Call call{"GET", loc_.prefix + key};
    call.sink = out;
    auto resp = Send(call);
    Status status;
    if (!resp.ok()) {
      status = resp.status();
    } else if (resp->status != 200) {
      status = s3xml::ErrorStatus("GET " + Url(key), resp->status, resp->body);
    } else if (std::fflush(out) != 0 || fsync(fileno(out)) != 0) {
      status = Status::Internal("writing " + temp.string() + " failed");
    }
    if (std::fclose(out) != 0 && status.ok()) status = Status::Internal("closing " + temp.string());
    if (status.ok() && std::rename(temp.c_str(), file.c_str()) != 0) {
      status = Status::Internal("cannot rename " + temp.string() + " to " + file.string());
    }
    if (!status.ok()) std::remove(temp.c_str());
    return status;
  }

  Result<std::string> GetBytes(const std::string& key) override {
    QUIVER_RETURN_IF_ERROR(CheckKey(key));
    auto resp = Send(Call{"GET", loc_.prefix + key});
    if (!resp.ok()) return resp.status();
    if (resp->status != 200) return s3xml::ErrorStatus("GET " + Url(key), resp->status, resp->body);
    return std::move(resp->body);
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    std::vector<ObjectInfo> out;
    std::string token;
    const std::string full_prefix = loc_.prefix + prefix;
    for (int page_no = 0;; ++page_no) {
      Call call{"GET", ""};
      call.query = {{"list-type", "2"},
                    {"prefix", full_prefix},
                    {"max-keys", std::to_string(std::clamp(options_.list_page_size, 1, 1000))}};
      if (!token.empty()) call.query.emplace_back("continuation-token", token);
      auto resp = Send(call);
      if (!resp.ok()) return resp.status();
      const std::string what = "list " + Url(prefix);
      if (resp->status != 200) return s3xml::ErrorStatus(what, resp->status, resp->body);
      auto page = s3xml::ParseListObjectsV2(resp->body);
      if (!page.ok()) return Status::Internal(what + ": " + page.status().message());
      for (ObjectInfo& info : page->objects) {
        if (info.key.compare(0, loc_.prefix.size(), loc_.prefix) != 0) continue;
        std::string rel = info.key.substr(loc_.prefix.size());
        if (!s3::IsSafeRelativeKey(rel) || rel.compare(0, prefix.size(), prefix) != 0) continue;
        out.push_back({std::move(rel), info.size});
      }
      if (!page->truncated) break;
      if (page->next_continuation_token == token) {
        return Status::Internal(what + ": the server repeated its continuation token");
      }
      token = page->next_continuation_token;
    }
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(const std::string& key) override {
    QUIVER_RETURN_IF_ERROR(CheckKey(key));
    auto resp = Send(Call{"DELETE", loc_.prefix + key});
    if (!resp.ok()) return resp.status();
    if (resp->status == 200 || resp->status == 204) return Status::Ok();
    Status st = s3xml::ErrorStatus("DELETE " + Url(key), resp->status, resp->body);
    if (st.code() == base::StatusCode::kNotFound &&
        st.message().find("NoSuchBucket") == std::string::npos) {
      return Status::Ok();
    }
    return st;
  }

  Result<int> AbortIncompleteUploads(int64_t initiated_before_unix) {
    int aborted = 0;
    std::string key_marker, id_marker;
    const std::string what = "list multipart uploads of " + Url("");
    for (;;) {
      Call call{"GET", "", {{"uploads", ""}, {"prefix", loc_.prefix}}};
      if (!key_marker.empty()) {
        call.query.emplace_back("key-marker", key_marker);
        call.query.emplace_back("upload-id-marker", id_marker);
      }
      auto resp = Send(call);
      if (!resp.ok()) return resp.status();
      if (resp->status != 200) return s3xml::ErrorStatus(what, resp->status, resp->body);
      auto page = s3xml::ParseListMultipartUploads(resp->body);
      if (!page.ok()) return Status::Internal(what + ": " + page.status().message());
      for (const s3xml::UploadInfo& u : page->uploads) {
        if (u.key.compare(0, loc_.prefix.size(), loc_.prefix) != 0) continue;
        if (u.initiated_unix >= initiated_before_unix) continue;
        auto r = Send(Call{"DELETE", u.key, {{"uploadId", u.upload_id}}});
        if (!r.ok()) return r.status();
        if (r->status != 204 && r->status != 200 && r->status != 404) {
          return s3xml::ErrorStatus("abort upload " + u.upload_id, r->status, r->body);
        }
        ++aborted;
      }
      if (!page->truncated) break;
      if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker) {
        return Status::Internal(what + ": the server repeated its markers");
      }
      key_marker = page->next_key_marker;
      id_marker = page->next_upload_id_marker;
    }
    return aborted;
  }

 private:
  std::string Url(const std::string& key) const {
    return "s3://" + loc_.bucket + "/" + loc_.prefix + key;
  }

  static Status CheckKey(const std::string& key) {
    if (!s3::IsSafeRelativeKey(key)) return Status::BadInput("invalid object key '" + key + "'");
    return Status::Ok();
  }

  std::vector<std::string> WriteHeaders() const {
    std::vector<std::string> headers = {"Content-Type: application/octet-stream"};
    if (!options_.sse.empty()) headers.push_back("x-amz-server-side-encryption: " + options_.sse);
    if (!options_.sse_kms_key_id.empty()) {
      headers.push_back("x-amz-server-side-encryption-aws-kms-key-id: " + options_.sse_kms_key_id);
    }
    if (!options_.storage_class.empty()) {
      headers.push_back("x-amz-storage-class: " + options_.storage_class);
    }
    return headers;
  }

  // Signs and sends; retries transport failures, 5xx and 429 with exponential backoff and jitter.
  // Returns the last response whatever its status, or the last transport error.
  Result<HttpResponse> Send(const Call& call) {
    const std::string payload_hash = s3::Sha256Hex(call.body);
    Result<HttpResponse> last = Status::Internal("S3: request not sent");
    thread_local std::mt19937 rng(std::random_device{}());
    for (int attempt = 0;; ++attempt) {
      auto creds = creds_->Get();
      if (!creds.ok()) return creds.status();
      s3::HttpRequest req;
      req.method = call.method;
      req.url = s3::RequestUrl(endpoint_, loc_.bucket, call.key, call.query);
      req.headers = call.headers;
      req.headers.push_back("x-amz-content-sha256: " + payload_hash);
      if (!creds->session_token.empty()) {
        req.headers.push_back("x-amz-security-token: " + creds->session_token);
      }
      req.body = call.body;
      req.region = region_;
      req.access_key_id = creds->access_key_id;
      req.secret_access_key = creds->secret_access_key;
      req.ca_file = options_.ca_file;
      req.sink = call.sink;
      if (call.sink != nullptr) {
        std::fflush(call.sink);
        if (ftruncate(fileno(call.sink), 0) != 0)
          return Status::Internal("cannot truncate download");
        std::rewind(call.sink);
      }
      last = s3::Perform(req);
      const bool retry = !last.ok() || last->status >= 500 || last->status == 429;
      if (!retry || attempt >= options_.max_retries) return last;
      const int64_t cap_ms = std::min<int64_t>(100LL << std::min(attempt, 10), 5000);
      std::uniform_int_distribution<int64_t> jitter(cap_ms / 2, cap_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
    }
  }

  Status PutObject(const std::string& full_key, std::string_view bytes) {
    Call call{"PUT", full_key};
    call.headers = WriteHeaders();
    call.body = bytes;
    auto resp = Send(call);
    if (!resp.ok()) return resp.status();
    if (resp->status != 200) {
      return s3xml::ErrorStatus("PUT s3://" + loc_.bucket + "/" + full_key, resp->status,
                                resp->body);
    }
    return Status::Ok();
  }

  using PartReader = std::function<Status(uint64_t offset, size_t length, std::string& buf)>;

  Status PutMultipart(const std::string& full_key, uint64_t size, const PartReader& read_part) {
    const std::string what = "multipart upload of s3://" + loc_.bucket + "/" + full_key;
    const uint64_t part_size = std::max(options_.part_size, (size + kMaxParts - 1) / kMaxParts);
    const uint64_t parts = (size + part_size - 1) / part_size;

    Call create{"POST", full_key, {{"uploads", ""}}};
    create.headers = WriteHeaders();
    auto created = Send(create);
    if (!created.ok()) return created.status();
    if (created->status != 200)
      return s3xml::ErrorStatus(what + " (create)", created->status, created->body);
    auto upload_id = s3xml::ParseInitiateMultipartUpload(created->body);
    if (!upload_id.ok()) return Status::Internal(what + ": " + upload_id.status().message());

    std::vector<std::string> etags(parts);
    std::atomic<uint64_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mu;
    Status first_error;
    auto fail = [&](Status st) {
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.ok()) first_error = std::move(st);
      failed = true;
    };
    auto worker = [&] {
      std::string buf;
      for (uint64_t i; !failed && (i = next.fetch_add(1)) < parts;) {
        const uint64_t offset = i * part_size;
        const size_t length = static_cast<size_t>(std::min(part_size, size - offset));
        Status st = read_part(offset, length, buf);
        if (!st.ok()) return fail(std::move(st));
        Call call{
            "PUT", full_key, {{"partNumber", std::to_string(i + 1)}, {"uploadId", *upload_id}}};
        call.body = buf;
        auto resp = Send(call);
        if (!resp.ok()) return fail(resp.status());
        if (resp->status != 200) {
          return fail(s3xml::ErrorStatus(what + " (part " + std::to_string(i + 1) + ")",
                                         resp->status, resp->body));
        }
        if (resp->etag.empty()) {
          return fail(Status::Internal(what + ": part " + std::to_string(i + 1) + " has no ETag"));
        }
        etags[i] = resp->etag;
      }
    };
    const int threads =
        static_cast<int>(std::min<uint64_t>(std::max(options_.parallel_parts, 1), parts));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();

    if (first_error.ok()) {
      const std::string xml = s3xml::BuildCompleteMultipartUpload(etags);
      Call complete{"POST", full_key, {{"uploadId", *upload_id}}};
      complete.headers = {"Content-Type: application/xml"};
      complete.body = xml;
      auto resp = Send(complete);
      if (!resp.ok()) {
        first_error = resp.status();
      } else if (resp->status != 200) {
        first_error = s3xml::ErrorStatus(what + " (complete)", resp->status, resp->body);
      } else {
        first_error = s3xml::ParseCompleteMultipartUpload(resp->body);
      }
      if (first_error.ok()) return first_error;
    }
    // Abort so that no orphaned upload (and no billed parts) remains.
    auto aborted = Send(Call{"DELETE", full_key, {{"uploadId", *upload_id}}});
    if (!aborted.ok() ||
        (aborted->status != 204 && aborted->status != 200 && aborted->status != 404)) {
      return Status(first_error.code(),
                    first_error.message() + "; aborting upload " + *upload_id +
                        " also failed (a bucket lifecycle rule AbortIncompleteMultipartUpload "
                        "removes it)");
    }
    return first_error;
  }

  s3::S3Location loc_;
  s3::Endpoint endpoint_;
  bool custom_endpoint_;
  std::string region_;
  std::unique_ptr<s3::CredentialProvider> creds_;
  S3Options options_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStoreWithEnv(
    const std::string& url, const S3Options& options,
    const std::function<std::optional<std::string>(const std::string&)>& env) {
  auto loc = s3::ParseS3Url(url);
  if (!loc.ok()) return loc.status();
  if (!options.sse.empty() && options.sse != "AES256" && options.sse != "aws:kms") {
    return Status::BadInput("unknown server-side encryption '" + options.sse +
                            "' (expected AES256 or aws:kms)");
  }
  if (!options.sse_kms_key_id.empty() && options.sse != "aws:kms") {
    return Status::BadInput("a KMS key id needs server-side encryption aws:kms");
  }
  for (char c : options.storage_class) {
    if (!((c >= 'A' && c <= 'Z') || c == '_')) {
      return Status::BadInput("invalid storage class '" + options.storage_class + "'");
    }
  }
  if (options.part_size < 1024 || options.part_size > (5ULL << 30)) {
    return Status::BadInput("S3 part size must be between 1 KiB and 5 GiB (S3 needs >= 5 MiB)");
  }
  if (options.parallel_parts < 1 || options.parallel_parts > 64 || options.max_retries < 0 ||
      options.max_retries > 20) {
    return Status::BadInput("S3: parallel parts must be 1..64 and retries 0..20");
  }
  const std::string region = s3::ResolveRegion(options.region, env);
  const std::string custom = s3::ResolveS3Endpoint(options.endpoint, env);
  auto endpoint =
      s3::ResolveEndpoint(custom, region, loc->bucket, options.path_style, options.virtual_host);
  if (!endpoint.ok()) return endpoint.status();
  auto creds = s3::CredentialProvider::Create(env, region, options.ca_file);
  if (!creds.ok()) return creds.status();
  return std::unique_ptr<ObjectStore>(new S3ObjectStore(
      std::move(*loc), std::move(*endpoint), !custom.empty(), region, std::move(*creds), options));
}

Result<int> AbortIncompleteS3Uploads(ObjectStore& store, int64_t initiated_before_unix) {
  auto* s3_store = dynamic_cast<S3ObjectStore*>(&store);
  if (s3_store == nullptr) return 0;
  return s3_store->AbortIncompleteUploads(initiated_before_unix);
}

Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStore(const std::string& url,
                                                       const S3Options& options) {
  return OpenS3ObjectStoreWithEnv(url, options, s3::ProcessEnvironment());
}

}  // namespace quiver::ops
