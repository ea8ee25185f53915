// `quiver restore`: the command-line side (src/ops/backup_tool/restore.cpp does the work).
#include "app/backup_command.h"
#include "ops/objstore/open_object_store.h"

namespace quiver::app {
namespace bk = ops::backup;

int RunRestoreCommand(RestoreCommandOptions& r) {
  bk::RestoreOptions o;
  o.urls = r.common.urls;
  o.collections = r.collections;
  for (const auto& spec : r.renames) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return Fail(base::Status::BadInput("--rename wants OLD=NEW, got \"" + spec + "\""));
    }
    o.renames.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  o.server.api_key = r.common.api_key;
  if (o.server.api_key.empty()) {
    for (const char* name : {"QUIVER_API_KEY", "QDRANT_API_KEY"}) {
      if (const char* v = std::getenv(name); v && *v) {
        o.server.api_key = v;
        break;
      }
    }
  }
  o.server.ca_cert = r.common.ca_cert;
  o.server.insecure = r.common.insecure;
  o.force = r.force;
  o.dry_run = r.dry_run;
  o.green_timeout_sec = r.green_timeout_sec;
  o.temp_dir = r.common.temp_dir;
  auto key = bk::LoadEncryptionKey(r.common.encryption_key_file, "QUIVER_BACKUP_ENCRYPTION_KEY");
  if (!key.ok()) return Fail(key.status());
  o.key = *key;
  auto store = ops::OpenObjectStore(r.common.location, r.common.s3);
  if (!store.ok()) return Fail(store.status());
  bk::Selector sel;
  sel.id = r.id;
  sel.before = r.before;
  sel.latest = r.latest || (r.id.empty() && r.before.empty());
  auto m = bk::SelectBackup(**store, sel);
  if (!m.ok()) return Fail(m.status());
  LogLine(std::string(r.dry_run ? "dry run: " : "") + "restoring from backup " + m->id + " in " +
          (*store)->Describe());
  base::Status st = bk::Restore(**store, *m, o, LogLine);
  if (!st.ok()) return Fail(st);
  LogLine(r.dry_run ? "dry run: backup " + m->id + " is present and complete; nothing changed"
                    : "restore of backup " + m->id + " complete");
  return bk::kExitOk;
}

}  // namespace quiver::app
