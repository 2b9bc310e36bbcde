#include "plugin/instance.hpp"

#include <dlfcn.h>

#include "plugin/host_api.hpp"

namespace m3m::plugin {

Instance::Instance(std::string file, void* handle, const m3m_plugin_v1& desc, Metadata meta,
                   std::shared_ptr<spdlog::logger> log)
    : file_(std::move(file)), handle_(handle), desc_(desc), meta_(std::move(meta)), log_(std::move(log)) {
  ctx_.instance = this;
}

Instance::~Instance() {
  for (auto& p : retired_) {
    std::lock_guard lock(p->mutex);
    p->owner = nullptr;
  }
  for (auto& p : pending_) {
    std::lock_guard lock(p->mutex);
    p->owner = nullptr;
  }
  if (handle_) dlclose(handle_);
}

bool Instance::enter() {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  ++calls_;
  return true;
}

void Instance::leave() {
  std::lock_guard lock(mutex_);
  if (--calls_ == 0) idle_.notify_all();
}

bool Instance::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Instance::stop(std::chrono::milliseconds wait) {
  std::vector<std::shared_ptr<m3m_pending_s>> pending;
  {
    std::unique_lock lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    stopped_ = true;
    if (!idle_.wait_for(lock, wait, [&] { return calls_ == 0; }))
      log_->warn("plugin {}: {} call(s) still running after {} ms; shutting down anyway", meta_.name, calls_,
                 wait.count());
  }
  if (desc_.shutdown) desc_.shutdown();
  {
    std::lock_guard lock(mutex_);
    pending.swap(pending_);
    retired_.insert(retired_.end(), pending.begin(), pending.end());
  }
  for (auto& p : pending) {
    {
      std::lock_guard lock(p->mutex);
      p->cancelled = true;
    }
    p->settle(nullptr, Error(ErrorCode::UNAVAILABLE, p->qualified + ": plugin " + meta_.name + " stopped"));
  }
}

void Instance::addPending(std::shared_ptr<m3m_pending_s> p) {
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(p));
}

void Instance::settledPending(m3m_pending_s* p) {
  std::lock_guard lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it)
    if (it->get() == p) {
      retired_.push_back(std::move(*it));  // the plugin may still hold the handle for an instant
      pending_.erase(it);
      break;
    }
  if (retired_.size() > 256) {
    // Settled pendings the plugin no longer uses (it settles once): keep the newest few.
    retired_.erase(retired_.begin(), retired_.end() - 64);
  }
}

}  // namespace m3m::plugin
