#include "log/append_file.hpp"

#include <fcntl.h>
#include <spdlog/common.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace m3m::log {

void AppendFile::FreeAligned::operator()(char* p) const { std::free(p); }

AppendFile::~AppendFile() { close(); }

void AppendFile::open(const std::string& path, bool truncate) {
  close();
  const int flags = O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  fd_ = ::open(path.c_str(), O_RDWR | flags, 0644);
  if (fd_ < 0 && errno == EACCES) fd_ = ::open(path.c_str(), O_WRONLY | flags, 0644);  // no tail to read: no direct I/O
  if (fd_ < 0) spdlog::throw_spdlog_ex("failed opening file " + path + " for writing", errno);
  if (allowDirect_ && (::fcntl(fd_, F_GETFL) & O_ACCMODE) == O_RDWR) directFd_ = ::open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  resync();
  write();  // the newline ending a line the previous run stopped in
}

void AppendFile::close() {
  if (fd_ >= 0) {
    write();
    ::close(fd_);
  }
  if (directFd_ >= 0) ::close(directFd_);
  fd_ = directFd_ = -1;
  written_ = used_ = tail_ = 0;
}

void AppendFile::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return;
  std::size_t cap = std::max({bytes, capacity_ * 2, kDirectFrom});
  cap = (cap + kBlock - 1) / kBlock * kBlock;
  std::unique_ptr<char, FreeAligned> grown(static_cast<char*>(std::aligned_alloc(kBlock, cap)));
  if (!grown) throw std::bad_alloc();
  if (used_ > 0) std::memcpy(grown.get(), buf_.get(), used_);
  buf_ = std::move(grown);
  capacity_ = cap;
}

void AppendFile::stage(const char* p, std::size_t n) {
  reserve(used_ + n);
  std::memcpy(buf_.get() + used_, p, n);
  used_ += n;
}

// Staged bytes are dropped. A file that ends mid-line (a write cut short,
// a run that died) gets a newline staged, so the next line starts on its own.
void AppendFile::resync() {
  struct stat st {};
  written_ = ::fstat(fd_, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
  used_ = tail_ = 0;
  if (directFd_ >= 0) {
    const std::size_t tail = written_ % kBlock;
    reserve(tail);
    if (tail > 0 && ::pread(fd_, buf_.get(), tail, static_cast<off_t>(written_ - tail)) != static_cast<ssize_t>(tail)) {
      ::close(directFd_);  // the tail cannot be read back: ordinary writes only
      directFd_ = -1;
    } else {
      used_ = tail_ = tail;
    }
  }
  char last = '\n';
  if (written_ > 0 && ::pread(fd_, &last, 1, static_cast<off_t>(written_ - 1)) == 1 && last != '\n') stage("\n", 1);
}

bool AppendFile::write() {
  if (fd_ < 0 || staged() == 0) return true;
  // Someone else changed the file (logrotate's copytruncate emptied it,
  // another process appended): write at its real end, not into a hole or
  // over their bytes. One fstat per round.
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && static_cast<std::size_t>(st.st_size) != written_) {
    const std::string keep(buf_.get() + tail_, staged());
    resync();
    stage(keep.data(), keep.size());
  }
  if (directFd_ >= 0 && used_ >= kDirectFrom) return writeDirect();
  return writeBuffered(tail_);
}

// The buffer's whole blocks from the file's last boundary (its old tail
// rewritten in place), then the rest with an ordinary write.
bool AppendFile::writeDirect() {
  const std::size_t base = written_ - tail_;
  const std::size_t whole = used_ / kBlock * kBlock;
  std::size_t done = 0;
  int error = 0;
  while (done < whole) {
    const ssize_t n = ::pwrite(directFd_, buf_.get() + done, whole - done, static_cast<off_t>(base + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0 || n % static_cast<ssize_t>(kBlock) != 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done < whole) {
    if (done == 0 && error == EINVAL) {
      // Refused: by the file system or the alignment, or a limit cut the
      // write to a length direct I/O cannot take. An ordinary write tells:
      // when it succeeds, every round is ordinary from now on.
      if (!writeBuffered(tail_)) return false;
      ::close(directFd_);
      directFd_ = -1;
      used_ = tail_ = 0;
      return true;
    }
    resync();
    return false;
  }
  written_ = base + whole;
  tail_ = 0;
  ++directRounds_;
  return writeBuffered(whole);
}

// buf_[from, used_) at the file's end.
bool AppendFile::writeBuffered(std::size_t from) {
  const char* p = buf_.get() + from;
  std::size_t left = used_ - from;
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(written_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      resync();
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
    written_ += static_cast<std::size_t>(n);
  }
  keepTail();
  return true;
}

// The buffer starts at a block boundary and ends at the file's end: keep
// what is past the last boundary, for the next direct round.
void AppendFile::keepTail() {
  const std::size_t tail = directFd_ >= 0 ? written_ % kBlock : 0;
  if (tail > 0) std::memmove(buf_.get(), buf_.get() + used_ - tail, tail);
  used_ = tail_ = tail;
}

}  // namespace m3m::log
