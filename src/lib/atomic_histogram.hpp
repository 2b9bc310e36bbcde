// A histogram of atomics: observe() costs no lock and no allocation (one
// relaxed add per counter touched), snapshot() reads it at scrape time. The
// bucket bounds are fixed when it is made (at most kMaxBuckets, ascending;
// +Inf is implicit).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <vector>

namespace m3m::lib {

// A histogram as read at one moment: counts are cumulative (≤ each bound);
// count is the +Inf bucket.
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<std::uint64_t> cumulative;  // one per bound
  std::uint64_t count = 0;
  double sum = 0;
};

class AtomicHistogram {
 public:
  static constexpr std::size_t kMaxBuckets = 16;

  AtomicHistogram(std::initializer_list<double> bounds) {
    if (bounds.size() > kMaxBuckets) throw std::invalid_argument("AtomicHistogram: too many buckets");
    for (double b : bounds) bounds_[size_++] = b;
  }
  AtomicHistogram(const AtomicHistogram&) = delete;
  AtomicHistogram& operator=(const AtomicHistogram&) = delete;

  void observe(double value) noexcept {
    constexpr auto relaxed = std::memory_order_relaxed;
    if (!(value >= 0)) value = 0;  // NaN and negatives count as 0
    for (std::size_t i = 0; i < size_; ++i)
      if (value <= bounds_[i]) {
        buckets_[i].fetch_add(1, relaxed);
        break;
      }
    // Sum in nano-units: atomic double adds would need a CAS loop.
    sumNanos_.fetch_add(static_cast<std::uint64_t>(std::llround(value * 1e9)), relaxed);
    count_.fetch_add(1, relaxed);
  }

  HistogramSnapshot snapshot() const {
    constexpr auto relaxed = std::memory_order_relaxed;
    HistogramSnapshot s;
    s.bounds.assign(bounds_.begin(), bounds_.begin() + static_cast<std::ptrdiff_t>(size_));
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      cumulative += buckets_[i].load(relaxed);
      s.cumulative.push_back(cumulative);
    }
    // Read after the buckets: the total never falls below the last bucket.
    s.count = std::max(count_.load(relaxed), cumulative);
    s.sum = static_cast<double>(sumNanos_.load(relaxed)) / 1e9;
    return s;
  }

 private:
  std::array<double, kMaxBuckets> bounds_{};
  std::size_t size_ = 0;
  std::array<std::atomic<std::uint64_t>, kMaxBuckets> buckets_{};  // not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sumNanos_{0};
};

}  // namespace m3m::lib
