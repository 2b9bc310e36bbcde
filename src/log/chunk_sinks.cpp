#include "log/chunk_sinks.hpp"

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

void LineByLineSink::sink_it_(const spdlog::details::log_msg& msg) {
  std::string_view rest(msg.payload.data(), msg.payload.size());
  spdlog::details::log_msg line = msg;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto size = end == std::string_view::npos ? rest.size() : end + 1;
    line.payload = spdlog::string_view_t(rest.data(), size);
    inner_->log(line);
    rest.remove_prefix(size);
  }
}

}  // namespace m3m::log
