#include "plugin/plugin_manager.hpp"

#include <algorithm>
#include <set>

#include <m3m/error.hpp>

#include "lib/random.hpp"
#include "plugin/loader.hpp"

namespace m3m::plugin {

std::string_view stateName(State s) {
  switch (s) {
    case State::Running: return "running";
    case State::Failed: return "failed";
    default: return "stopped";
  }
}

namespace {
// Globals a plugin module may not shadow (besides the built-in modules).
const std::set<std::string> kReserved = {"service", "router", "console", "schedule", "delayed", "fetch",
                                         "globalThis", "JSON", "Math", "Object", "Array", "Promise", "URL"};

// The named types a module declares or uses (t::named anywhere in it).
void namedTypes(const Type& t, std::set<std::string>& out) {
  if (t.kind == Type::Kind::Named) out.insert(t.name);
  for (const auto& item : t.items) namedTypes(item, out);
  for (const auto& f : t.fields) namedTypes(f.type, out);
}
std::set<std::string> namedTypes(const ModuleSchema& m) {
  std::set<std::string> out;
  for (const auto& t : m.types) namedTypes(t, out);
  for (const auto& f : m.functions) {
    for (const auto& p : f.params) namedTypes(p.type, out);
    namedTypes(f.returns, out);
  }
  for (const auto& p : m.properties) namedTypes(p.type, out);
  return out;
}
}  // namespace

PluginManager::PluginManager(std::filesystem::path dir, nlohmann::json config, runtime::ModuleSource builtins,
                             std::shared_ptr<runtime::StorageBackend> storage, std::shared_ptr<spdlog::logger> log,
                             std::chrono::milliseconds stopWait)
    : dir_(std::move(dir)), config_(std::move(config)), builtins_(std::move(builtins)), storage_(std::move(storage)),
      log_(std::move(log)), stopWait_(stopWait) {
  if (!builtins_) builtins_ = [] { return std::make_shared<const std::vector<ModuleSchema>>(); };
  std::lock_guard lock(mutex_);
  rebuildLocked();
}

PluginManager::~PluginManager() { stopAll(); }

void PluginManager::startAll() {
  std::lock_guard reloading(reloadMutex_);
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (std::filesystem::is_directory(dir_, ec)) {
    for (const auto& de : std::filesystem::directory_iterator(dir_, ec))
      if (de.path().extension() == ".so" && de.is_regular_file(ec)) files.push_back(de.path());
  } else {
    log_->info("plugins: {} is not a folder; no plugins loaded", dir_.string());
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::shared_ptr<Instance>> opened;
  std::lock_guard lock(mutex_);
  for (const auto& file : files) {
    Opened o = open(file, log_);
    if (o.instance) o.instance->setStorage(storage_);
    auto name = o.meta.name;
    if (o.instance && entries_.count(name)) {
      o.error = file.string() + ": plugin " + name + " is already loaded from " + entries_[name].info.file;
      o.instance.reset();
      name = file.stem().string() + " (" + file.filename().string() + ")";
    }
    while (!o.instance && entries_.count(name)) name += "_";
    Entry& e = entries_[name];
    e.slot->name = name;
    e.info.meta = o.meta;
    e.info.file = file.string();
    if (!o.instance) {
      e.info.state = State::Failed;
      e.info.error = o.error;
      log_->error("plugin refused: {}", o.error);
      continue;
    }
    opened[name] = std::move(o.instance);
  }
  for (auto& [name, instance] : opened) activate(entries_[name], std::move(instance));  // name order
  rebuildLocked();
}

void PluginManager::activate(Entry& e, std::shared_ptr<Instance> instance) {
  std::string error = initialize(*instance, config_);
  if (error.empty()) {
    if (auto clash = clashLocked(*instance, e.info.meta.name); !clash.empty()) {
      instance->stop(stopWait_);
      error = instance->file() + " (plugin " + e.info.meta.name + "): " + clash;
    }
  }
  e.info.meta = instance->meta();
  if (!error.empty()) {
    e.info.state = State::Failed;
    e.info.error = error;
    e.info.modules.clear();
    log_->error("plugin refused: {}", error);
    return;
  }
  e.info.state = State::Running;
  e.info.error.clear();
  e.info.modules = instance->modules();
  e.info.loadedAt = lib::nowIso();
  std::string names;
  for (const auto& m : instance->modules()) names += (names.empty() ? "" : ", ") + m.name;
  log_->info("plugin {} {} loaded from {} (plugin ABI {}.{}; modules: {})", e.info.meta.name, e.info.meta.version,
             instance->file(), e.info.meta.abiMajor, e.info.meta.abiMinor, names.empty() ? "none" : names);
  std::lock_guard slotLock(e.slot->mutex);
  e.slot->current = std::move(instance);
}

std::string PluginManager::clashLocked(const Instance& instance, const std::string& self) const {
  const auto builtins = builtins_();
  for (const auto& m : instance.modules()) {
    if (kReserved.count(m.name)) return "module name " + m.name + " is reserved";
    for (const auto& b : *builtins) {
      if (b.name == m.name) return "module " + m.name + " is a built-in module";
      const auto types = namedTypes(b);
      for (const auto& t : m.types)
        if (types.count(t.name)) return "type " + t.name + " is declared by the built-in module " + b.name;
    }
    for (const auto& [name, e] : entries_) {
      if (name == self || e.info.state != State::Running) continue;
      for (const auto& other : e.info.modules) {
        if (other.name == m.name) return "module " + m.name + " is already declared by plugin " + name;
        for (const auto& t : m.types)
          for (const auto& o : other.types)
            if (o.name == t.name) return "type " + t.name + " is already declared by plugin " + name;
      }
    }
  }
  return "";
}

void PluginManager::rebuildLocked() const {
  builtinsSeen_ = builtins_();
  auto list = std::make_shared<std::vector<ModuleSchema>>(*builtinsSeen_);
  for (const auto& [name, e] : entries_) {
    if (e.info.state != State::Running) continue;
    std::shared_ptr<Instance> current;
    {
      std::lock_guard slotLock(e.slot->mutex);
      current = e.slot->current;
    }
    if (!current) continue;
    for (auto& m : adaptModules(e.slot, *current)) {
      // A built-in added after the plugin loaded (the source is live) wins its name.
      const bool taken = std::any_of(builtinsSeen_->begin(), builtinsSeen_->end(),
                                     [&](const ModuleSchema& b) { return b.name == m.name; });
      if (!taken) list->push_back(std::move(m));
    }
  }
  modules_ = std::move(list);
}

void PluginManager::stopAll() {
  std::lock_guard reloading(reloadMutex_);
  std::vector<std::pair<std::string, std::shared_ptr<Instance>>> running;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, e] : entries_) {
      std::lock_guard slotLock(e.slot->mutex);
      if (e.slot->current) running.emplace_back(name, std::move(e.slot->current));
      e.slot->current.reset();
      if (e.info.state == State::Running) e.info.state = State::Stopped;
    }
    rebuildLocked();
  }
  for (auto it = running.rbegin(); it != running.rend(); ++it) {  // reverse name order
    it->second->stop(stopWait_);
    log_->info("plugin {} stopped", it->first);
  }
}

std::vector<PluginInfo> PluginManager::list() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginInfo> out;
  for (const auto& [name, e] : entries_) out.push_back(e.info);
  return out;
}

std::optional<PluginInfo> PluginManager::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.info;
}

PluginInfo PluginManager::reload(const std::string& name) {
  std::lock_guard reloading(reloadMutex_);
  std::shared_ptr<Instance> old;
  std::string file;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end()) throw Error(ErrorCode::NOT_FOUND, "plugin " + name + " not found");
    auto& e = it->second;
    file = e.info.file;
    {
      std::lock_guard slotLock(e.slot->mutex);
      old = std::move(e.slot->current);
      e.slot->current.reset();
    }
    e.info.state = State::Stopped;
    rebuildLocked();
  }
  log_->info("plugin {}: reloading from {}", name, file);
  if (old) {
    old->stop(stopWait_);  // calls in flight finish first (bounded); pendings are rejected
    old.reset();           // dlclose once no call holds it
  }
  Opened o = open(file, log_);
  if (o.instance) o.instance->setStorage(storage_);
  std::lock_guard lock(mutex_);
  auto& e = entries_[name];
  if (o.instance && o.meta.name != name) {
    o.error = file + ": the file now holds plugin " + o.meta.name + ", not " + name;
    o.instance.reset();
  }
  if (!o.instance) {
    e.info.state = State::Failed;
    e.info.error = o.error;
    e.info.modules.clear();
    log_->error("plugin refused: {}", o.error);
  } else {
    activate(e, std::move(o.instance));
  }
  rebuildLocked();
  return e.info;
}

runtime::ModuleList PluginManager::modules() const {
  std::lock_guard lock(mutex_);
  if (builtins_() != builtinsSeen_) rebuildLocked();  // a built-in module was added since
  return modules_;
}

}  // namespace m3m::plugin
