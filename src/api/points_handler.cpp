// Point CRUD, payload and vector updates, batch, retrieve, scroll, count.
#include "api/rest_api.h"
#include "wire/points_wire.h"

namespace quiver::api {
namespace {

bool SingleVector(const engine::Collection& c) { return c.config().single_vector; }

// Answers an update: acknowledged right away, or completed once the WAL record is fsynced.
void Finish(std::shared_ptr<Call> call, std::shared_ptr<engine::Collection> c, bool wait,
            uint64_t op_id, std::string result_json) {
  if (!wait) return call->Ok(result_json);
  c->WhenDurable(op_id, [call, result_json](base::Status st) {
    if (!st.ok()) return call->Fail(st);
    call->Ok(result_json);
  });
}

// Runs one parsed write operation with the call's `wait` parameter.
template <typename Parse>
RouteHandler Write(ApiContext& ctx, Parse parse) {
  return [&ctx, parse](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto wait = call->QueryBool("wait", false);
    if (!wait.ok()) return call->Fail(wait.status());
    base::Result<engine::Operation> op = parse(call->body());
    if (!op.ok()) return call->Fail(op.status());
    auto op_id = c->Update(std::move(op.value()));
    if (!op_id.ok()) return call->Fail(op_id.status());
    Finish(call, c, wait.value(), op_id.value(),
           wire::RenderUpdateResult(op_id.value(), wait.value()));
  };
}

}  // namespace

void RegisterPointRoutes(Router& router, ApiContext& ctx) {
  const std::string base = "/collections/{collection_name}/points";
  router.Add("PUT", base, Write(ctx, wire::ParseUpsert));
  router.Add("POST", base + "/delete", Write(ctx, wire::ParseDeletePoints));
  router.Add("PUT", base + "/vectors", Write(ctx, wire::ParseUpdateVectors));
  router.Add("POST", base + "/vectors/delete", Write(ctx, wire::ParseDeleteVectors));
  router.Add("POST", base + "/payload",
             Write(ctx, [](std::string_view b) { return wire::ParseSetPayload(b, false); }));
  router.Add("PUT", base + "/payload",
             Write(ctx, [](std::string_view b) { return wire::ParseSetPayload(b, true); }));
  router.Add("POST", base + "/payload/delete", Write(ctx, wire::ParseDeletePayload));
  router.Add("POST", base + "/payload/clear", Write(ctx, wire::ParseClearPayload));

  router.Add("POST", base + "/batch", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto wait = call->QueryBool("wait", false);
    if (!wait.ok()) return call->Fail(wait.status());
    auto ops = wire::ParseBatchUpdate(call->body());
    if (!ops.ok()) return call->Fail(ops.status());
    std::string results = "[";
    uint64_t last = 0;
    for (auto& op : ops.value()) {
      auto op_id = c->Update(std::move(op));
      if (!op_id.ok()) return call->Fail(op_id.status());
      last = op_id.value();
      if (results.size() > 1) results += ",";
      results += wire::RenderUpdateResult(last, wait.value());
    }
    results += "]";
    if (last == 0) return call->Ok(results);
    Finish(call, c, wait.value(), last, results);
  });

  router.Add("GET", base + "/{id}", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto id = wire::ParsePathPointId(call->Param("id"));
    if (!id.ok()) return call->Fail(id.status());
    engine::PayloadSelector wp{engine::PayloadSelector::Mode::kAll, {}};
    engine::VectorSelector wv{true, {}};
    auto records = c->Retrieve({id.value()}, wp, wv);
    if (!records.ok()) return call->Fail(records.status());
    if (records.value().empty()) {
      return call->Fail(
          base::Status::NotFound("Point with id " + id.value().ToString() + " does not exists!"));
    }
    call->Ok(wire::RenderRecord(records.value()[0], SingleVector(*c)));
  });

  router.Add("POST", base, [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto req = wire::ParseGetPoints(call->body());
    if (!req.ok()) return call->Fail(req.status());
    auto records = c->Retrieve(req.value().ids, req.value().with_payload, req.value().with_vector);
    if (!records.ok()) return call->Fail(records.status());
    call->Ok(wire::RenderRecords(records.value(), SingleVector(*c)));
  });

  router.Add("POST", base + "/scroll", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    auto req = wire::ParseScroll(call->body());
    if (!req.ok()) return call->Fail(req.status());
    auto page = c->Scroll(req.value());
    if (!page.ok()) return call->Fail(page.status());
    call->Ok(wire::RenderScroll(page.value(), SingleVector(*c)));
  });

  router.Add("POST", base + "/count", [&ctx](std::shared_ptr<Call> call) {
    auto c = CollectionOrFail(ctx, *call);
    if (!c) return;
    bool exact = true;
    auto filter = wire::ParseCount(call->body(), &exact);
    if (!filter.ok()) return call->Fail(filter.status());
    auto n = c->Count(filter.value());
    if (!n.ok()) return call->Fail(n.status());
    call->Ok(wire::RenderCount(n.value()));
  });
}

}  // namespace quiver::api
