// ArrayBuffer memory lives outside V8's heap limit (DESIGN pitfall): each
// isolate gets an allocator with a byte budget that refuses past it.
#pragma once

#include <v8.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace m3m::runtime {

class BudgetAllocator final : public v8::ArrayBuffer::Allocator {
 public:
  explicit BudgetAllocator(size_t budget) : budget_(budget) {}

  void* Allocate(size_t length) override {
    if (!reserve(length)) return nullptr;
    void* p = std::calloc(length ? length : 1, 1);
    if (!p) used_ -= length;
    return p;
  }
  void* AllocateUninitialized(size_t length) override {
    if (!reserve(length)) return nullptr;
    void* p = std::malloc(length ? length : 1);
    if (!p) used_ -= length;
    return p;
  }
  void Free(void* data, size_t length) override {
    std::free(data);
    used_ -= length;
  }
  size_t used() const { return used_; }

 private:
  bool reserve(size_t length) {
    size_t now = used_.load();
    do {
      if (length > budget_ || now > budget_ - length) return false;
    } while (!used_.compare_exchange_weak(now, now + length));
    return true;
  }

  size_t budget_;
  std::atomic<size_t> used_{0};
};

}  // namespace m3m::runtime
