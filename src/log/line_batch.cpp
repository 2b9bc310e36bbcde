#include "log/line_batch.hpp"

#include <algorithm>
#include <utility>

namespace m3m::log {

LineBatch::LineBatch(std::size_t chunkBytes, std::size_t maxBytes)
    : chunkBytes_(std::max<std::size_t>(chunkBytes, 1)), maxBytes_(std::max(maxBytes, 2 * chunkBytes_)) {
  open_.text.reserve(chunkBytes_ + 512);
}

// A moved-from buffer is empty, on its inline storage.
void LineBatch::reopen() {
  if (!spare_.empty()) {
    open_.text = std::move(spare_.back());
    spare_.pop_back();
  }
  open_.text.clear();
  open_.text.reserve(chunkBytes_ + 512);
  open_.lines = 0;
}

void LineBatch::recycle(std::vector<Chunk>&& written) {
  for (auto& c : written) {
    if (spare_.size() >= kSpareChunks) break;
    if (c.text.capacity() >= chunkBytes_ && c.text.capacity() <= 2 * chunkBytes_ + 512) spare_.push_back(std::move(c.text));
  }
  written.clear();
}

void LineBatch::closeOpen() {
  full_.push_back(std::move(open_));
  reopen();
}

// The open chunk stays (smaller than a chunk, so it fits): the oldest full
// ones go until the rest fits.
void LineBatch::dropOldest() {
  while (pendingBytes_ > maxBytes_ && !full_.empty()) {
    pendingBytes_ -= full_.front().text.size();
    dropped_ += full_.front().lines;
    full_.pop_front();
  }
}

std::vector<LineBatch::Chunk> LineBatch::takeAll() {
  std::vector<Chunk> out;
  out.reserve(full_.size() + 1);
  for (auto& c : full_) out.push_back(std::move(c));
  full_.clear();
  if (open_.lines > 0) {
    out.push_back(std::move(open_));
    reopen();
  }
  pendingBytes_ = 0;
  return out;
}

std::size_t LineBatch::takeDropped() { return std::exchange(dropped_, 0); }

}  // namespace m3m::log
