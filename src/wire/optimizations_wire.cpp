#include "wire/optimizations_wire.h"

#include <ctime>

#include "wire/json_out.h"

namespace quiver::wire {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(micros % 1000000));
  return out;
}

void Segments(JsonOut& j, const std::vector<engine::OptimizationSegmentInfo>& segments) {
  j.BeginArray();
  for (const auto& s : segments) {
    j.BeginObject().Key("uuid").String(s.uuid).Key("points_count").Uint(s.points_count);
    j.EndObject();
  }
  j.EndArray();
}

void Progress(JsonOut& j, const engine::OptimizationProgress& p) {
  j.BeginObject().Key("name").String(p.name);
  j.Key("started_at");
  p.started_at ? j.String(Rfc3339(*p.started_at)) : j.Null();
  j.Key("finished_at");
  p.finished_at ? j.String(Rfc3339(*p.finished_at)) : j.Null();
  j.Key("duration_sec");
  if (p.started_at && p.finished_at) {
    j.Double(std::chrono::duration<double>(*p.finished_at - *p.started_at).count());
  } else {
    j.Null();
  }
  j.Key("done");
  p.done ? j.Uint(*p.done) : j.Null();
  j.Key("total");
  p.total ? j.Uint(*p.total) : j.Null();
  j.Key("children").BeginArray();
  for (const auto& c : p.children) Progress(j, c);
  j.EndArray();
  j.EndObject();
}

void Record(JsonOut& j, const engine::OptimizationRecord& r) {
  using S = engine::OptimizationRecord::Status;
  j.BeginObject().Key("uuid").String(r.uuid).Key("optimizer").String(r.optimizer);
  j.Key("status");
  switch (r.status) {
    case S::kOptimizing:
      j.String("optimizing");
      break;
    case S::kDone:
      j.String("done");
      break;
    case S::kCancelled:
      j.BeginObject().Key("cancelled").String(r.message).EndObject();
      break;
    case S::kError:
      j.BeginObject().Key("error").String(r.message).EndObject();
      break;
  }
  j.Key("segments");
  Segments(j, r.segments);
  j.Key("progress");
  Progress(j, r.progress);
  j.EndObject();
}

}  // namespace

base::Result<OptimizationsOptions> ParseOptimizationsWith(std::string_view with) {
  OptimizationsOptions o;
  while (!with.empty()) {
    size_t comma = with.find(',');
    std::string_view item = with.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "queued") {
      o.queued = true;
    } else if (item == "completed") {
      o.completed = true;
    } else if (item == "idle_segments") {
      o.idle_segments = true;
    } else if (!item.empty()) {
      return base::Status::BadInput("with: unknown value `" + std::string(item) +
                                    "`, expected queued, completed or idle_segments");
    }
    if (comma == std::string_view::npos) break;
    with.remove_prefix(comma + 1);
  }
  return o;
}

std::string RenderOptimizations(const engine::OptimizationsReport& report,
                                const OptimizationsOptions& options) {
  JsonOut j;
  j.BeginObject().Key("summary").BeginObject();
  j.Key("queued_optimizations").Uint(report.queued_optimizations);
  j.Key("queued_segments").Uint(report.queued_segments);
  j.Key("queued_points").Uint(report.queued_points);
  j.Key("idle_segments").Uint(report.idle_count);
  j.EndObject();
  j.Key("running").BeginArray();
  for (const auto& r : report.running) Record(j, r);
  j.EndArray();
  if (options.queued) {
    j.Key("queued").BeginArray();
    for (const auto& q : report.queued) {
      j.BeginObject().Key("optimizer").String(q.optimizer).Key("segments");
      Segments(j, q.segments);
      j.EndObject();
    }
    j.EndArray();
  }
  if (options.completed) {
    j.Key("completed").BeginArray();
    for (const auto& r : report.completed) Record(j, r);
    j.EndArray();
  }
  if (options.idle_segments) {
    j.Key("idle_segments");
    Segments(j, report.idle_segments);
  }
  j.EndObject();
  return j.Take();
}

}  // namespace quiver::wire
