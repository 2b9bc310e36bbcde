#include "log/chunk_sinks.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace m3m::log {

ConsoleSink::ConsoleSink() {
  fd_ = dup(STDERR_FILENO);
  if (fd_ < 0) fd_ = STDERR_FILENO;  // no spare descriptor: the shared one works too
}

ConsoleSink::~ConsoleSink() {
  if (fd_ != STDERR_FILENO) close(fd_);
}

void ConsoleSink::sink_it_(const spdlog::details::log_msg& msg) {
  const char* p = msg.payload.data();
  std::size_t left = msg.payload.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed console loses its lines, the file still gets them
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

RotatingFileSink::RotatingFileSink(std::string path, std::size_t maxSize, std::size_t maxFiles)
    : path_(std::move(path)), maxSize_(maxSize), maxFiles_(maxFiles) {
  file_.open(path_, false);
}

RotatingFileSink::~RotatingFileSink() = default;  // file_ writes what is staged

// m3m.log -> m3m.1.log -> m3m.2.log ...; the oldest falls off the end. A
// rename that fails (e.g. the folder went away) keeps writing to the current
// file rather than losing lines.
bool RotatingFileSink::rotate() {
  using spdlog::sinks::rotating_file_sink_st;
  file_.write();  // what is staged belongs to the file being rotated away
  for (std::size_t i = maxFiles_; i > 0; --i) {
    const auto from = rotating_file_sink_st::calc_filename(path_, i - 1);
    if (::access(from.c_str(), F_OK) != 0) continue;
    const auto to = rotating_file_sink_st::calc_filename(path_, i);
    ::unlink(to.c_str());
    if (::rename(from.c_str(), to.c_str()) != 0) return false;
  }
  file_.open(path_, true);
  return true;
}

// Staged, not written: the log thread flushes once per round (one write for
// all of its chunks).
void RotatingFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  std::string_view rest(msg.payload.data(), msg.payload.size());
  while (!rest.empty()) {
    const std::size_t size = file_.size();
    const std::size_t room = size < maxSize_ ? maxSize_ - size : 0;
    if (rest.size() <= room) {
      file_.stage(rest.data(), rest.size());
      return;
    }
    // The whole lines that still fit; none: rotate first, or, in an empty
    // file, write the one long line as it is.
    std::size_t cut = room == 0 ? std::string_view::npos : rest.rfind('\n', room - 1);
    if (cut == std::string_view::npos) {
      if (size > 0) {
        if (rotate()) continue;
        file_.stage(rest.data(), rest.size());  // cannot rotate: the file grows rather than lose lines
        return;
      }
      cut = rest.find('\n');
      if (cut == std::string_view::npos) cut = rest.size() - 1;
    }
    file_.stage(rest.data(), cut + 1);
    rest.remove_prefix(cut + 1);
    if (!rest.empty() && !rotate()) {
      file_.stage(rest.data(), rest.size());
      return;
    }
  }
}

void RotatingFileSink::flush_() { file_.write(); }

}  // namespace m3m::log
