#include "engine/collection/query.h"

namespace quiver::engine {
namespace {

base::Result<std::vector<float>> Resolve(const Collection& c, const VectorInput& in,
                                         const std::string& name) {
  if (in.vector) return *in.vector;
  return c.VectorOf(*in.id, name);
}

base::Result<std::vector<float>> Average(const Collection& c, const std::vector<VectorInput>& ins,
                                         const std::string& name) {
  std::vector<float> sum;
  for (const auto& in : ins) {
    auto v = Resolve(c, in, name);
    if (!v.ok()) return v.status();
    if (sum.empty()) sum.assign(v.value().size(), 0.0f);
    if (v.value().size() != sum.size()) {
      return base::Status::BadInput(
          "Vector dimension error: expected dim: " + std::to_string(sum.size()) + ", got " +
          std::to_string(v.value().size()));
    }
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += v.value()[i];
  }
  for (float& x : sum) x /= static_cast<float>(ins.size());
  return sum;
}

}  // namespace

base::Result<std::vector<Record>> RunQuery(const Collection& collection, const QueryRequest& q) {
  if (q.kind == QueryRequest::Kind::kNone) {
    ScrollRequest sr;
    sr.limit = q.limit + q.offset;
    sr.filter = q.filter;
    sr.with_payload = q.with_payload;
    sr.with_vector = q.with_vector;
    auto page = collection.Scroll(sr);
    if (!page.ok()) return page.status();
    std::vector<Record> out;
    for (size_t i = q.offset; i < page.value().points.size(); ++i) {
      out.push_back(std::move(page.value().points[i]));
    }
    return out;
  }
  SearchRequest sr;
  sr.vector_name = q.using_vector;
  sr.filter = q.filter;
  sr.limit = q.limit;
  sr.offset = q.offset;
  sr.score_threshold = q.score_threshold;
  sr.exact = q.exact;
  sr.hnsw_ef = q.hnsw_ef;
  sr.quantization = q.quantization;
  sr.with_payload = q.with_payload;
  sr.with_vector = q.with_vector;
  sr.stats = q.stats;
  if (q.kind == QueryRequest::Kind::kNearest) {
    auto v = Resolve(collection, q.nearest, q.using_vector);
    if (!v.ok()) return v.status();
    sr.vector = std::move(v.value());
    if (q.nearest.id) sr.exclude_ids.push_back(*q.nearest.id);
    return collection.Search(sr);
  }
  if (q.positive.empty()) {
    return base::Status::BadRequest("Recommend API requires at least one positive example");
  }
  auto pos = Average(collection, q.positive, q.using_vector);
  if (!pos.ok()) return pos.status();
  sr.vector = pos.value();
  if (!q.negative.empty()) {
    auto neg = Average(collection, q.negative, q.using_vector);
    if (!neg.ok()) return neg.status();
    if (neg.value().size() != sr.vector.size()) {
      return base::Status::BadInput(
          "Vector dimension error: positive and negative examples differ");
    }
    for (size_t i = 0; i < sr.vector.size(); ++i) {
      sr.vector[i] = pos.value()[i] + pos.value()[i] - neg.value()[i];
    }
  }
  for (const auto* list : {&q.positive, &q.negative}) {
    for (const auto& in : *list) {
      if (in.id) sr.exclude_ids.push_back(*in.id);
    }
  }
  return collection.Search(sr);
}

}  // namespace quiver::engine
