#include "log/batch_sink.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "log/line_formatter.hpp"

using namespace m3m::log;
using namespace std::chrono_literals;

namespace {

// Records what reaches it: each write (a chunk) and each flush. With `hold`
// set, a write waits until it is released (a writer that fell behind).
class Capture final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> writes() {
    std::lock_guard lock(mu_);
    return writes_;
  }
  std::string text() {
    std::string s;
    for (auto& w : writes()) s += w;
    return s;
  }
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    std::istringstream in(text());
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  int entered() { return entered_.load(); }
  int flushes() {
    std::lock_guard lock(mu_);
    return flushes_;
  }
  void hold(bool on) {
    {
      std::lock_guard lock(mu_);
      hold_ = on;
    }
    released_.notify_all();
  }
  // Waits until `done(this)` or `limit`; true when done.
  template <class Pred>
  bool waitFor(Pred done, std::chrono::milliseconds limit = 5s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done(*this)) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t out;
    formatter_->format(msg, out);
    ++entered_;
    {
      std::unique_lock lock(mu_);
      released_.wait(lock, [&] { return !hold_; });
      writes_.emplace_back(out.data(), out.size());
    }
  }
  void flush_() override {
    std::lock_guard lock(mu_);
    ++flushes_;
  }

 private:
  std::mutex mu_;  // its own (base_sink's mutex_ is held around sink_it_)
  std::condition_variable released_;
  std::vector<std::string> writes_;
  int flushes_ = 0;
  bool hold_ = false;
  std::atomic<int> entered_{0};
};

struct Logged {
  std::shared_ptr<Capture> capture = std::make_shared<Capture>();
  std::shared_ptr<BatchSink> sink;
  std::shared_ptr<spdlog::logger> logger;
  explicit Logged(BatchOptions opts, std::unique_ptr<spdlog::formatter> format = std::make_unique<TextLineFormatter>()) {
    sink = std::make_shared<BatchSink>(std::vector<spdlog::sink_ptr>{capture}, std::move(format), opts);
    logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(spdlog::level::trace);
  }
  void stop() {
    logger.reset();
    sink.reset();  // writes what is pending, joins the log thread
  }
};

BatchOptions options(std::size_t chunk, std::chrono::milliseconds interval, std::size_t max = 1 << 20) {
  BatchOptions o;
  o.chunkBytes = chunk;
  o.maxBytes = max;
  o.flushInterval = interval;
  return o;
}

bool hasLine(Capture& c, const std::string& part) { return c.text().find(part) != std::string::npos; }

}  // namespace

TEST(BatchSink, AnIdleSinkWritesALineAtOnceThenGathersTheNextOnesForTheInterval) {
  Logged s(options(1 << 16, 1s));
  s.logger->info("hello {}", 1);
  ASSERT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "[info] hello 1\n"); }, 900ms))
      << "the first line after a quiet time is written without waiting for the interval";
  EXPECT_GE(s.capture->flushes(), 1) << "each batch is flushed to its outputs";
  EXPECT_TRUE(s.capture->lines()[0].starts_with("[20"));  // the text line format, time first
  const auto t0 = std::chrono::steady_clock::now();
  s.logger->info("second");
  s.logger->info("third");
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(hasLine(*s.capture, "second")) << "lines that keep coming wait for the interval";
  ASSERT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "third"); }));
  EXPECT_LE(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(s.capture->writes().size(), 2u) << "second and third in one write";
  // After a round with nothing to write the sink is idle again: at once.
  std::this_thread::sleep_for(1500ms);
  s.logger->info("fourth");
  EXPECT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "fourth"); }, 700ms));
}

TEST(BatchSink, WarnAndAboveAreWrittenAtOnceWithWhatCameBefore) {
  Logged s(options(1 << 16, 60s));
  s.logger->info("before");
  s.logger->warn("a warning");
  ASSERT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "[warning] a warning"); }, 10s));
  const auto lines = s.capture->lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("before"), std::string::npos);
  s.logger->error("an error");
  EXPECT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "[error] an error"); }, 10s));
}

TEST(BatchSink, AFullChunkIsWrittenWithoutWaitingForTheInterval) {
  Logged s(options(1024, 60s));
  for (int i = 0; i < 40; ++i) s.logger->info("line {} of a chunk that fills up", i);  // > 1 KiB
  // The first line alone (the sink was idle), then a whole chunk at once.
  ASSERT_TRUE(s.capture->waitFor(
      [](Capture& c) {
        for (const auto& w : c.writes())
          if (w.size() >= 1024) return true;
        return false;
      },
      10s));
}

TEST(BatchSink, EverythingPendingIsWrittenInOrderWhenTheSinkGoes) {
  Logged s(options(1 << 16, 60s));
  for (int i = 0; i < 500; ++i) s.logger->info("n={}", i);
  auto capture = s.capture;
  s.stop();
  const auto lines = capture->lines();
  ASSERT_EQ(lines.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(lines[i].ends_with("] [info] n=" + std::to_string(i))) << lines[i];
}

TEST(BatchSink, FlushAsksForAWriteWithoutWaiting) {
  Logged s(options(1 << 16, 60s));
  s.logger->info("first");  // written at once: the sink was idle
  ASSERT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "first"); }, 10s));
  s.logger->info("flushed");  // would wait for the interval (60 s)
  s.logger->flush();
  EXPECT_TRUE(s.capture->waitFor([](Capture& c) { return hasLine(c, "flushed"); }, 10s));
}

TEST(BatchSink, WriteAndWaitReturnsOnceEverythingLoggedIsWritten) {
  Logged s(options(1 << 16, 60s));
  for (int i = 0; i < 100; ++i) s.logger->info("w={}", i);
  EXPECT_TRUE(s.sink->writeAndWait(10s));
  EXPECT_EQ(s.capture->lines().size(), 100u);
  EXPECT_TRUE(s.sink->writeAndWait(10s)) << "nothing pending: at once";
}

TEST(BatchSink, WriteAndWaitGivesUpAfterItsTimeout) {
  Logged s(options(1 << 16, 60s));
  s.capture->hold(true);
  s.logger->info("stuck");
  EXPECT_FALSE(s.sink->writeAndWait(50ms));
  s.capture->hold(false);
  EXPECT_TRUE(s.sink->writeAndWait(10s));
}

TEST(BatchSink, WriteAndWaitWritesTheLastLineGivenAfterTheOthers) {
  Logged s(options(1 << 16, 60s));
  s.logger->info("before the crash");
  const spdlog::details::log_msg last("m3m", spdlog::level::critical, "fatal signal 11");
  EXPECT_TRUE(s.sink->writeAndWait(10s, &last));
  const auto lines = s.capture->lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].ends_with("] [info] before the crash"));
  EXPECT_TRUE(lines[1].ends_with("] [critical] fatal signal 11"));
}

// A formatter that stops in the middle of a line until released: the thread
// logging holds the sink's lock meanwhile (as a thread that crashed there).
class StuckFormatter final : public spdlog::formatter {
 public:
  explicit StuckFormatter(std::shared_ptr<std::atomic<int>> state) : state_(std::move(state)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    if (state_->load() == 1) {
      state_->store(2);  // stuck
      while (state_->load() == 2) std::this_thread::sleep_for(1ms);
    }
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<StuckFormatter>(state_); }

 private:
  std::shared_ptr<std::atomic<int>> state_;  // 0 normal, 1 stop at the next line, 2 stopped, 3 released
};

TEST(BatchSink, WriteAndWaitNeverHangsOnALockHeldByAStuckThread) {
  auto state = std::make_shared<std::atomic<int>>(1);
  Logged s(options(1 << 16, 60s), std::make_unique<StuckFormatter>(state));
  std::thread stuck([&] { s.logger->info("stuck line"); });
  while (state->load() != 2) std::this_thread::sleep_for(1ms);
  const spdlog::details::log_msg last("m3m", spdlog::level::critical, "fatal");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(s.sink->writeAndWait(100ms, &last));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  state->store(3);
  stuck.join();
  EXPECT_TRUE(s.sink->writeAndWait(10s, &last));
  EXPECT_EQ(s.capture->text(), "stuck line\nfatal\n");
}

TEST(BatchSink, LinesFromManyThreadsAreWholeAndInEachThreadsOrder) {
  Logged s(options(4096, 5ms));
  constexpr int kThreads = 4, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) s.logger->info("t={} i={} {}", t, i, std::string(static_cast<size_t>(i % 50), 'x'));
    });
  for (auto& t : threads) t.join();
  auto capture = s.capture;
  s.stop();
  int next[kThreads] = {};
  const auto lines = capture->lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  for (const auto& l : lines) {
    int t = -1, i = -1;
    const auto at = l.find("] [info] t=");
    ASSERT_NE(at, std::string::npos) << l;
    ASSERT_EQ(std::sscanf(l.c_str() + at, "] [info] t=%d i=%d", &t, &i), 2) << l;
    ASSERT_TRUE(t >= 0 && t < kThreads) << l;
    EXPECT_EQ(i, next[t]++) << l;
    EXPECT_EQ(l.size() - l.rfind(' ') - 1, static_cast<size_t>(i % 50)) << "a whole line: " << l;
  }
}

TEST(BatchSink, AWriterThatFallsBehindDropsTheOldestLinesAndSaysHowMany) {
  Logged s(options(256, 1ms, 1024));
  s.capture->hold(true);  // the log thread blocks on its first write
  s.logger->info("first");
  ASSERT_TRUE(s.capture->waitFor([](Capture& c) { return c.entered() == 1; }, 10s));
  for (int i = 0; i < 1000; ++i) s.logger->info("flood {}", i);  // ~30 KB into a 1 KiB bound
  s.capture->hold(false);
  auto capture = s.capture;
  s.stop();
  const auto lines = capture->lines();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_TRUE(lines[0].ends_with("] [info] first"));
  // Then the notice, naming how many went, then the newest lines in order.
  std::size_t dropped = 0;
  ASSERT_EQ(std::sscanf(lines[1].c_str() + lines[1].find("] [warning] ") + 12, "log: %zu lines dropped", &dropped), 1)
      << lines[1];
  EXPECT_EQ(lines.size() - 2 + dropped, 1000u);
  EXPECT_LT(lines.size(), 100u) << "memory stayed bounded";
  int prev = -1;
  for (std::size_t k = 2; k < lines.size(); ++k) {
    int n = -1;
    ASSERT_EQ(std::sscanf(lines[k].c_str() + lines[k].find("] [info] ") + 9, "flood %d", &n), 1) << lines[k];
    EXPECT_GT(n, prev);
    prev = n;
  }
  EXPECT_EQ(prev, 999) << "the newest line is kept";
}

TEST(BatchSink, SetFormatterChangesTheLineFormat) {
  Logged s(options(1 << 16, 60s));
  s.logger->set_formatter(std::make_unique<JsonLineFormatter>());
  s.logger->info("as json \"quoted\"");
  auto capture = s.capture;
  s.stop();
  const auto lines = capture->lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["msg"], "as json \"quoted\"");
  EXPECT_EQ(j["level"], "info");
}

TEST(BatchSink, EachOutputGetsEveryLine) {
  auto a = std::make_shared<Capture>();
  auto b = std::make_shared<Capture>();
  {
    auto sink = std::make_shared<BatchSink>(std::vector<spdlog::sink_ptr>{a, b}, std::make_unique<TextLineFormatter>(),
                                            options(1 << 16, 60s));
    spdlog::logger logger("test", sink);
    for (int i = 0; i < 10; ++i) logger.info("both {}", i);
  }
  EXPECT_EQ(a->lines().size(), 10u);
  EXPECT_EQ(a->text(), b->text());
}

namespace {
struct AccessFields {
  const char* text;
  const char* fields;
};
void writeAccessLine(spdlog::memory_buf_t& dest, bool json, const void* context) {
  const auto* f = static_cast<const AccessFields*>(context);
  const std::string_view s = json ? f->fields : f->text;
  dest.append(s.data(), s.data() + s.size());
}
}  // namespace

// logging.console: server — the console gets the server's lines, the file
// every line; both keep the order the lines were logged in.
TEST(BatchSink, AccessLinesGoOnlyToTheOutputsThatTakeThem) {
  auto console = std::make_shared<Capture>();
  auto file = std::make_shared<Capture>();
  {
    auto sink = std::make_shared<BatchSink>(std::vector<BatchOutput>{{console, false}, {file, true}},
                                            std::make_unique<TextLineFormatter>(), options(1 << 16, 60s));
    spdlog::logger logger("test", sink);
    logger.info("started");
    const AccessFields a{"http GET /a 200", ""};
    sink->logAccess(&writeAccessLine, &a);
    logger.warn("careful");
    const AccessFields b{"http GET /b 404", ""};
    sink->logAccess(&writeAccessLine, &b);
  }
  const auto c = console->lines();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_NE(c[0].find("[info] started"), std::string::npos);
  EXPECT_NE(c[1].find("[warning] careful"), std::string::npos);
  const auto f = file->lines();
  ASSERT_EQ(f.size(), 4u);
  EXPECT_NE(f[1].find("[info] http GET /a 200"), std::string::npos);
  EXPECT_NE(f[3].find("[info] http GET /b 404"), std::string::npos);
}

TEST(BatchSink, AnAccessLineToSeveralOutputsIsTheSameLineInEach) {
  auto a = std::make_shared<Capture>();
  auto b = std::make_shared<Capture>();
  {
    auto sink = std::make_shared<BatchSink>(std::vector<BatchOutput>{{a, true}, {b, true}},
                                            std::make_unique<TextLineFormatter>(), options(64, 60s));
    for (int i = 0; i < 50; ++i) {
      const std::string text = "http GET /n/" + std::to_string(i);
      const AccessFields f{text.c_str(), ""};
      sink->logAccess(&writeAccessLine, &f);
    }
  }
  ASSERT_EQ(a->lines().size(), 50u);
  EXPECT_EQ(a->text(), b->text());
}

// The access line is the line format's own: in JSON, its fields join time
// and level in one object.
TEST(BatchSink, AnAccessLineInJsonCarriesItsFieldsNextToTimeAndLevel) {
  Logged s(options(1 << 16, 60s), std::make_unique<JsonLineFormatter>());
  const AccessFields f{"unused", R"("msg":"http","status":201,"path":"/x")"};
  s.sink->logAccess(&writeAccessLine, &f);
  auto capture = s.capture;
  s.stop();
  const auto lines = capture->lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["msg"], "http");
  EXPECT_EQ(j["status"], 201);
  EXPECT_EQ(j["level"], "info");
  EXPECT_TRUE(j["time"].is_string());
}

// The line's time is when the request was answered (the steady time the
// server passes), on the wall clock: a line for an answer 5 s ago says so.
TEST(BatchSink, AnAccessLineIsStampedWithTheAnswersTimeOnTheWallClock) {
  Logged s(options(1 << 16, 60s), std::make_unique<JsonLineFormatter>());
  const AccessFields f{"unused", R"("msg":"http")"};
  s.sink->logAccess(&writeAccessLine, &f, std::chrono::steady_clock::now() - 5s);
  s.sink->logAccess(&writeAccessLine, &f);
  const auto wallNow = std::chrono::system_clock::now();
  auto capture = s.capture;
  s.stop();
  const auto lines = capture->lines();
  ASSERT_EQ(lines.size(), 2u);
  // "2026-12-06T23:14:41.336123Z" → seconds since the epoch, as a double.
  const auto seconds = [](const std::string& line) {
    const std::string t = nlohmann::json::parse(line)["time"];
    std::tm tm{};
    const char* rest = strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    EXPECT_NE(rest, nullptr) << t;
    return static_cast<double>(timegm(&tm)) + (rest ? std::strtod(rest, nullptr) : 0.0);
  };
  const double now = std::chrono::duration<double>(wallNow.time_since_epoch()).count();
  EXPECT_NEAR(seconds(lines[0]), now - 5, 0.5) << lines[0];
  EXPECT_NEAR(seconds(lines[1]), now, 0.5) << lines[1];
}

// set_pattern puts spdlog's own formatter in: access lines still come out,
// as text through it.
TEST(BatchSink, AnAccessLineUnderAnotherFormatterIsAnOrdinaryLine) {
  Logged s(options(1 << 16, 60s));
  s.sink->set_pattern("<%l> %v");
  const AccessFields f{"http GET /p 200", "unused"};
  s.sink->logAccess(&writeAccessLine, &f);
  auto capture = s.capture;
  s.stop();
  EXPECT_EQ(capture->text(), "<info> http GET /p 200\n");
}

// Under a steady flow the thread writes once writeBytes are pending, not
// at every full chunk (each round of writing has a cost of its own).
TEST(BatchSink, UnderAFlowLinesAreWrittenOnceWriteBytesArePending) {
  BatchOptions o = options(100, 60s);
  o.writeBytes = 1000;
  Logged s(o);
  s.logger->info("wakes the idle thread");  // written at once; the thread now gathers
  ASSERT_TRUE(s.capture->waitFor([](Capture& c) { return c.writes().size() == 1; }));
  const std::string line(49, 'x');  // 50 bytes with '\n', plus the head: 2 per chunk at most
  for (int i = 0; i < 6; ++i) s.logger->info(line);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(s.capture->writes().size(), 1u) << "several full chunks, but less than writeBytes: nothing written yet";
  for (int i = 0; i < 12; ++i) s.logger->info(line);
  EXPECT_TRUE(s.capture->waitFor([](Capture& c) { return c.text().size() > 1000; }, 3s))
      << "past writeBytes the lines are written without waiting for the interval";
  s.stop();
}
