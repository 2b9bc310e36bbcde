// JsonInput: request bodies are strict — every key a handler does not read is
// a 400 naming it ("unknown field"), nested objects included.
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "http/handlers/support.hpp"

using m3m::Error;
using m3m::ErrorCode;
using m3m::http::handlers::JsonInput;

namespace {

// Runs `read` on a JsonInput of `body`, then done(); returns the error (if any).
std::optional<Error> check(const char* body, const std::function<void(JsonInput&)>& read) {
  JsonInput in(nlohmann::json::parse(body));
  read(in);
  try {
    in.done();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace

TEST(JsonInput, KeysReadAreAcceptedAbsentOnesToo) {
  auto err = check(R"({"email":"a@b.c","name":null})", [](JsonInput& in) {
    in.string("email");
    in.string("name");
    in.boolean("blocked");
  });
  EXPECT_FALSE(err.has_value());
}

TEST(JsonInput, AnUnknownKeyIsNamedInFieldsAndMessage) {
  auto err = check(R"({"name":"x","blocked":true})", [](JsonInput& in) { in.string("name"); });
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code(), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(err->fields().at("blocked"), "unknown field");
  EXPECT_EQ(err->fields().size(), 1u);
  EXPECT_NE(std::string(err->what()).find("unknown field: blocked"), std::string::npos) << err->what();
}

TEST(JsonInput, UnknownKeysComeWithTheOtherErrors) {
  auto err = check(R"({"name":5,"b":1,"a":2})", [](JsonInput& in) { in.string("name"); });
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->fields().at("name"), "must be a string");
  EXPECT_EQ(err->fields().at("a"), "unknown field");
  EXPECT_EQ(err->fields().at("b"), "unknown field");
  EXPECT_NE(std::string(err->what()).find("unknown fields: a, b"), std::string::npos) << err->what();
}

TEST(JsonInput, HasAndIsNullAndAnyCountAsReading) {
  auto err = check(R"({"color":null,"flag":1,"value":{"x":1}})", [](JsonInput& in) {
    in.isNull("color");
    in.has("flag");
    in.any("value");  // a raw value: its own keys are the service's to check
  });
  EXPECT_FALSE(err.has_value());
}

TEST(JsonInput, NestedObjectsAreStrictToo) {
  auto err = check(R"({"permissions":{"manage_users":true,"is_root":true}})", [](JsonInput& in) {
    if (auto p = in.object("permissions")) {
      p->boolean("manage_users");
      in.mergeErrorsOf(*p, "permissions");
    }
  });
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->fields().at("permissions.is_root"), "unknown field");
  EXPECT_NE(std::string(err->what()).find("permissions.is_root"), std::string::npos) << err->what();
}
