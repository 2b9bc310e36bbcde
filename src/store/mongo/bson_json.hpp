// JSON (nlohmann) <-> BSON (libbson) for the MongoDB driver. Written here
// rather than through libbson's extended-JSON parser on purpose: that parser
// gives `$`-keys meaning ({"$date": …}, {"$oid": …}), so a user's document
// field could turn into another BSON type. Here every JSON object is a plain
// document; dates are made only where the caller says so (datetime fields).
#pragma once

#include <bson/bson.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace m3m::store::mongo {

// An owned bson_t (libbson's stack-allocated form, moved by copying).
class Bson {
 public:
  Bson() { bson_init(&doc_); }
  explicit Bson(const bson_t* copyOf) { bson_copy_to(copyOf, &doc_); }
  ~Bson() { bson_destroy(&doc_); }
  Bson(Bson&& o) noexcept {
    bson_init(&doc_);
    bson_steal(&doc_, &o.doc_);
    bson_init(&o.doc_);
  }
  Bson& operator=(Bson&& o) noexcept {
    if (this != &o) {
      bson_destroy(&doc_);
      bson_steal(&doc_, &o.doc_);
      bson_init(&o.doc_);
    }
    return *this;
  }
  Bson(const Bson&) = delete;
  Bson& operator=(const Bson&) = delete;

  bson_t* get() { return &doc_; }
  const bson_t* get() const { return &doc_; }
  bool empty() const { return bson_empty(&doc_); }

 private:
  bson_t doc_;
};

// Appends `value` under `key`: objects become documents, arrays arrays,
// integers int64 (exact), other numbers double.
void appendJson(bson_t* doc, std::string_view key, const nlohmann::json& value);
// A JSON object as a document (anything else: INTERNAL error).
Bson toBson(const nlohmann::json& object);

// "YYYY-MM-DDTHH:MM:SS.mmmZ" <-> milliseconds since the epoch (UTC).
std::int64_t isoToMillis(std::string_view iso);
std::string millisToIso(std::int64_t ms);
// Appends a BSON date for an ISO-8601 UTC text (as lib::normalizeDatetime makes).
void appendDatetime(bson_t* doc, std::string_view key, std::string_view iso);

// The value under an iterator: dates as ISO text, ObjectIds as hex, int32 and
// int64 as integers, decimal128 as text; documents and arrays recursively.
nlohmann::json valueToJson(const bson_iter_t* it);
nlohmann::json toJson(const bson_t* doc);

}  // namespace m3m::store::mongo
