#include "log/chunk_sinks.hpp"

#include <fcntl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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
  open(false);
}

RotatingFileSink::~RotatingFileSink() {
  if (fd_ >= 0) close(fd_);
}

void RotatingFileSink::open(bool truncate) {
  if (fd_ >= 0) close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
  if (fd_ < 0) spdlog::throw_spdlog_ex("failed opening file " + path_ + " for writing", errno);
  struct stat st {};
  size_ = fstat(fd_, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

// m3m.log -> m3m.1.log -> m3m.2.log ...; the oldest falls off the end. A
// rename that fails (e.g. the folder went away) keeps writing to the current
// file rather than losing lines.
bool RotatingFileSink::rotate() {
  using spdlog::sinks::rotating_file_sink_st;
  for (std::size_t i = maxFiles_; i > 0; --i) {
    const auto from = rotating_file_sink_st::calc_filename(path_, i - 1);
    if (::access(from.c_str(), F_OK) != 0) continue;
    const auto to = rotating_file_sink_st::calc_filename(path_, i);
    ::unlink(to.c_str());
    if (::rename(from.c_str(), to.c_str()) != 0) return false;
  }
  open(true);
  return true;
}

void RotatingFileSink::writeAll(const char* p, std::size_t n) {
  size_ += n;
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // a full disk loses these lines; the next chunk tries again
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void RotatingFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  std::string_view rest(msg.payload.data(), msg.payload.size());
  while (!rest.empty()) {
    const std::size_t room = size_ < maxSize_ ? maxSize_ - size_ : 0;
    if (rest.size() <= room) {
      writeAll(rest.data(), rest.size());
      return;
    }
    // The whole lines that still fit; none: rotate first, or, in an empty
    // file, write the one long line as it is.
    std::size_t cut = room == 0 ? std::string_view::npos : rest.rfind('\n', room - 1);
    if (cut == std::string_view::npos) {
      if (size_ > 0) {
        if (rotate()) continue;
        writeAll(rest.data(), rest.size());  // cannot rotate: the file grows rather than lose lines
        return;
      }
      cut = rest.find('\n');
      if (cut == std::string_view::npos) cut = rest.size() - 1;
    }
    writeAll(rest.data(), cut + 1);
    rest.remove_prefix(cut + 1);
    if (!rest.empty() && !rotate()) {
      writeAll(rest.data(), rest.size());
      return;
    }
  }
}

}  // namespace m3m::log
