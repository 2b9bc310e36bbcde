// One loaded plugin library: its metadata, the modules it declared, and the
// bookkeeping that lets it be stopped safely (calls in flight, pending async
// results). The C handles of <m3m/plugin.h> are defined in host_api.hpp.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <m3m/plugin.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace m3m::plugin {

struct DeclaredParam {
  std::string name, type;
  bool optional = false;
};

struct DeclaredFunction {
  std::string name, doc, returns;
  std::vector<DeclaredParam> params;
  std::uint32_t flags = M3M_FN_SYNC;
  m3m_function_cb fn = nullptr;
  void* data = nullptr;
};

struct DeclaredField {
  std::string name, type, doc;
  bool optional = false;
};

// A named TypeScript type (ABI 1.1): an interface of fields, or `type name = definition`.
struct DeclaredType {
  std::string name, doc, definition;
  std::vector<DeclaredField> fields;
};

struct DeclaredModule {
  std::string name, doc;
  std::vector<DeclaredFunction> functions;
  std::vector<DeclaredType> types;
};

struct Metadata {
  std::string name, version, description, author, url;
  std::uint32_t abiMajor = 0, abiMinor = 0;
};

class Instance;

}  // namespace m3m::plugin

namespace m3m::runtime {
class StorageBackend;
}

// What the plugin's init sees through its m3m_plugin_ctx.
struct m3m_plugin_ctx_s {
  m3m::plugin::Instance* instance = nullptr;
  bool initializing = false;  // declare_* only while init runs
  std::string error;          // set_error
  std::string hostError;      // why the host refused the last declare_* call
  nlohmann::json config = nlohmann::json::object();
};

struct m3m_pending_s;

namespace m3m::plugin {

class Instance {
 public:
  Instance(std::string file, void* handle, const m3m_plugin_v1& desc, Metadata meta, std::shared_ptr<spdlog::logger> log);
  ~Instance();  // dlclose (after the last call into the library has returned)
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const std::string& file() const { return file_; }
  const Metadata& meta() const { return meta_; }
  const std::vector<DeclaredModule>& modules() const { return modules_; }
  std::vector<DeclaredModule>& modulesForInit() { return modules_; }
  m3m_plugin_ctx ctx() { return &ctx_; }
  spdlog::logger& log() { return *log_; }
  const m3m_plugin_v1& desc() const { return desc_; }
  // The projects' files, for call_read_file (null: the host has none).
  void setStorage(std::shared_ptr<runtime::StorageBackend> storage) { storage_ = std::move(storage); }
  runtime::StorageBackend* storage() const { return storage_.get(); }

  // A call into the plugin: false once the plugin is stopping.
  bool enter();
  void leave();
  bool stopping() const;

  // Calls the plugin's shutdown after the calls in flight return (they see
  // call_cancelled at once; after `wait` the shutdown goes ahead anyway) and
  // rejects every result still pending (UNAVAILABLE). Once only.
  void stop(std::chrono::milliseconds wait);

  void addPending(std::shared_ptr<m3m_pending_s> p);
  void settledPending(m3m_pending_s* p);

 private:
  std::string file_;
  void* handle_;
  m3m_plugin_v1 desc_;
  Metadata meta_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<DeclaredModule> modules_;
  m3m_plugin_ctx_s ctx_;
  std::shared_ptr<runtime::StorageBackend> storage_;

  mutable std::mutex mutex_;
  std::condition_variable idle_;
  int calls_ = 0;
  bool stopping_ = false;
  bool stopped_ = false;
  std::vector<std::shared_ptr<m3m_pending_s>> pending_;
  std::vector<std::shared_ptr<m3m_pending_s>> retired_;  // kept until dlclose: a late settle stays harmless
};

}  // namespace m3m::plugin
