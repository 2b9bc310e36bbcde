// runtime.memory_limit_mb for one isolate: V8's heap limit, the ArrayBuffer
// budget (BudgetAllocator) and, with WebAssembly on, its memory. Past the
// limit the running script is terminated and the run ends as failed.
#include <string>

#include "runtime/detail/project_impl.hpp"

namespace m3m::runtime {

namespace {
constexpr size_t kMB = 1024 * 1024;
// How far the heap limit is raised once it is hit, so V8 can unwind after
// TerminateExecution instead of aborting the process (+16 MB was not enough
// for a 24 MB allocation; +64 MB held — DESIGN).
constexpr size_t kHeapHeadroom = 64 * kMB;
}  // namespace

v8::Isolate* ProjectRuntime::Impl::newIsolate() {
  allocator = std::make_unique<BudgetAllocator>(self.limits_.heapMb * kMB);
  v8::Isolate::CreateParams params;
  params.array_buffer_allocator = allocator.get();
  params.constraints.ConfigureDefaultsFromHeapSize(0, self.limits_.heapMb * kMB);
  return v8::Isolate::New(params);
}

void ProjectRuntime::Impl::enforceMemoryLimit() {
  isolate->AddNearHeapLimitCallback(&Impl::nearHeapLimit, this);
  if (self.limits_.wasm) isolate->AddGCPrologueCallback(&Impl::gcStarted, this);
}

size_t ProjectRuntime::Impl::nearHeapLimit(void* data, size_t current, size_t) {
  auto* impl = static_cast<Impl*>(data);
  impl->heapExceeded = true;
  impl->isolate->TerminateExecution();
  return current + kHeapHeadroom;
}

// WebAssembly memory is not allocated through the ArrayBuffer allocator,
// but V8 counts it (with ArrayBuffers) as the isolate's external memory,
// and growing that starts GCs: past the budget, the run is ended like a
// heap overflow. Checked at GC start, so one task can go over by about
// one memory (each is capped at the budget by --wasm-max-mem-pages).
void ProjectRuntime::Impl::gcStarted(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data) {
  auto* impl = static_cast<Impl*>(data);
  const auto external = isolate->AdjustAmountOfExternalAllocatedMemory(0);
  if (external <= 0 || static_cast<size_t>(external) <= impl->self.limits_.heapMb * kMB) return;
  impl->wasmExceeded = true;
  impl->heapExceeded = true;
  isolate->TerminateExecution();
}

std::string ProjectRuntime::heapMessage() const {
  if (impl_->wasmExceeded)
    return "memory limit exceeded: WebAssembly memory and ArrayBuffers past runtime.memory_limit_mb = " +
           std::to_string(limits_.heapMb) + "; the project was stopped";
  return "heap limit exceeded (runtime.memory_limit_mb = " + std::to_string(limits_.heapMb) +
         "); the project was stopped";
}

}  // namespace m3m::runtime
