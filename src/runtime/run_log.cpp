#include "runtime/run_log.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <sstream>

namespace m3m::runtime {

RunLog::RunLog(std::filesystem::path dir, std::uint64_t maxSize) : dir_(std::move(dir)), maxSize_(maxSize) {
  std::lock_guard lock(mutex_);
  openLocked();
}

void RunLog::openLocked() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  out_.close();
  out_.clear();
  out_.open(path(), std::ios::app | std::ios::binary);
  size_ = std::filesystem::exists(path(), ec) ? std::filesystem::file_size(path(), ec) : 0;
}

std::string RunLog::line(std::string_view level, std::string_view message, std::string_view requestId) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  std::string s;
  s.reserve(message.size() + 40);
  s += '[';
  s += stamp;
  s += "] [";
  s += level;
  s += "] ";
  if (!requestId.empty()) {
    s += "[id=";
    s += requestId;
    s += "] ";
  }
  // One entry per line: embedded newlines (stack traces) are kept readable but
  // indented, so every line of the file still starts with a timestamp or a tab.
  for (char c : message) {
    if (c == '\n') s += "\n\t";
    else if (c != '\r') s += c;
  }
  s += '\n';
  return s;
}

void RunLog::write(std::string_view level, std::string_view message, std::string_view requestId) {
  std::string l = line(level, message, requestId);
  std::lock_guard lock(mutex_);
  if (size_ + l.size() > maxSize_ && size_ > 0) {
    out_.close();
    std::error_code ec;
    std::filesystem::rename(path(), dir_ / "run.log.1", ec);
    openLocked();
  }
  out_.write(l.data(), static_cast<std::streamsize>(l.size()));
  out_.flush();
  const std::uint64_t base = size_;
  size_ += l.size();
  if (followers_.empty()) return;
  // Under the lock, so followers see lines in file order; a follower only
  // queues the line (cheap) and says false once its reader is gone.
  size_t start = 0;
  while (start < l.size()) {
    size_t nl = l.find('\n', start);
    std::string one = l.substr(start, nl - start);
    std::erase_if(followers_, [&](const Follower& f) { return !f(one, base + nl + 1); });
    start = nl + 1;
  }
}

void RunLog::follow(std::uint64_t cursor, Follower deliver) {
  // The backlog is read and delivered under the writers' lock, and the
  // follower registered before it is released: no line is lost or doubled.
  std::lock_guard lock(mutex_);
  std::ifstream in(path(), std::ios::binary);
  if (cursor > size_) cursor = 0;
  if (in) {
    in.seekg(static_cast<std::streamoff>(cursor));
    std::string l;
    std::uint64_t pos = cursor;
    while (std::getline(in, l)) {
      if (in.eof()) break;
      pos += l.size() + 1;
      if (!deliver(l, pos)) return;
    }
  }
  followers_.push_back(std::move(deliver));
}

void RunLog::clear() {
  std::lock_guard lock(mutex_);
  out_.close();
  std::error_code ec;
  std::filesystem::remove(dir_ / "run.log.1", ec);
  std::ofstream(path(), std::ios::trunc | std::ios::binary);
  openLocked();
}

LogPage RunLog::read(std::uint64_t cursor, size_t limit) const {
  std::lock_guard lock(mutex_);
  LogPage page;
  std::ifstream in(path(), std::ios::binary);
  if (!in) return page;
  if (cursor > size_) cursor = 0;  // the file was cleared or rotated: start over
  in.seekg(static_cast<std::streamoff>(cursor));
  page.prevCursor = cursor;
  std::string l;
  std::uint64_t pos = cursor;
  while (page.lines.size() < limit && std::getline(in, l)) {
    if (in.eof()) break;  // a partial last line (being written) is read next time
    pos += l.size() + 1;
    page.lines.push_back(std::move(l));
  }
  page.nextCursor = pos;
  return page;
}

LogPage RunLog::tail(size_t n) const { return before(UINT64_MAX, n); }

LogPage RunLog::before(std::uint64_t end, size_t n) const {
  std::lock_guard lock(mutex_);
  LogPage page;
  end = std::min(end, size_);
  page.prevCursor = page.nextCursor = end;
  std::ifstream in(path(), std::ios::binary);
  if (!in || n == 0 || end == 0) return page;
  // Blocks are prepended until the text holds n+1 newlines (the one ending
  // the line before the page tells where the page starts) or the file's start.
  constexpr std::uint64_t kBlock = 64 * 1024;
  std::string text;
  std::uint64_t from = end;
  while (from > 0 && static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) <= n) {
    const std::uint64_t size = std::min(kBlock, from);
    from -= size;
    std::string block(size, '\0');
    in.seekg(static_cast<std::streamoff>(from));
    if (!in.read(block.data(), static_cast<std::streamsize>(size))) return page;
    text.insert(0, block);
  }
  // `end` may fall inside a line (a stale cursor): only whole lines count.
  const size_t last = text.rfind('\n');
  if (last == std::string::npos) return page;
  page.nextCursor = from + last + 1;
  size_t stop = last;  // the newline ending the line being cut out
  while (page.lines.size() < n) {
    const size_t nl = stop == 0 ? std::string::npos : text.rfind('\n', stop - 1);
    if (nl == std::string::npos && from > 0) break;  // a partial line at the top of the read
    const size_t start = nl == std::string::npos ? 0 : nl + 1;
    page.lines.push_back(text.substr(start, stop - start));
    page.prevCursor = from + start;
    if (nl == std::string::npos) break;
    stop = nl;
  }
  std::reverse(page.lines.begin(), page.lines.end());
  return page;
}

std::string RunLog::readAll() const {
  std::lock_guard lock(mutex_);
  std::stringstream ss;
  std::ifstream in(path(), std::ios::binary);
  if (in) ss << in.rdbuf();
  return ss.str();
}

std::string RunLog::download() const {
  std::lock_guard lock(mutex_);
  std::stringstream ss;
  // The rotated part first: the file reads oldest to newest.
  for (const auto& p : {dir_ / "run.log.1", path()}) {
    std::ifstream in(p, std::ios::binary);
    if (in && in.peek() != std::ifstream::traits_type::eof()) ss << in.rdbuf();
  }
  return ss.str();
}

std::optional<std::string> RunLog::release() const {
  std::ifstream in(dir_ / "run.release");
  std::string v;
  if (in && std::getline(in, v) && !v.empty()) return v;
  return std::nullopt;
}

void RunLog::setRelease(const std::string& version) { std::ofstream(dir_ / "run.release", std::ios::trunc) << version << "\n"; }

}  // namespace m3m::runtime
