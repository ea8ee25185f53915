// `quiver restore` and `quiver backup verify`: choose a backup, check every byte, recover through
// the API, and compare what the server holds afterwards with the manifest.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "ops/backup_tool/backup_tool.h"
#include "ops/backup_tool/qdrant_client.h"

namespace quiver::ops::backup {
namespace fs = std::filesystem;

namespace {

// "2026-11-24", "2026-11-24T02:30:00Z", "2026-11-24T02:30:00" or a backup id -> unix time.
std::time_t ParseWhen(std::string t) {
  if (t.size() == 10) t += "T00-00-00Z";
  if (!t.empty() && t.back() != 'Z') t += 'Z';
  for (size_t i = 11; i < t.size(); ++i) {
    if (t[i] == ':') t[i] = '-';
  }
  return TimeOfBackupId(t);
}

struct Planned {
  const CollectionEntry* entry;
  std::string url;
  std::string target;
};

// Downloads `e`'s object, checks its sha256, decrypts it when needed; `out` ends up holding the
// plaintext snapshot whose sha256 matches the manifest.
base::Status FetchChecked(ObjectStore& store, const Manifest& m, const CollectionEntry& e,
                          const std::optional<EncryptionKey>& key, const std::string& temp_dir,
                          const std::string& out) {
  TempFile raw(temp_dir, "object");
  QUIVER_RETURN_IF_ERROR(store.GetToFile(e.object, raw.path()));
  auto sum = Sha256OfFile(raw.path());
  if (!sum.ok()) return sum.status();
  if (*sum != e.sha256) {
    return base::Status::Corruption("object " + e.object + " is damaged: sha256 " + *sum +
                                    ", the manifest says " + e.sha256);
  }
  std::string plain_sum;
  if (!m.encryption.empty()) {
    if (!key) return base::Status::BadInput("backup " + m.id + " is encrypted: give the key");
    QUIVER_RETURN_IF_ERROR(DecryptFile(raw.path(), out, *key, e.object));
    auto p = Sha256OfFile(out);
    if (!p.ok()) return p.status();
    plain_sum = *p;
  } else {
    std::error_code ec;
    fs::rename(raw.path(), out, ec);
    if (ec) return base::Status::Internal("cannot move " + raw.path() + ": " + ec.message());
    plain_sum = *sum;
  }
  if (plain_sum != e.snapshot_sha256) {
    return base::Status::Corruption("snapshot of " + e.name + " in " + e.object +
                                    " does not match the manifest's snapshot_sha256");
  }
  return base::Status::Ok();
}

base::Status CheckKey(const Manifest& m, const std::optional<EncryptionKey>& key) {
  if (m.encryption.empty()) return base::Status::Ok();
  if (!key) {
    return base::Status::BadInput("backup " + m.id +
                                  " is encrypted (AES-256-GCM): give --encryption-key-file or "
                                  "$QUIVER_BACKUP_ENCRYPTION_KEY");
  }
  if (KeyId(*key) != m.key_id) {
    return base::Status::Corruption("wrong encryption key for backup " + m.id + " (key id " +
                                    KeyId(*key) + ", the backup was made with " + m.key_id + ")");
  }
  return base::Status::Ok();
}

// Every object the manifest names must be present with its size.
base::Status CheckPresent(ObjectStore& store, const Manifest& m) {
  auto objects = store.List(m.id + "/");
  if (!objects.ok()) return objects.status();
  std::map<std::string, uint64_t> sizes;
  for (const auto& o : *objects) sizes[o.key] = o.size;
  for (const auto& e : m.collections) {
    auto it = sizes.find(e.object);
    if (it == sizes.end()) return base::Status::Corruption("object " + e.object + " is missing");
    if (it->second != e.size) {
      return base::Status::Corruption("object " + e.object + " has " + std::to_string(it->second) +
                                      " bytes, the manifest says " + std::to_string(e.size));
    }
  }
  return base::Status::Ok();
}

base::Status CompareRestored(QdrantClient& api, const Planned& p) {
  const CollectionEntry& e = *p.entry;
  auto count = api.CountExact(p.target);
  if (!count.ok()) return count.status();
  uint64_t lo = std::min(e.points_before, e.points_after);
  uint64_t hi = std::max(e.points_before, e.points_after);
  if (*count < lo || *count > hi) {
    return base::Status::Corruption(
        "collection " + p.target + " has " + std::to_string(*count) +
        " points after the restore; " + "the backup recorded " +
        (lo == hi ? std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi)));
  }
  if (!e.sample.empty()) {
    std::vector<std::string> ids;
    for (const auto& s : e.sample) ids.push_back(s.id_json);
    auto got = api.Digests(p.target, ids);
    if (!got.ok()) return got.status();
    std::map<std::string, std::string> now;
    for (const auto& s : *got) now[s.id_json] = s.sha256;
    for (const auto& s : e.sample) {
      auto it = now.find(s.id_json);
      if (it == now.end() || it->second != s.sha256) {
        return base::Status::Corruption("collection " + p.target + ": point " + s.id_json +
                                        (it == now.end() ? " is missing" : " differs") +
                                        " after the restore");
      }
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<Manifest> SelectBackup(ObjectStore& store, const Selector& sel) {
  auto listed = ListBackups(store);
  if (!listed.ok()) return listed.status();
  std::time_t before = -1;
  if (!sel.before.empty()) {
    before = ParseWhen(sel.before);
    if (before < 0) {
      return base::Status::BadInput("--before: invalid time \"" + sel.before +
                                    "\" (use 2026-11-24T02:30:00Z or 2026-11-24)");
    }
  }
  const ListedBackup* chosen = nullptr;
  for (const auto& b : *listed) {
    if (!sel.id.empty()) {
      if (b.id != sel.id) continue;
      if (!b.complete) {
        return base::Status::NotFound("backup " + b.id +
                                      " is incomplete (no MANIFEST.json: the run was interrupted)");
      }
      chosen = &b;
      break;
    }
    if (!b.complete || !b.manifest) continue;  // newest complete and readable
    if (before >= 0 && TimeOfBackupId(b.id) > before) continue;
    chosen = &b;
  }
  if (chosen == nullptr) {
    std::string what = !sel.id.empty()       ? "backup " + sel.id
                       : !sel.before.empty() ? "complete backup at or before " + sel.before
                                             : "complete backup";
    return base::Status::NotFound("no " + what + " in " + store.Describe());
  }
  if (!chosen->manifest) {
    return base::Status::Corruption("backup " + chosen->id + ": " + chosen->problem);
  }
  return *chosen->manifest;
}

base::Status RestoreImpl(ObjectStore& store, const Manifest& m, const RestoreOptions& o,
                         void (*log)(const std::string&), std::set<std::string>* restored) {
  if (o.urls.empty()) return base::Status::BadInput("no --url given");
  if (o.urls.size() != 1 && o.urls.size() != m.nodes.size()) {
    return base::Status::BadInput("give one --url, or one per node of the backup (" +
                                  std::to_string(m.nodes.size()) + ")");
  }
  std::set<std::string> names;
  for (const auto& e : m.collections) names.insert(e.name);
  for (const auto& c : o.collections) {
    if (!names.count(c)) {
      return base::Status::NotFound("collection " + c + " is not in backup " + m.id);
    }
  }
  std::map<std::string, std::string> rename;
  for (const auto& [from, to] : o.renames) {
    if (!names.count(from)) {
      return base::Status::BadInput("--rename " + from + "=" + to + ": " + from +
                                    " is not in backup " + m.id);
    }
    if (to.empty()) return base::Status::BadInput("--rename " + from + "=: empty new name");
    rename[from] = to;
  }
  std::vector<Planned> plan;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& e : m.collections) {
    if (!o.collections.empty() &&
        std::find(o.collections.begin(), o.collections.end(), e.name) == o.collections.end()) {
      continue;
    }
    std::string url = o.urls.size() == 1 ? o.urls[0] : o.urls[static_cast<size_t>(e.node)];
    std::string target = rename.count(e.name) ? rename[e.name] : e.name;
    if (!seen.insert({url, target}).second) continue;  // one snapshot per collection and server
    plan.push_back({&e, url, target});
  }
  if (plan.empty()) return base::Status::NotFound("nothing to restore from backup " + m.id);
  QUIVER_RETURN_IF_ERROR(CheckKey(m, o.key));
  QUIVER_RETURN_IF_ERROR(CheckPresent(store, m));
  // Refuse before touching anything.
  for (const auto& p : plan) {
    QdrantClient api(o.server.EndpointFor(p.url));
    auto existing = api.GetCollection(p.target);
    if (existing.ok() && !o.force) {
      return base::Status::AlreadyExists("collection " + p.target + " already exists on " +
                                         ingest::RedactUrl(api.url()) +
                                         ": use --force to replace it");
    }
    if (!existing.ok() && existing.status().code() != base::StatusCode::kNotFound) {
      return existing.status();
    }
  }
  for (const auto& p : plan) {
    const CollectionEntry& e = *p.entry;
    std::string line = (o.dry_run ? "would restore " : "restoring ") + e.name;
    if (p.target != e.name) line += " as " + p.target;
    line += " into " + ingest::RedactUrl(p.url) + " from " + e.object + " (" +
            std::to_string(e.size) + " bytes, " + std::to_string(e.points_after) + " points)";
    log(line);
    if (o.dry_run) continue;
    QdrantClient api(o.server.EndpointFor(p.url));
    TempFile plain(o.temp_dir, "restore");
    QUIVER_RETURN_IF_ERROR(FetchChecked(store, m, e, o.key, o.temp_dir, plain.path()));
    QUIVER_RETURN_IF_ERROR(api.UploadSnapshot(p.target, plain.path(), e.snapshot_sha256));
    QUIVER_RETURN_IF_ERROR(api.WaitGreen(p.target, o.green_timeout_sec));
    QUIVER_RETURN_IF_ERROR(CompareRestored(api, p));
    if (restored) restored->insert(e.object);
    log("  " + p.target + " is green and matches the backup");
  }
  return base::Status::Ok();
}

base::Status Restore(ObjectStore& store, const Manifest& m, const RestoreOptions& o,
                     void (*log)(const std::string&)) {
  return RestoreImpl(store, m, o, log, nullptr);
}

base::Status Verify(ObjectStore& store, const Manifest& m, const std::optional<EncryptionKey>& key,
                    const std::string& restore_into, const ServerOptions& server,
                    const std::string& temp_dir, void (*log)(const std::string&)) {
  QUIVER_RETURN_IF_ERROR(CheckPresent(store, m));
  if (!m.encryption.empty() && key) QUIVER_RETURN_IF_ERROR(CheckKey(m, key));
  std::set<std::string> restored;
  if (!restore_into.empty() && !m.collections.empty()) {
    RestoreOptions o;
    o.urls = {restore_into};
    o.server = server;
    o.key = key;
    o.force = true;  // a scratch server
    o.temp_dir = temp_dir;
    QUIVER_RETURN_IF_ERROR(RestoreImpl(store, m, o, log, &restored));
  }
  for (const auto& e : m.collections) {
    if (restored.count(e.object)) continue;  // already checked byte for byte by the restore
    if (!m.encryption.empty() && key) {
      TempFile plain(temp_dir, "verify");
      QUIVER_RETURN_IF_ERROR(FetchChecked(store, m, e, key, temp_dir, plain.path()));
    } else {
      TempFile raw(temp_dir, "verify");
      QUIVER_RETURN_IF_ERROR(store.GetToFile(e.object, raw.path()));
      auto sum = Sha256OfFile(raw.path());
      if (!sum.ok()) return sum.status();
      if (*sum != e.sha256) {
        return base::Status::Corruption("object " + e.object + " is damaged: sha256 " + *sum +
                                        ", the manifest says " + e.sha256);
      }
    }
    log("ok " + e.object + " (" + e.name + ")");
  }
  return base::Status::Ok();
}

}  // namespace quiver::ops::backup
