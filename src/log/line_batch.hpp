// The server log's pending lines, in chunks: what the log thread writes in
// one go (log/batch_sink.hpp). Pure bookkeeping, no locking (the sink locks).
//
// Lines are appended to the open chunk; a chunk that reaches `chunkBytes`
// closes and waits, full, for the writer. Memory is bounded: when the pending
// bytes pass `maxBytes`, the oldest full chunk is dropped whole and its lines
// are counted (takeDropped), so the lines kept stay in order and a line is
// never cut. docs/configuration.md, "logging".
#pragma once

#include <spdlog/common.h>

#include <cstddef>
#include <deque>
#include <vector>

namespace m3m::log {

class LineBatch {
 public:
  struct Chunk {
    spdlog::memory_buf_t text;  // whole lines, each ending in '\n'
    std::size_t lines = 0;
  };

  // maxBytes is raised to 2 × chunkBytes when smaller (a full chunk and the
  // open one always fit).
  LineBatch(std::size_t chunkBytes, std::size_t maxBytes);

  // `write(spdlog::memory_buf_t&)` appends one whole line to the open chunk.
  template <class Write>
  void append(Write&& write) {
    const auto before = open_.text.size();
    write(open_.text);
    pendingBytes_ += open_.text.size() - before;
    ++open_.lines;
    if (open_.text.size() >= chunkBytes_) closeOpen();
    if (pendingBytes_ > maxBytes_) dropOldest();
  }

  bool empty() const { return pendingBytes_ == 0; }
  bool hasFullChunk() const { return !full_.empty(); }
  std::size_t pendingBytes() const { return pendingBytes_; }

  // Every pending line, oldest first (the full chunks, then the open one).
  std::vector<Chunk> takeAll();

  // Lines dropped by the bound since the last call.
  std::size_t takeDropped();

  // Gives written chunks back: their buffers (up to kSpareChunks, a round
  // of writing's worth) are reused for the next chunks, without an allocation.
  static constexpr std::size_t kSpareChunks = 10;
  void recycle(std::vector<Chunk>&& written);

 private:
  void closeOpen();
  void reopen();
  void dropOldest();

  std::size_t chunkBytes_;
  std::size_t maxBytes_;
  std::deque<Chunk> full_;
  Chunk open_;
  std::vector<spdlog::memory_buf_t> spare_;
  std::size_t pendingBytes_ = 0;
  std::size_t dropped_ = 0;
};

}  // namespace m3m::log
