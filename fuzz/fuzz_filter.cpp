// The filter parser and matcher: the input is a count body ({"filter": ..., "exact": ...}); an
// accepted filter is evaluated against a few points with varied payloads (nested objects, arrays,
// nulls, numbers, strings, datetimes, geo points), and through must_not it must give the opposite
// answer (must_not of one nested filter is the negation of that filter).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/filter/filter_matcher.h"
#include "wire/points_wire.h"

namespace {

using quiver::engine::Array;
using quiver::engine::Object;
using quiver::engine::PointId;
using quiver::engine::Value;

class FixedPoint : public quiver::engine::PointView {
 public:
  FixedPoint(PointId id, Value payload) : id_(id), payload_(std::move(payload)) {}
  const PointId& id() const override { return id_; }
  const Value& payload() const override { return payload_; }
  bool HasVector(std::string_view name) const override { return name.empty() || name == "img"; }

 private:
  PointId id_;
  Value payload_;
};

std::vector<FixedPoint> MakePoints() {
  std::vector<FixedPoint> pts;
  pts.emplace_back(PointId::Num(1), Value());
  pts.emplace_back(PointId::Num(2), Value(Object{{"city", Value("Berlin")},
                                                 {"count", Value(int64_t{7})},
                                                 {"price", Value(3.5)},
                                                 {"ok", Value(true)},
                                                 {"t", Value("2024-05-01T12:00:00Z")},
                                                 {"nil", Value(nullptr)}}));
  pts.emplace_back(
      PointId::Num(3),
      Value(Object{
          {"tags", Value(Array{Value("a"), Value("b"), Value(nullptr), Value(int64_t{3})})},
          {"loc", Value(Object{{"lon", Value(13.4)}, {"lat", Value(52.5)}})},
          {"country",
           Value(Object{
               {"cities",
                Value(Array{Value(Object{{"name", Value("Paris")}, {"pop", Value(2.1)}}),
                            Value(Object{{"name", Value("Lyon")}, {"pop", Value(0.5)}})})}})},
          {"empty", Value(Array{})},
          {"text", Value("the quick brown fox")}}));
  auto uuid = PointId::ParseUuid("550e8400-e29b-41d4-a716-446655440000");
  pts.emplace_back(*uuid, Value(Object{{"count", Value(-1.0e300)}, {"city", Value(Array{})}}));
  return pts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<FixedPoint> points = MakePoints();
  bool exact = false;
  auto parsed =
      quiver::wire::ParseCount(std::string_view(reinterpret_cast<const char*>(data), size), &exact);
  if (!parsed.ok() || !parsed.value().has_value()) return 0;
  const quiver::engine::Filter& filter = *parsed.value();
  quiver::engine::Filter negated;
  negated.must_not.push_back(
      quiver::engine::Condition{std::make_shared<quiver::engine::Filter>(filter)});
  for (const FixedPoint& p : points) {
    bool yes = quiver::engine::MatchesFilter(filter, p);
    bool no = quiver::engine::MatchesFilter(negated, p);
    if (yes == no) std::abort();  // must_not {f} must be exactly "not f"
  }
  return 0;
}
