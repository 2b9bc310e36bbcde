#include "metrics/metrics.hpp"
#include "config/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <m3m/error.hpp>

#include "lib/json.hpp"
#include "lib/units.hpp"
#include "runtime/http/outbound_policy.hpp"
#include "runtime/schedule/cron.hpp"

namespace m3m::config {

std::string_view modeName(Mode m) { return m == Mode::Production ? "production" : "development"; }

std::string Diagnostic::toString() const {
  std::string s = path + ": " + message;
  if (!source.empty()) s += " (" + source + ")";
  return s;
}

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::string envNameFor(std::string_view path) {
  std::string name = "M3M_";
  for (char c : path) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

namespace {

struct TooDeep {};

// Converts free-form YAML (plugins.config) to JSON with scalar type inference.
// Bounded like every JSON in the server (lib::JSON_MAX_DEPTH); yaml-cpp's own parser stops at 2000.
nlohmann::json yamlToJson(const YAML::Node& node, int depth = 0) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      if (depth >= lib::JSON_MAX_DEPTH) throw TooDeep{};
      auto obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = yamlToJson(kv.second, depth + 1);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      if (depth >= lib::JSON_MAX_DEPTH) throw TooDeep{};
      auto arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(yamlToJson(item, depth + 1));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted in the file: keep as string
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      long long i = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return i;
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) return d;
      return s;
    }
    default:
      return nullptr;
  }
}

// Binds config paths to fields: reads the YAML value or its environment
// override, converts it, and records a path-precise error when it cannot.
class Binder {
 public:
  Binder(const YAML::Node& root, std::string sourceName, const EnvLookup& env, LoadResult& out)
      : root_(root), sourceName_(std::move(sourceName)), env_(env), out_(out) {}

  void string(std::string_view path, std::string& field, bool allowEmpty = true) {
    auto raw = lookup(path);
    if (!raw) return;
    if (!allowEmpty && raw->value.empty()) return error(path, "must not be empty", raw->source);
    field = raw->value;
  }

  void integer(std::string_view path, int& field, int min, int max) {
    auto raw = lookup(path);
    if (!raw) return;
    int v = 0;
    auto [p, ec] = std::from_chars(raw->value.data(), raw->value.data() + raw->value.size(), v);
    if (ec != std::errc() || p != raw->value.data() + raw->value.size() || raw->value.empty())
      return error(path, "not an integer: \"" + raw->value + "\"", raw->source);
    if (v < min || v > max)
      return error(path, "must be between " + std::to_string(min) + " and " + std::to_string(max), raw->source);
    field = v;
  }

  void duration(std::string_view path, milliseconds& field, milliseconds min = milliseconds(1)) {
    auto raw = lookup(path);
    if (!raw) return;
    auto d = lib::parseDuration(raw->value);
    if (!d) return error(path, "not a duration: \"" + raw->value + "\" (examples: 30s, 1h30m, 250ms)", raw->source);
    if (*d < min) return error(path, "must be at least " + lib::formatDuration(min), raw->source);
    field = *d;
  }

  void size(std::string_view path, std::uint64_t& field, std::uint64_t min = 1) {
    auto raw = lookup(path);
    if (!raw) return;
    auto s = lib::parseSize(raw->value);
    if (!s) return error(path, "not a size: \"" + raw->value + "\" (examples: 512KB, 10MB, 1GB)", raw->source);
    if (*s < min) return error(path, "must be at least " + lib::formatSize(min), raw->source);
    field = *s;
  }

  // Like string(), and tells whether the value was written in the config file
  // (not the environment): secrets that must not live in files in production.
  void secret(std::string_view path, std::string& field, bool& fromFile) {
    auto raw = lookup(path);
    if (!raw) return;
    field = raw->value;
    fromFile = raw->source.empty() && !raw->value.empty();
  }

  // A file's first line (without the line break), e.g. a mounted secret.
  void fileLine(std::string_view path, std::string& fileField, std::string& valueField) {
    auto raw = lookup(path);
    if (!raw || raw->value.empty()) return;
    std::ifstream in(raw->value, std::ios::binary);
    if (!in) return error(path, "cannot read " + raw->value, raw->source);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return error(path, raw->value + " is empty (the first line is the password)", raw->source);
    fileField = raw->value;
    valueField = line;
  }

  // A path that must name a readable file when set (a CA bundle).
  void readableFile(std::string_view path, std::string& field) {
    auto raw = lookup(path);
    if (!raw || raw->value.empty()) return;
    std::ifstream in(raw->value, std::ios::binary);
    if (!in) return error(path, "cannot read " + raw->value, raw->source);
    field = raw->value;
  }

  void boolean(std::string_view path, bool& field) {
    auto raw = lookup(path);
    if (!raw) return;
    if (raw->value == "true") field = true;
    else if (raw->value == "false") field = false;
    else error(path, "must be true or false, got \"" + raw->value + "\"", raw->source);
  }

  void oneOf(std::string_view path, std::string& field, std::initializer_list<std::string_view> allowed) {
    auto raw = lookup(path);
    if (!raw) return;
    if (std::find(allowed.begin(), allowed.end(), raw->value) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return error(path, "must be one of " + list + ", got \"" + raw->value + "\"", raw->source);
    }
    field = raw->value;
  }

  // An IANA time zone name that tzdata knows ("Europe/Berlin"), or UTC.
  void timeZone(std::string_view path, std::string& field) {
    auto raw = lookup(path);
    if (!raw) return;
    try {
      field = schedule::TimeZone::load(raw->value).name();
    } catch (const std::exception& e) {
      error(path, e.what(), raw->source);
    }
  }

  void stringList(std::string_view path, std::vector<std::string>& field) {
    known_.insert(std::string(path));
    if (auto e = env_(envNameFor(path))) {  // comma-separated in the environment
      field.clear();
      std::stringstream ss(*e);
      for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) field.push_back(item);
      return;
    }
    YAML::Node node = find(path);
    if (!node) return;
    if (node.IsNull()) { field.clear(); return; }
    if (!node.IsSequence()) return error(path, "must be a list of strings", sourceName_);
    field.clear();
    for (const auto& item : node) {
      if (!item.IsScalar()) return error(path, "must be a list of strings", sourceName_);
      field.push_back(item.Scalar());
    }
  }

  // runtime.http.allow / deny: each entry is a host name, "*.domain", an
  // address or a CIDR, checked here so that a typo stops the start naming it
  // (rather than failing later, when the runtime is built).
  void outboundEntries(std::string_view path, std::vector<std::string>& field) {
    const std::size_t before = out_.errors.size();
    stringList(path, field);
    if (out_.errors.size() != before) return;
    const std::string envName = envNameFor(path);
    const std::string source = env_(envName) ? "env " + envName : sourceName_;
    for (const auto& entry : field) {
      try {
        runtime::http::OutboundPolicy({entry}, {}, true);
      } catch (const Error& e) {
        auto it = e.fields().find("entry");
        const std::string why = it != e.fields().end() ? it->second : e.what();
        error(path, "entry \"" + entry + "\" is not a host name, *.domain, address or CIDR (" + why + ")", source);
      }
    }
  }

  void freeForm(std::string_view path, nlohmann::json& field) {
    known_.insert(std::string(path));
    freeFormPrefixes_.insert(std::string(path));
    YAML::Node node = find(path);
    if (!node || node.IsNull()) return;
    if (!node.IsMap()) return error(path, "must be a map of plugin name to its settings", sourceName_);
    try {
      field = yamlToJson(node);
    } catch (const TooDeep&) {
      error(path, "nests deeper than " + std::to_string(lib::JSON_MAX_DEPTH) + " levels", sourceName_);
    }
  }

  void error(std::string_view path, std::string message, const std::string& source) {
    out_.errors.push_back({std::string(path), std::move(message), source});
  }

  // Every key in the file that no binding asked for is reported as a warning.
  void warnUnknown() { walkUnknown(root_, ""); }

 private:
  struct Raw {
    std::string value;
    std::string source;
  };

  YAML::Node find(std::string_view path) const { return findIn(root_, path); }

  // Recursive on const nodes: yaml-cpp's Node::operator= rebinds the shared
  // tree, so walking by reassignment would corrupt the document.
  static YAML::Node findIn(const YAML::Node& node, std::string_view rest) {
    if (!node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    auto dot = rest.find('.');
    const YAML::Node child = node[std::string(rest.substr(0, dot))];
    if (!child || dot == std::string_view::npos) return child;
    return findIn(child, rest.substr(dot + 1));
  }

  std::optional<Raw> lookup(std::string_view path) {
    known_.insert(std::string(path));
    std::string envName = envNameFor(path);
    if (auto e = env_(envName)) return Raw{*e, "env " + envName};
    YAML::Node node = find(path);
    if (!node || node.IsNull()) return std::nullopt;
    if (!node.IsScalar()) {
      error(path, "must be a single value, not a list or map", sourceName_);
      return std::nullopt;
    }
    return Raw{node.Scalar(), ""};
  }

  void walkUnknown(const YAML::Node& node, const std::string& prefix) {
    if (!node.IsMap()) return;
    for (const auto& kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      std::string path = prefix.empty() ? key : prefix + "." + key;
      if (freeFormPrefixes_.count(path)) continue;
      if (known_.count(path)) continue;
      bool isSection = std::any_of(known_.begin(), known_.end(), [&](const std::string& k) {
        return k.size() > path.size() && k.compare(0, path.size(), path) == 0 && k[path.size()] == '.';
      });
      if (isSection && kv.second.IsMap()) {
        walkUnknown(kv.second, path);
      } else if (isSection) {
        error(path, "must be a section (a map of keys)", sourceName_);
      } else {
        out_.warnings.push_back({path, "unknown key (ignored)", sourceName_});
      }
    }
  }

  YAML::Node root_;
  std::string sourceName_;
  const EnvLookup& env_;
  LoadResult& out_;
  std::set<std::string> known_;
  std::set<std::string> freeFormPrefixes_;
};

// Rules of the `smtp` section that involve the mode or the source of a value.
void bindSmtp(Binder& b, Config& c) {
  b.string("smtp.host", c.smtp.host);
  b.integer("smtp.port", c.smtp.port, 0, 65535);
  b.string("smtp.username", c.smtp.username);
  bool passwordInFile = false;
  b.secret("smtp.password", c.smtp.password, passwordInFile);
  std::string fromPasswordFile;
  b.fileLine("smtp.password_file", c.smtp.passwordFile, fromPasswordFile);
  b.string("smtp.from", c.smtp.from);
  b.oneOf("smtp.security", c.smtp.security, {"starttls", "tls", "none"});
  b.duration("smtp.timeout", c.smtp.timeout, milliseconds(100));
  b.readableFile("smtp.ca_file", c.smtp.caFile);
  if (!c.smtp.passwordFile.empty()) {
    if (!c.smtp.password.empty())
      b.error("smtp.password_file", "give smtp.password or smtp.password_file, not both", "");
    c.smtp.password = fromPasswordFile;
  } else if (passwordInFile && c.mode == Mode::Production) {
    b.error("smtp.password",
            "must not be written in the config file in production mode; set M3M_SMTP_PASSWORD or smtp.password_file", "");
  }
}

void bindAll(Binder& b, Config& c) {
  std::string mode = "development";
  b.oneOf("mode", mode, {"development", "production"});
  c.mode = mode == "production" ? Mode::Production : Mode::Development;

  b.string("server.host", c.server.host, false);
  b.integer("server.port", c.server.port, 0, 65535);
  b.string("server.uri", c.server.uri, false);
  b.integer("server.threads", c.server.threads, 0, 256);
  b.size("server.max_body", c.server.maxBody);
  b.size("server.max_header", c.server.maxHeader, 1024);
  b.duration("server.read_timeout", c.server.readTimeout);
  b.duration("server.idle_timeout", c.server.idleTimeout);
  b.duration("server.shutdown_timeout", c.server.shutdownTimeout, milliseconds(0));
  if (c.mode == Mode::Development) c.server.corsOrigins = {"http://localhost:5173", "http://127.0.0.1:5173"};
  b.stringList("server.cors_origins", c.server.corsOrigins);

  b.oneOf("database.driver", c.database.driver, {"sqlite", "mongodb"});
  b.string("database.path", c.database.path, false);
  b.duration("database.busy_timeout", c.database.busyTimeout, milliseconds(0));
  b.integer("database.readers", c.database.readers, 1, 64);
  b.integer("database.checkpoint_pages", c.database.checkpointPages, 100, 10'000'000);

  b.string("mongodb.uri", c.mongodb.uri, false);
  b.string("mongodb.database", c.mongodb.database, false);
  b.duration("mongodb.connect_timeout", c.mongodb.connectTimeout, milliseconds(0));

  b.string("cluster.node_id", c.cluster.nodeId, false);
  b.string("cluster.advertise_url", c.cluster.advertiseUrl, false);
  b.duration("cluster.lease_ttl", c.cluster.leaseTtl, milliseconds(1000));
  b.duration("cluster.heartbeat", c.cluster.heartbeat, milliseconds(100));
  b.duration("cluster.forward_timeout", c.cluster.forwardTimeout, milliseconds(0));

  b.string("jwt.secret", c.jwt.secret);
  b.duration("jwt.expiration", c.jwt.expiration, milliseconds(1000));
  b.duration("jwt.refresh_expiration", c.jwt.refreshExpiration, milliseconds(1000));

  b.integer("auth.login_max_attempts", c.auth.loginMaxAttempts, 1, 1000);
  b.duration("auth.login_window", c.auth.loginWindow, milliseconds(1000));
  b.size("auth.avatar_max_size", c.auth.avatarMaxSize, 1024);

  b.size("pipeline.max_code_size", c.pipeline.maxCodeSize, 1024);

  b.oneOf("storage.driver", c.storage.driver, {"local", "gridfs"});
  b.string("storage.path", c.storage.path, false);
  b.size("storage.max_upload", c.storage.maxUpload, 1);
  b.integer("storage.max_image_pixels", c.storage.maxImagePixels, 1'000, 1'000'000'000);
  b.duration("storage.image_timeout", c.storage.imageTimeout);
  b.integer("storage.image_workers", c.storage.imageWorkers, 1, 64);

  b.integer("runtime.worker_pool_size", c.runtime.workerPoolSize, 1, 1024);
  b.duration("runtime.timeout", c.runtime.timeout);
  b.integer("runtime.memory_limit_mb", c.runtime.memoryLimitMb, 16, 16384);
  b.integer("runtime.max_queue", c.runtime.maxQueue, 1, 1'000'000);
  b.duration("runtime.shutdown_timeout", c.runtime.shutdownTimeout, milliseconds(0));
  b.duration("runtime.start_timeout", c.runtime.startTimeout);
  b.duration("runtime.request_timeout", c.runtime.requestTimeout);
  b.size("runtime.log_max_size", c.runtime.logMaxSize, 4096);
  b.duration("runtime.goals_flush_interval", c.runtime.goalsFlushInterval, milliseconds(10));
  b.size("runtime.max_response", c.runtime.maxResponse, 1024);
  b.boolean("runtime.wasm", c.runtime.wasm);
  b.duration("runtime.max_wait", c.runtime.maxWait);
  b.timeZone("runtime.timezone", c.runtime.timezone);
  b.duration("runtime.http.max_timeout", c.runtime.http.maxTimeout);
  b.size("runtime.http.max_response", c.runtime.http.maxResponse, 1);
  b.outboundEntries("runtime.http.allow", c.runtime.http.allow);
  b.outboundEntries("runtime.http.deny", c.runtime.http.deny);
  b.boolean("runtime.http.allow_private", c.runtime.http.allowPrivate);
  b.readableFile("runtime.http.ca_file", c.runtime.http.caFile);
  b.integer("runtime.image.max_pixels", c.runtime.image.maxPixels, 1'000, 1'000'000'000);
  b.integer("runtime.image.workers", c.runtime.image.workers, 1, 64);
  b.duration("runtime.image.timeout", c.runtime.image.timeout);
  b.integer("runtime.draw.max_pixels", c.runtime.draw.maxPixels, 1, 1'000'000'000);

  bindSmtp(b, c);

  b.string("plugins.path", c.plugins.path, false);
  b.freeForm("plugins.config", c.plugins.config);

  b.oneOf("logging.level", c.logging.level, {"trace", "debug", "info", "warn", "error", "off"});
  b.oneOf("logging.format", c.logging.format, {"text", "json"});
  b.oneOf("logging.console", c.logging.console, {"all", "server", "off"});
  b.string("logging.path", c.logging.path, false);
  b.size("logging.max_size", c.logging.maxSize, 1024);
  b.integer("logging.max_files", c.logging.maxFiles, 1, 100);

  b.string("metrics.token", c.metrics.token);
  b.stringList("metrics.allow", c.metrics.allow);
}

// Rules that involve more than one key or the mode.
void validate(const Config& c, LoadResult& out) {
  auto& uri = c.server.uri;
  if (!uri.empty() && uri.rfind("http://", 0) != 0 && uri.rfind("https://", 0) != 0)
    out.errors.push_back({"server.uri", "must start with http:// or https://", ""});
  auto& adv = c.cluster.advertiseUrl;
  if (!adv.empty() && adv.rfind("http://", 0) != 0 && adv.rfind("https://", 0) != 0)
    out.errors.push_back({"cluster.advertise_url", "must start with http:// or https://", ""});
  if (c.storage.driver == "gridfs" && c.database.driver != "mongodb")
    out.errors.push_back({"storage.driver",
                          "gridfs keeps the files in MongoDB: it needs database.driver: mongodb (now \"" +
                              c.database.driver + "\")",
                          ""});
  // A lease is renewed every heartbeat and given up 1 s before it expires.
  if (c.cluster.leaseTtl < 3 * c.cluster.heartbeat || c.cluster.leaseTtl < c.cluster.heartbeat + milliseconds(2000))
    out.errors.push_back({"cluster.lease_ttl", "must be at least 3 × cluster.heartbeat and heartbeat + 2s", ""});
  if (c.mode == Mode::Production) {
    if (c.jwt.secret.empty() || c.jwt.secret == DEFAULT_JWT_SECRET)
      out.errors.push_back({"jwt.secret",
                            "must be set to your own secret in production mode (the default \"change-me\" "
                            "or an empty value is refused); e.g. M3M_JWT_SECRET=$(openssl rand -hex 32)",
                            ""});
    else if (c.jwt.secret.size() < 32)
      out.errors.push_back({"jwt.secret", "must be at least 32 characters in production mode", ""});
  }
  try {
    metrics::AccessPolicy({"", c.metrics.allow});
  } catch (const std::invalid_argument& e) {
    std::string why = e.what();
    if (why.rfind("metrics.allow: ", 0) == 0) why.erase(0, 15);
    out.errors.push_back({"metrics.allow", why, ""});
  }
  if (c.jwt.refreshExpiration < c.jwt.expiration)
    out.errors.push_back({"jwt.refresh_expiration", "must not be shorter than jwt.expiration", ""});
}

LoadResult loadNode(const YAML::Node& root, const std::string& sourceName, const EnvLookup& env) {
  LoadResult out;
  if (root && !root.IsNull() && !root.IsMap()) {
    out.errors.push_back({"(root)", "the config file must be a YAML map of sections", sourceName});
    return out;
  }
  Binder b(root ? root : YAML::Node(YAML::NodeType::Map), sourceName, env, out);
  bindAll(b, out.config);
  b.warnUnknown();
  validate(out.config, out);
  return out;
}

}  // namespace

LoadResult loadFromString(const std::string& yaml, const std::string& sourceName, const EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    LoadResult out;
    out.errors.push_back({"(file)",
                          "invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                              std::to_string(e.mark.column + 1) + ": " + e.msg,
                          sourceName});
    return out;
  }
  LoadResult out = loadNode(root, sourceName, env);
  out.config.sourceFile = sourceName;
  return out;
}

LoadResult load(const std::optional<std::string>& file, const EnvLookup& env) {
  if (!file) return loadNode(YAML::Node(YAML::NodeType::Map), "", env);
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    LoadResult out;
    out.errors.push_back({"(file)", "cannot read config file " + *file, *file});
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return loadFromString(ss.str(), *file, env);
}

}  // namespace m3m::config
