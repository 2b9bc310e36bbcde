#include "log/line_formatter.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <nlohmann/json.hpp>
#include <string>

#include "log/logging.hpp"

using namespace m3m::log;

namespace {

spdlog::details::log_msg message(std::string_view text, spdlog::level::level_enum level,
                                 spdlog::log_clock::time_point when) {
  spdlog::details::log_msg msg(spdlog::source_loc{}, "m3m", level, spdlog::string_view_t(text.data(), text.size()));
  msg.time = when;
  return msg;
}

std::string render(spdlog::formatter& f, const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t out;
  f.format(msg, out);
  return {out.data(), out.size()};
}

}  // namespace

// The text line is exactly what spdlog's pattern printed before (people and
// tools parse it): compared over many instants, across second boundaries.
TEST(LineFormatter, TextMatchesTheFormerPatternExactly) {
  spdlog::pattern_formatter pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  TextLineFormatter text;
  auto t = spdlog::log_clock::time_point(std::chrono::milliseconds(1'733'480'000'123));
  const spdlog::level::level_enum levels[] = {spdlog::level::info, spdlog::level::warn, spdlog::level::err,
                                              spdlog::level::debug, spdlog::level::critical};
  for (int i = 0; i < 3000; ++i) {
    t += std::chrono::microseconds(1'337 + i * 7);
    auto msg = message("http GET /r/x 200 12B 0.50ms id=abc remote=127.0.0.1:5", levels[i % 5], t);
    ASSERT_EQ(render(text, msg), render(pattern, msg)) << i;
  }
}

TEST(LineFormatter, JsonIsOneObjectPerLineWithFieldsOrMsg) {
  JsonLineFormatter json;
  auto t = spdlog::log_clock::time_point(std::chrono::microseconds(1'733'480'000'123'456));
  auto plain = render(json, message("a \"quoted\"\nline", spdlog::level::warn, t));
  ASSERT_EQ(plain.back(), '\n');
  auto p = nlohmann::json::parse(plain);
  EXPECT_EQ(p["time"], "2024-12-06T10:13:20.123456Z");
  EXPECT_EQ(p["level"], "warning");
  EXPECT_EQ(p["msg"], "a \"quoted\"\nline");
  const std::string fields = std::string(kFieldsMark) + R"({"msg":"http","status":200})";
  auto f = nlohmann::json::parse(render(json, message(fields, spdlog::level::info, t)));
  EXPECT_EQ(f["status"], 200);
  EXPECT_EQ(f["msg"], "http");
  EXPECT_EQ(f["level"], "info");
  // Invalid UTF-8 in a message never breaks the line's JSON.
  EXPECT_NO_THROW(nlohmann::json::parse(render(json, message("bad \xff byte", spdlog::level::info, t))));
}

// The access log writes a line in three steps (begin, its message or
// fields, end): the same line as format() makes of the whole message.
TEST(LineFormatter, ALineInStepsIsTheLineFormatMakes) {
  auto t = spdlog::log_clock::time_point(std::chrono::microseconds(1'733'480'000'123'456));
  TextLineFormatter text;
  spdlog::memory_buf_t steps;
  text.begin(steps, t, spdlog::level::info);
  const std::string_view msg = "http GET /x 200 2B 0.10ms id=1 remote=r";
  steps.append(msg.data(), msg.data() + msg.size());
  text.end(steps);
  EXPECT_EQ(std::string(steps.data(), steps.size()), render(text, message(msg, spdlog::level::info, t)));

  JsonLineFormatter json;
  spdlog::memory_buf_t jsteps;
  json.begin(jsteps, t, spdlog::level::info);
  const std::string_view fields = R"("msg":"http","status":200)";
  jsteps.append(fields.data(), fields.data() + fields.size());
  json.end(jsteps);
  const std::string whole = std::string(kFieldsMark) + "{" + std::string(fields) + "}";
  EXPECT_EQ(std::string(jsteps.data(), jsteps.size()), render(json, message(whole, spdlog::level::info, t)));
  EXPECT_EQ(nlohmann::json::parse(std::string(jsteps.data(), jsteps.size()))["status"], 200);
}
