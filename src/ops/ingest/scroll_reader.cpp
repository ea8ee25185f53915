#include "ops/ingest/scroll_reader.h"

#include <simdjson.h>

#include "ops/ingest/collection_admin.h"

namespace quiver::ops::ingest {
namespace sj = simdjson;
namespace {

class ScrollReader : public RecordReader {
 public:
  ScrollReader(std::unique_ptr<RetryingClient> client, std::string collection, uint64_t total)
      : client_(std::move(client)), admin_(client_.get(), collection), total_(total) {}

  base::Result<bool> Next(size_t max_records, size_t, RawBatch& batch) override {
    batch.data.clear();
    batch.records.clear();
    if (done_) {
      FillEnd(batch);
      return false;
    }
    std::string body =
        "{\"limit\":" + std::to_string(max_records) + ",\"with_payload\":true,\"with_vector\":true";
    if (!offset_.empty()) body += ",\"offset\":" + offset_;
    body += "}";
    auto r = client_->Send("POST", admin_.path() + "/points/scroll", body);
    if (!r.ok()) return r.status();
    if (r.value().status != 200) {
      return base::Status::Internal("scroll of the source collection failed: " +
                                    ErrorMessageOf(r.value()));
    }
    received_ += r.value().body.size();
    QUIVER_RETURN_IF_ERROR(ParsePage(r.value().body, batch));
    FillEnd(batch);
    return !batch.records.empty();
  }

  base::Status Seek(const SourcePosition& position) override {
    points_ = position.records;
    offset_ = position.scroll_offset;
    done_ = position.scroll_done;
    return base::Status::Ok();
  }

  const RecordLayout& layout() const override { return layout_; }
  uint64_t progress_bytes() const override { return received_; }
  std::optional<uint64_t> total_records() const override { return total_; }

 private:
  void FillEnd(RawBatch& batch) {
    batch.end.records = points_;
    batch.end.scroll_offset = offset_;
    batch.end.scroll_done = done_;
  }

  base::Status ParsePage(const std::string& text, RawBatch& batch) {
    sj::padded_string padded(text);
    sj::ondemand::document doc;
    sj::ondemand::object root, result;
    auto bad = [](sj::error_code err) {
      return base::Status::Format(std::string("scroll response is not valid: ") +
                                  sj::error_message(err));
    };
    sj::error_code err;
    if ((err = parser_.iterate(padded).get(doc)) || (err = doc.get_object().get(root)) ||
        (err = root.find_field_unordered("result").get_object().get(result))) {
      return bad(err);
    }
    bool saw_offset = false;
    for (auto member : result) {
      sj::ondemand::field field;
      std::string_view key;
      if ((err = std::move(member).get(field)) || (err = field.unescaped_key().get(key))) {
        return bad(err);
      }
      if (key == "points") {
        sj::ondemand::array points;
        if ((err = field.value().get_array().get(points))) return bad(err);
        for (auto element : points) {
          sj::ondemand::object point;
          std::string_view raw;
          if ((err = std::move(element).get_object().get(point)) ||
              (err = point.raw_json().get(raw))) {
            return bad(err);
          }
          RawRecord rec;
          rec.number = ++points_;
          rec.offset = static_cast<uint32_t>(batch.data.size());
          rec.size = static_cast<uint32_t>(raw.size());
          batch.data.append(raw);
          batch.records.push_back(rec);
        }
      } else if (key == "next_page_offset") {
        saw_offset = true;
        sj::ondemand::json_type type;
        if ((err = field.value().type().get(type))) return bad(err);
        if (type == sj::ondemand::json_type::null) {
          done_ = true;
        } else {
          std::string_view raw = field.value().raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                                  raw.back() == '\t')) {
            raw.remove_suffix(1);
          }
          offset_ = std::string(raw);
        }
      }
    }
    if (!saw_offset) done_ = true;
    return base::Status::Ok();
  }

  std::unique_ptr<RetryingClient> client_;
  CollectionAdmin admin_;
  uint64_t total_;
  sj::ondemand::parser parser_;
  RecordLayout layout_;
  std::string offset_;
  uint64_t points_ = 0;
  uint64_t received_ = 0;
  bool done_ = false;
};

}  // namespace

base::Status SplitFromUrl(const std::string& from, std::string* base_url, std::string* collection) {
  std::string s = from;
  while (!s.empty() && s.back() == '/') s.pop_back();
  size_t scheme = s.find("://");
  size_t slash = s.rfind('/');
  if (scheme == std::string::npos || slash <= scheme + 2 ||
      s.find('/', scheme + 3) == std::string::npos) {
    return base::Status::Validation("--from must be URL/COLLECTION, e.g. http://host:6333/books");
  }
  *base_url = s.substr(0, slash);
  *collection = s.substr(slash + 1);
  // Accept the REST path form too: http://host:6333/collections/books
  const std::string kCollections = "/collections";
  if (base_url->size() >= kCollections.size() &&
      base_url->compare(base_url->size() - kCollections.size(), kCollections.size(),
                        kCollections) == 0) {
    base_url->resize(base_url->size() - kCollections.size());
  }
  return base::Status::Ok();
}

base::Result<std::unique_ptr<RecordReader>> OpenScrollReader(std::unique_ptr<RetryingClient> client,
                                                             const std::string& collection) {
  CollectionAdmin admin(client.get(), collection);
  auto total = admin.Count();
  if (!total.ok()) return total.status();
  return std::unique_ptr<RecordReader>(
      new ScrollReader(std::move(client), collection, total.value()));
}

}  // namespace quiver::ops::ingest
