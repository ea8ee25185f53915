// Request JSON → engine types: every body parser of src/wire. The first byte picks the parser, the
// rest is the body. Invariants: no crash or sanitizer report; an accepted write operation survives
// the WAL encoding (Encode → Decode → Encode gives the same bytes), so what is acknowledged is what
// replay applies.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/collection/collection_config.h"
#include "engine/collection/operation.h"
#include "wire/collections_wire.h"
#include "wire/json_in.h"
#include "wire/points_json.h"
#include "wire/points_wire.h"
#include "wire/query_wire.h"
#include "wire/snapshots_wire.h"
#include "wire/upsert_fast.h"

namespace {

using quiver::engine::Operation;

bool HasFilter(const Operation& op) {
  return std::visit(
      [](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (requires { o.selector; }) {
          if (o.selector.filter.has_value()) return true;
        }
        if constexpr (requires { o.update_filter; }) {
          if (o.update_filter.has_value()) return true;
        }
        (void)sizeof(T);
        return false;
      },
      op);
}

void CheckRoundTrip(const Operation& op) {
  if (HasFilter(op)) return;  // filters are resolved to ids before logging
  std::string bytes = quiver::engine::EncodeOperation(op);
  auto decoded = quiver::engine::DecodeOperation(bytes);
  if (!decoded.ok()) std::abort();  // an accepted operation must be loggable and replayable
  if (quiver::engine::EncodeOperation(decoded.value()) != bytes) std::abort();
}

void CheckOp(const quiver::base::Result<Operation>& r) {
  if (r.ok()) CheckRoundTrip(r.value());
}

// The On-Demand upsert fast path may only accept what the DOM parser accepts, with the same result.
void CheckUpsertFastPath(std::string_view body) {
  auto fast = quiver::wire::TryParseUpsertFast(body);
  if (!fast) return;
  auto doc = quiver::wire::ParseBody(body);
  if (!doc.ok()) std::abort();
  auto dom = quiver::wire::UpsertFromJson(doc.value(), "");
  if (!dom.ok()) std::abort();
  if (quiver::engine::EncodeOperation(*fast) != quiver::engine::EncodeOperation(dom.value())) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  namespace w = quiver::wire;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool exact = false;
  switch (data[0] % 20) {
    case 0:
      CheckOp(w::ParseUpsert(body));
      CheckUpsertFastPath(body);
      break;
    case 1:
      CheckOp(w::ParseDeletePoints(body));
      break;
    case 2:
      CheckOp(w::ParseSetPayload(body, false));
      break;
    case 3:
      CheckOp(w::ParseSetPayload(body, true));
      break;
    case 4:
      CheckOp(w::ParseDeletePayload(body));
      break;
    case 5:
      CheckOp(w::ParseClearPayload(body));
      break;
    case 6:
      CheckOp(w::ParseUpdateVectors(body));
      break;
    case 7:
      CheckOp(w::ParseDeleteVectors(body));
      break;
    case 8: {
      auto ops = w::ParseBatchUpdate(body);
      if (ops.ok()) {
        for (const Operation& op : ops.value()) CheckRoundTrip(op);
      }
      break;
    }
    case 9:
      (void)w::ParseGetPoints(body);
      break;
    case 10:
      (void)w::ParseScroll(body);
      break;
    case 11:
      (void)w::ParseCount(body, &exact);
      break;
    case 12:
      (void)w::ParseQuery(body);
      break;
    case 13:
      (void)w::ParseQueryBatch(body);
      break;
    case 14:
      (void)w::ParseSearch(body);
      break;
    case 15:
      (void)w::ParseSearchBatch(body);
      break;
    case 16:
      (void)w::ParseRecommend(body);
      break;
    case 17:
      (void)w::ParseRecommendBatch(body);
      break;
    case 18: {
      auto created = w::ParseCreateCollection(body, quiver::engine::CollectionConfig{});
      if (created.ok()) (void)w::ParseUpdateCollection(body, created.value());
      break;
    }
    case 19:
      (void)w::ParseCreateIndex(body);
      (void)w::ParseAliasActions(body);
      (void)w::ParseSnapshotRecover(body);
      (void)w::ParsePathPointId(body);
      break;
  }
  return 0;
}
