// A project's run log: plain text lines "[YYYY-MM-DD HH:MM:SS] [LEVEL] message"
// (UTC), appended from any thread, size-capped by rotating once to run.log.1.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace m3m::runtime {

struct LogPage {
  std::vector<std::string> lines;
  std::uint64_t nextCursor = 0;  // byte offset to continue from
  std::uint64_t prevCursor = 0;  // byte offset where the first line starts: page back with before(prevCursor)
};

class RunLog {
 public:
  RunLog(std::filesystem::path dir, std::uint64_t maxSize);

  // `requestId`: the HTTP request the line was written for (a route call and
  // its continuations), printed as "[id=…]" after the level; empty = none.
  void write(std::string_view level, std::string_view message, std::string_view requestId = {});
  // Empties the log (a new version starts).
  void clear();
  // Lines starting at byte `cursor` (0 = the beginning), at most `limit`.
  LogPage read(std::uint64_t cursor, size_t limit) const;
  // The last `n` lines.
  LogPage tail(size_t n) const;
  // The last `n` complete lines that end at or before byte `end` (paging
  // backwards from a prevCursor). Reads the file backwards in blocks, so a
  // page costs its own size, not the file's.
  LogPage before(std::uint64_t end, size_t n) const;
  std::string readAll() const;   // the current file
  std::string download() const;  // the rotated part, then the current file
  std::filesystem::path path() const { return dir_ / "run.log"; }

  // Live tail: delivers every line from byte `cursor` on, first the backlog,
  // then each new line as it is written, in order, to `deliver` (which must
  // not block). Delivery stops for good when `deliver` returns false.
  // `end` is the byte offset just after the line: a cursor to resume from.
  using Follower = std::function<bool(const std::string& line, std::uint64_t end)>;
  void follow(std::uint64_t cursor, Follower deliver);

  // The release the log belongs to (kept next to it).
  std::optional<std::string> release() const;
  void setRelease(const std::string& version);

  static std::string line(std::string_view level, std::string_view message, std::string_view requestId = {});

 private:
  void openLocked();

  std::filesystem::path dir_;
  std::uint64_t maxSize_;
  mutable std::mutex mutex_;
  std::ofstream out_;
  std::uint64_t size_ = 0;
  std::vector<Follower> followers_;
};

}  // namespace m3m::runtime
