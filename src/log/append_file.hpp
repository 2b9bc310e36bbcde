// The log file's bytes on their way to disk: what the log thread stages in a
// round is written with one system call, and a large round (a busy server's)
// goes around the page cache. A buffered write of access lines costs the
// kernel a fresh page-cache page per 4 KiB, copied into cold memory, with
// its buffer heads, zeroing and accounting: on the route benchmark's single
// core 150–370 ns of the log thread per line, more than the line's
// formatting (110–160 ns this way; bench/README.md).
// With O_DIRECT the disk reads the whole blocks from this buffer instead.
//
// How appending works with direct I/O, which only writes whole aligned
// blocks: the buffer starts at the file's last block boundary and holds a
// copy of the bytes the file has past it (the "tail", < one block). A
// direct round writes the buffer's whole blocks over that boundary, the
// tail included, and the remaining partial block with an ordinary write, so
// the file's size is always exactly its lines (no padding a reader could
// see) and the new tail stays in the buffer for the next round. A small
// round is one ordinary write. Where direct I/O is refused (tmpfs before
// Linux 6.6, an alignment the device does not take) every round is ordinary.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace m3m::log {

class AppendFile {
 public:
  // Rounds from this size go around the page cache.
  static constexpr std::size_t kDirectFrom = 64 * 1024;
  static constexpr std::size_t kBlock = 4096;  // safe alignment for any device

  // allowDirect false: ordinary writes only (what a file system that
  // refuses O_DIRECT gets).
  explicit AppendFile(bool allowDirect = true) : allowDirect_(allowDirect) {}
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Opens (creates; truncate: empties) `path` for appending; what is staged
  // for the previous file is written to it first. A file left by a run that
  // stopped mid-line gets its line ended, so the next line starts on its
  // own. Throws spdlog::spdlog_ex when it cannot be opened.
  void open(const std::string& path, bool truncate);
  // Writes what is staged and closes the file.
  void close();

  // Bytes in the file, staged ones included.
  std::size_t size() const { return written_ + staged(); }
  void stage(const char* p, std::size_t n);
  // Writes what is staged, at the file's end as it finds it (a file emptied
  // by logrotate's copytruncate is written from its start). On an error (a
  // full disk) the staged bytes are lost and the file's real size is read
  // again: the next round tries anew, on a line of its own if the failed one
  // left a line cut. False on an error.
  bool write();

  // Rounds written around the page cache so far (for tests).
  std::size_t directRounds() const { return directRounds_; }
  bool directAvailable() const { return directFd_ >= 0; }

 private:
  struct FreeAligned {
    void operator()(char* p) const;
  };
  std::size_t staged() const { return used_ - tail_; }
  void reserve(std::size_t bytes);
  void resync();  // written_ and the tail from the file itself
  bool writeDirect();
  bool writeBuffered(std::size_t from);
  void keepTail();

  int fd_ = -1;        // ordinary writes (and reading the tail)
  int directFd_ = -1;  // O_DIRECT; -1 when refused
  std::size_t written_ = 0;  // the file's size
  std::unique_ptr<char, FreeAligned> buf_;  // kBlock-aligned
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;  // tail + staged bytes in buf_
  std::size_t tail_ = 0;  // == written_ % kBlock: the file's bytes past its last block boundary
  std::size_t directRounds_ = 0;
  bool allowDirect_;
};

}  // namespace m3m::log
