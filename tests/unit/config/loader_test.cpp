#include "config/loader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

using namespace m3m::config;
using namespace std::chrono_literals;

namespace {

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup noEnv = envOf({});

std::vector<std::string> errorStrings(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.path + ": " + e.message);
  return out;
}

bool hasError(const LoadResult& r, const std::string& path, const std::string& fragment) {
  for (const auto& e : r.errors)
    if (e.path == path && e.message.find(fragment) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(ConfigLoader, DefaultsNeedNoFile) {
  auto r = load(std::nullopt, noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  const Config& c = r.config;
  EXPECT_EQ(c.mode, Mode::Development);
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 3000);
  EXPECT_EQ(c.server.uri, "");  // not set: App derives it from host and the bound port
  EXPECT_EQ(c.runtime.maxResponse, 10u << 20);
  EXPECT_FALSE(c.runtime.wasm);
  EXPECT_EQ(c.database.driver, "sqlite");
  EXPECT_EQ(c.database.path, "./data/m3m.db");
  EXPECT_EQ(c.database.checkpointPages, 20000);
  EXPECT_EQ(c.mongodb.uri, "mongodb://localhost:27017");
  EXPECT_EQ(c.mongodb.database, "m3m");
  EXPECT_EQ(c.jwt.secret, "change-me");
  EXPECT_EQ(c.jwt.expiration, 168h);
  EXPECT_EQ(c.storage.path, "./storage");
  EXPECT_EQ(c.runtime.workerPoolSize, 8);
  EXPECT_EQ(c.runtime.maxWait, 10min);
  EXPECT_EQ(c.runtime.timezone, "UTC");
  EXPECT_EQ(c.runtime.timeout, 30s);
  EXPECT_EQ(c.runtime.memoryLimitMb, 128);
  EXPECT_EQ(c.plugins.path, "./plugins");
  EXPECT_EQ(c.logging.level, "info");
  EXPECT_EQ(c.logging.path, "./logs");
  EXPECT_EQ(c.logging.console, "server");
  EXPECT_EQ(c.server.maxBody, 10u << 20);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ConfigLoader, ReadsTheSpecExample) {
  auto r = loadFromString(R"(
server:   { host: "127.0.0.1", port: 8080, uri: "http://example.test" }
database: { driver: "sqlite", path: "/tmp/x.db" }
mongodb:  { uri: "mongodb://db:27017", database: "prod" }
jwt:      { secret: "s3cr3t", expiration: 1h30m }
storage:  { path: "/srv/storage" }
runtime:  { worker_pool_size: 4, timeout: 5s, memory_limit_mb: 64 }
plugins:  { path: "/srv/plugins", config: { telegram: { bot_token: "abc", retries: 3, debug: true } } }
logging:  { level: "debug", path: "/var/log/m3m" }
)", "config.yaml", noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  EXPECT_EQ(r.config.server.host, "127.0.0.1");
  EXPECT_EQ(r.config.server.port, 8080);
  EXPECT_EQ(r.config.jwt.expiration, 90min);
  EXPECT_EQ(r.config.runtime.workerPoolSize, 4);
  EXPECT_EQ(r.config.runtime.timeout, 5s);
  EXPECT_EQ(r.config.plugins.config["telegram"]["bot_token"], "abc");
  EXPECT_EQ(r.config.plugins.config["telegram"]["retries"], 3);
  EXPECT_EQ(r.config.plugins.config["telegram"]["debug"], true);
  EXPECT_EQ(r.config.logging.level, "debug");
}

TEST(ConfigLoader, EnvironmentOverridesFile) {
  auto r = loadFromString("server: { port: 8080 }\n", "config.yaml",
                          envOf({{"M3M_SERVER_PORT", "9090"}, {"M3M_SERVER_MAX_BODY", "1MB"},
                                 {"M3M_RUNTIME_WORKER_POOL_SIZE", "3"}, {"M3M_SERVER_CORS_ORIGINS", "http://a,http://b"}}));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  EXPECT_EQ(r.config.server.port, 9090);
  EXPECT_EQ(r.config.server.maxBody, 1u << 20);
  EXPECT_EQ(r.config.runtime.workerPoolSize, 3);
  EXPECT_EQ(r.config.server.corsOrigins, (std::vector<std::string>{"http://a", "http://b"}));
}

TEST(ConfigLoader, CheckpointPagesAreBounded) {
  auto ok = load(std::nullopt, envOf({{"M3M_DATABASE_CHECKPOINT_PAGES", "500"}}));
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(errorStrings(ok));
  EXPECT_EQ(ok.config.database.checkpointPages, 500);
  auto low = loadFromString("database: { checkpoint_pages: 10 }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(low, "database.checkpoint_pages", "must be between 100 and 10000000"))
      << ::testing::PrintToString(errorStrings(low));
}

TEST(ConfigLoader, GridFsStorageNeedsMongoDb) {
  EXPECT_EQ(load(std::nullopt, noEnv).config.storage.driver, "local");
  auto ok = loadFromString("database: { driver: mongodb }\nstorage: { driver: gridfs }\n", "c.yaml", noEnv);
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(errorStrings(ok));
  EXPECT_EQ(ok.config.storage.driver, "gridfs");
  auto onSqlite = load(std::nullopt, envOf({{"M3M_STORAGE_DRIVER", "gridfs"}}));
  EXPECT_TRUE(hasError(onSqlite, "storage.driver", "needs database.driver: mongodb"))
      << ::testing::PrintToString(errorStrings(onSqlite));
  auto unknown = loadFromString("storage: { driver: s3 }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(unknown, "storage.driver", "must be one of local, gridfs"))
      << ::testing::PrintToString(errorStrings(unknown));
}

TEST(ConfigLoader, EnvNamesFollowPaths) {
  EXPECT_EQ(envNameFor("server.port"), "M3M_SERVER_PORT");
  EXPECT_EQ(envNameFor("runtime.worker_pool_size"), "M3M_RUNTIME_WORKER_POOL_SIZE");
  EXPECT_EQ(envNameFor("mode"), "M3M_MODE");
}

TEST(ConfigLoader, ReportsEveryErrorWithItsPath) {
  auto r = loadFromString(R"(
mode: staging
server: { port: 70000, threads: abc, max_body: lots, read_timeout: soon, uri: "ftp://x" }
database: { driver: postgres }
jwt: { expiration: forever }
runtime: { worker_pool_size: 0, memory_limit_mb: 1, timeout: -1s }
logging: { level: loud, console: everything }
)", "broken.yaml", noEnv);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(hasError(r, "mode", "must be one of development, production"));
  EXPECT_TRUE(hasError(r, "server.port", "must be between 0 and 65535"));
  EXPECT_TRUE(hasError(r, "server.threads", "not an integer"));
  EXPECT_TRUE(hasError(r, "server.max_body", "not a size"));
  EXPECT_TRUE(hasError(r, "server.read_timeout", "not a duration"));
  EXPECT_TRUE(hasError(r, "server.uri", "must start with http://"));
  EXPECT_TRUE(hasError(r, "database.driver", "must be one of sqlite, mongodb"));
  EXPECT_TRUE(hasError(r, "jwt.expiration", "not a duration"));
  EXPECT_TRUE(hasError(r, "runtime.worker_pool_size", "must be between 1 and 1024"));
  EXPECT_TRUE(hasError(r, "runtime.memory_limit_mb", "must be between 16"));
  EXPECT_TRUE(hasError(r, "runtime.timeout", "not a duration"));
  EXPECT_TRUE(hasError(r, "logging.level", "must be one of"));
  EXPECT_TRUE(hasError(r, "logging.console", "must be one of all, server, off"));
  EXPECT_EQ(r.errors.size(), 13u) << ::testing::PrintToString(errorStrings(r));
}

TEST(ConfigLoader, DiagnosticNamesPathAndEnvSource) {
  auto r = load(std::nullopt, envOf({{"M3M_JWT_EXPIRATION", "soon"}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].toString(), "jwt.expiration: not a duration: \"soon\" (examples: 30s, 1h30m, 250ms) (env M3M_JWT_EXPIRATION)");
}

TEST(ConfigLoader, WarnsAboutUnknownKeys) {
  auto r = loadFromString("server: { prot: 1, port: 3001 }\nfeatures: { x: 1 }\nplugins: { config: { anything: { goes: 1 } } }\n",
                          "c.yaml", noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].path, "server.prot");
  EXPECT_EQ(r.warnings[1].path, "features");
  EXPECT_EQ(r.config.server.port, 3001);
}

TEST(ConfigLoader, RejectsWrongShapes) {
  auto r = loadFromString("server: [1, 2]\njwt: { secret: [a, b] }\nplugins: { config: [1] }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(r, "server", "must be a section"));
  EXPECT_TRUE(hasError(r, "jwt.secret", "must be a single value"));
  EXPECT_TRUE(hasError(r, "plugins.config", "must be a map"));
}

TEST(ConfigLoader, ReportsInvalidYamlWithLine) {
  auto r = loadFromString("server:\n  port: [1,\n", "bad.yaml", noEnv);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "(file)");
  EXPECT_NE(r.errors[0].message.find("invalid YAML at line"), std::string::npos);
}

TEST(ConfigLoader, RejectsTopLevelScalar) {
  auto r = loadFromString("just a string", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(r, "(root)", "YAML map"));
}

TEST(ConfigLoader, MissingFileIsAnError) {
  auto r = load(std::string("/nonexistent/m3m.yaml"), noEnv);
  EXPECT_TRUE(hasError(r, "(file)", "cannot read config file"));
}

TEST(ConfigLoader, ProductionRefusesDefaultSecret) {
  auto r = loadFromString("mode: production\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(r, "jwt.secret", "production"));
  auto empty = loadFromString("mode: production\njwt: { secret: \"\" }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(empty, "jwt.secret", "production"));
  auto weak = loadFromString("mode: production\njwt: { secret: short }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(weak, "jwt.secret", "at least 32"));
  auto good = load(std::nullopt, envOf({{"M3M_MODE", "production"}, {"M3M_JWT_SECRET", std::string(40, 'k')}}));
  EXPECT_TRUE(good.ok()) << ::testing::PrintToString(errorStrings(good));
  EXPECT_TRUE(good.config.server.corsOrigins.empty()) << "no dev-server CORS in production";
}

TEST(ConfigLoader, DevelopmentAllowsDefaultSecret) {
  auto r = load(std::nullopt, noEnv);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.config.server.corsOrigins.empty());
}

TEST(ConfigLoader, RefreshMustOutliveAccess) {
  auto r = loadFromString("jwt: { expiration: 10h, refresh_expiration: 1h }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(r, "jwt.refresh_expiration", "must not be shorter"));
}

TEST(ConfigLoader, PortZeroMeansAnyPort) {
  auto r = load(std::nullopt, envOf({{"M3M_SERVER_PORT", "0"}}));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.config.server.port, 0);
}

TEST(ConfigLoader, ImageLimitsHaveDefaultsAndBounds) {
  auto d = load(std::nullopt, noEnv);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.config.storage.maxImagePixels, 40'000'000);
  EXPECT_EQ(d.config.storage.imageTimeout, 10s);
  EXPECT_EQ(d.config.storage.imageWorkers, 2);

  auto env = load(std::nullopt, envOf({{"M3M_STORAGE_MAX_IMAGE_PIXELS", "1000000"},
                                       {"M3M_STORAGE_IMAGE_TIMEOUT", "250ms"},
                                       {"M3M_STORAGE_IMAGE_WORKERS", "1"}}));
  ASSERT_TRUE(env.ok()) << ::testing::PrintToString(errorStrings(env));
  EXPECT_EQ(env.config.storage.maxImagePixels, 1'000'000);
  EXPECT_EQ(env.config.storage.imageTimeout, 250ms);
  EXPECT_EQ(env.config.storage.imageWorkers, 1);

  auto bad = loadFromString("storage: { max_image_pixels: 999, image_timeout: 0s, image_workers: 0 }", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "storage.max_image_pixels", "between 1000 and 1000000000"));
  EXPECT_TRUE(hasError(bad, "storage.image_timeout", "at least"));
  EXPECT_TRUE(hasError(bad, "storage.image_workers", "between 1 and 64"));
  EXPECT_TRUE(hasError(loadFromString("storage: { max_image_pixels: 2000000000 }", "c.yaml", noEnv),
                       "storage.max_image_pixels", "between"));
}

TEST(ConfigLoader, RuntimeImage) {
  auto d = load(std::nullopt, noEnv);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.config.runtime.image.maxPixels, 40'000'000);
  EXPECT_EQ(d.config.runtime.image.workers, 2);
  EXPECT_EQ(d.config.runtime.image.timeout, 30s);
  auto env = load(std::nullopt, envOf({{"M3M_RUNTIME_IMAGE_MAX_PIXELS", "2000000"},
                                       {"M3M_RUNTIME_IMAGE_WORKERS", "3"},
                                       {"M3M_RUNTIME_IMAGE_TIMEOUT", "5s"}}));
  ASSERT_TRUE(env.ok()) << ::testing::PrintToString(errorStrings(env));
  EXPECT_EQ(env.config.runtime.image.maxPixels, 2'000'000);
  EXPECT_EQ(env.config.runtime.image.workers, 3);
  EXPECT_EQ(env.config.runtime.image.timeout, 5s);
  auto bad = loadFromString("runtime: { image: { max_pixels: 10, workers: 65, timeout: 0s } }", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "runtime.image.max_pixels", "between 1000 and 1000000000"));
  EXPECT_TRUE(hasError(bad, "runtime.image.workers", "between 1 and 64"));
  EXPECT_TRUE(hasError(bad, "runtime.image.timeout", "at least"));
}

TEST(ConfigLoader, WasmAndMaxResponse) {
  auto r = loadFromString("runtime: { wasm: true, max_response: 2MB }\n", "c.yaml", noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  EXPECT_TRUE(r.config.runtime.wasm);
  EXPECT_EQ(r.config.runtime.maxResponse, 2u << 20);
  auto env = load(std::nullopt, envOf({{"M3M_RUNTIME_WASM", "false"}}));
  EXPECT_FALSE(env.config.runtime.wasm);
  auto bad = loadFromString("runtime: { wasm: yes, max_response: 10 }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "runtime.wasm", "must be true or false"));
  EXPECT_TRUE(hasError(bad, "runtime.max_response", "at least"));
}

TEST(ConfigLoader, WaitsAndTimeZone) {
  auto r = loadFromString("runtime: { max_wait: 30s, timezone: Europe/Berlin }\n", "c.yaml", noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  EXPECT_EQ(r.config.runtime.maxWait, 30s);
  EXPECT_EQ(r.config.runtime.timezone, "Europe/Berlin");
  auto env = load(std::nullopt, envOf({{"M3M_RUNTIME_TIMEZONE", "Asia/Tokyo"}}));
  EXPECT_EQ(env.config.runtime.timezone, "Asia/Tokyo");
  auto bad = loadFromString("runtime: { max_wait: 0s, timezone: Mars/Olympus_Mons }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "runtime.max_wait", "at least"));
  EXPECT_TRUE(hasError(bad, "runtime.timezone", "Mars/Olympus_Mons"));
  // Not a path into the file system either.
  EXPECT_FALSE(loadFromString("runtime: { timezone: ../../etc/passwd }\n", "c.yaml", noEnv).ok());
}

TEST(ConfigLoader, ExplicitUriIsKeptAndChecked) {
  auto r = loadFromString("server: { uri: \"https://m3m.example\" }\n", "c.yaml", noEnv);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config.server.uri, "https://m3m.example");
  auto bad = loadFromString("server: { uri: \"ftp://x\" }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "server.uri", "must start with http://"));
}

TEST(ConfigLoader, SmtpDefaultsFileAndEnvironment) {
  auto d = load(std::nullopt, noEnv);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.config.smtp.host, "");  // not configured
  EXPECT_EQ(d.config.smtp.port, 0);
  EXPECT_EQ(d.config.smtp.security, "starttls");
  EXPECT_EQ(d.config.smtp.timeout, 30s);
  EXPECT_EQ(d.config.smtp.password, "");

  auto r = loadFromString(
      "smtp: { host: smtp.example.com, port: 2525, username: mailer, password: pw, from: \"Shop <shop@example.com>\", "
      "security: tls, timeout: 5s }\n",
      "c.yaml", noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  EXPECT_EQ(r.config.smtp.host, "smtp.example.com");
  EXPECT_EQ(r.config.smtp.port, 2525);
  EXPECT_EQ(r.config.smtp.username, "mailer");
  EXPECT_EQ(r.config.smtp.password, "pw");
  EXPECT_EQ(r.config.smtp.from, "Shop <shop@example.com>");
  EXPECT_EQ(r.config.smtp.security, "tls");
  EXPECT_EQ(r.config.smtp.timeout, 5s);
  EXPECT_TRUE(r.warnings.empty()) << "every smtp key is known";

  auto env = loadFromString("smtp: { host: a.example, password: file-pw }\n", "c.yaml",
                            envOf({{"M3M_SMTP_HOST", "127.0.0.1"}, {"M3M_SMTP_PORT", "1025"}, {"M3M_SMTP_SECURITY", "none"},
                                   {"M3M_SMTP_PASSWORD", "env-pw"}, {"M3M_SMTP_TIMEOUT", "250ms"}}));
  ASSERT_TRUE(env.ok()) << ::testing::PrintToString(errorStrings(env));
  EXPECT_EQ(env.config.smtp.host, "127.0.0.1");
  EXPECT_EQ(env.config.smtp.port, 1025);
  EXPECT_EQ(env.config.smtp.security, "none");
  EXPECT_EQ(env.config.smtp.password, "env-pw");
  EXPECT_EQ(env.config.smtp.timeout, 250ms);

  auto bad = loadFromString("smtp: { security: ssl, port: 70000, timeout: soon }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "smtp.security", "must be one of starttls, tls, none"));
  EXPECT_TRUE(hasError(bad, "smtp.port", "between 0 and 65535"));
  EXPECT_TRUE(hasError(bad, "smtp.timeout", "not a duration"));
}

TEST(ConfigLoader, SmtpPasswordInProductionComesFromTheEnvironmentOrAFile) {
  const std::string secret(40, 'k');
  const std::string prod = "mode: production\njwt: { secret: " + secret + " }\n";
  // Written in the config file: refused in production, fine in development.
  auto inFile = loadFromString(prod + "smtp: { host: h.example, username: u, password: hunter2 }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(inFile, "smtp.password", "M3M_SMTP_PASSWORD"));
  for (const auto& e : inFile.errors) EXPECT_EQ(e.message.find("hunter2"), std::string::npos) << "the password is never echoed";
  EXPECT_TRUE(loadFromString("smtp: { host: h.example, password: hunter2 }\n", "c.yaml", noEnv).ok());
  // From the environment: fine.
  auto fromEnv = loadFromString(prod + "smtp: { host: h.example, username: u }\n", "c.yaml", envOf({{"M3M_SMTP_PASSWORD", "hunter2"}}));
  ASSERT_TRUE(fromEnv.ok()) << ::testing::PrintToString(errorStrings(fromEnv));
  EXPECT_EQ(fromEnv.config.smtp.password, "hunter2");
  // From a file (its first line): fine.
  const auto file = std::filesystem::temp_directory_path() / ("m3m-smtp-pw-" + std::to_string(::getpid()));
  std::ofstream(file) << "from-a-file\nignored\n";
  auto fromFile = loadFromString(prod + "smtp: { host: h.example, password_file: " + file.string() + " }\n", "c.yaml", noEnv);
  ASSERT_TRUE(fromFile.ok()) << ::testing::PrintToString(errorStrings(fromFile));
  EXPECT_EQ(fromFile.config.smtp.password, "from-a-file");
  auto both = loadFromString("smtp: { password: x, password_file: " + file.string() + " }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(both, "smtp.password_file", "not both"));
  std::filesystem::remove(file);
  auto missing = loadFromString("smtp: { password_file: /no/such/file }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(missing, "smtp.password_file", "cannot read /no/such/file"));
}

TEST(ConfigLoader, OutboundPolicyEntriesAreCheckedAtLoad) {
  auto ok = loadFromString(
      "runtime:\n  http:\n    allow: [api.telegram.org, \"*.example.com\", 203.0.113.0/24, \"::1\", \"fd00::/8\", 127.0.0.1]\n"
      "    deny: [169.254.169.254, 10.0.0.0/8]\n",
      "c.yaml", noEnv);
  EXPECT_TRUE(ok.errors.empty()) << ::testing::PrintToString(errorStrings(ok));
  EXPECT_EQ(ok.config.runtime.http.allow.size(), 6u);
  EXPECT_EQ(ok.config.runtime.http.deny.size(), 2u);

  // Every bad entry is named, under its key, with the file as its source.
  auto bad = loadFromString(
      "runtime:\n  http:\n    allow: [good.example, \"10.0.0.0/33\", \"https://api.example.com\"]\n"
      "    deny: [\"bad host\", \"\", \"fd00::/129\", \"1.2.3.4/x\"]\n",
      "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "runtime.http.allow", "entry \"10.0.0.0/33\""));
  EXPECT_TRUE(hasError(bad, "runtime.http.allow", "prefix length out of range"));
  EXPECT_TRUE(hasError(bad, "runtime.http.allow", "entry \"https://api.example.com\""));
  EXPECT_TRUE(hasError(bad, "runtime.http.deny", "entry \"bad host\""));
  EXPECT_TRUE(hasError(bad, "runtime.http.deny", "entry \"\""));
  EXPECT_TRUE(hasError(bad, "runtime.http.deny", "entry \"fd00::/129\""));
  EXPECT_TRUE(hasError(bad, "runtime.http.deny", "entry \"1.2.3.4/x\""));
  EXPECT_EQ(bad.errors.size(), 6u) << ::testing::PrintToString(errorStrings(bad));
  for (const auto& e : bad.errors) EXPECT_EQ(e.source, "c.yaml");
  EXPECT_EQ(bad.errors[0].toString(),
            "runtime.http.allow: entry \"10.0.0.0/33\" is not a host name, *.domain, address or CIDR (prefix length out of "
            "range) (c.yaml)");
}

TEST(ConfigLoader, OutboundPolicyEntriesFromTheEnvironmentNameTheVariable) {
  auto r = load(std::nullopt, envOf({{"M3M_RUNTIME_HTTP_DENY", "ok.example,under_score.example"}}));
  ASSERT_EQ(r.errors.size(), 1u) << ::testing::PrintToString(errorStrings(r));
  EXPECT_EQ(r.errors[0].path, "runtime.http.deny");
  EXPECT_NE(r.errors[0].message.find("\"under_score.example\""), std::string::npos) << r.errors[0].message;
  EXPECT_EQ(r.errors[0].source, "env M3M_RUNTIME_HTTP_DENY");

  auto ok = load(std::nullopt, envOf({{"M3M_RUNTIME_HTTP_ALLOW", "api.telegram.org,192.168.0.0/16"}}));
  EXPECT_TRUE(ok.errors.empty()) << ::testing::PrintToString(errorStrings(ok));
  EXPECT_EQ(ok.config.runtime.http.allow, (std::vector<std::string>{"api.telegram.org", "192.168.0.0/16"}));
}

TEST(ConfigLoader, CaFilesMustBeReadable) {
  const auto dir = std::filesystem::temp_directory_path() / ("m3m-ca-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto pem = (dir / "ca.pem").string();
  std::ofstream(pem) << "-----BEGIN CERTIFICATE-----\n";
  auto ok = load(std::nullopt, envOf({{"M3M_SMTP_CA_FILE", pem}, {"M3M_RUNTIME_HTTP_CA_FILE", pem}}));
  EXPECT_TRUE(ok.errors.empty()) << ::testing::PrintToString(errorStrings(ok));
  EXPECT_EQ(ok.config.smtp.caFile, pem);
  EXPECT_EQ(ok.config.runtime.http.caFile, pem);
  EXPECT_EQ(load(std::nullopt, noEnv).config.smtp.caFile, "");

  const auto missing = (dir / "missing.pem").string();
  auto bad = loadFromString("smtp: { ca_file: \"" + missing + "\" }\nruntime: { http: { ca_file: \"" + missing + "\" } }\n",
                            "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "smtp.ca_file", "cannot read " + missing));
  EXPECT_TRUE(hasError(bad, "runtime.http.ca_file", "cannot read " + missing));
  EXPECT_EQ(bad.errors.size(), 2u) << ::testing::PrintToString(errorStrings(bad));
  std::filesystem::remove_all(dir);
}

TEST(ConfigLoader, MetricsTokenAndAllow) {
  auto ok = loadFromString("metrics: { token: abc, allow: [\"10.0.0.0/8\", \"::1\"] }\n", "c.yaml", noEnv);
  EXPECT_TRUE(ok.errors.empty()) << ::testing::PrintToString(errorStrings(ok));
  EXPECT_EQ(ok.config.metrics.token, "abc");
  EXPECT_EQ(ok.config.metrics.allow, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  auto off = loadFromString("", "c.yaml", noEnv);
  EXPECT_TRUE(off.config.metrics.token.empty());
  EXPECT_TRUE(off.config.metrics.allow.empty());
  auto bad = loadFromString("metrics: { allow: [\"10.0.0.0/99\"] }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "metrics.allow", "\"10.0.0.0/99\" has a bad prefix length"))
      << ::testing::PrintToString(errorStrings(bad));
  auto host = loadFromString("metrics: { allow: [prometheus.local] }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(host, "metrics.allow", "\"prometheus.local\" is not an address or a CIDR"));
}

TEST(ConfigLoader, ClusterKeys) {
  auto d = loadFromString("", "c.yaml", noEnv);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.config.cluster.nodeId, "") << "empty = hostname:port, decided once listening";
  EXPECT_EQ(d.config.cluster.advertiseUrl, "");
  EXPECT_EQ(d.config.cluster.leaseTtl, 15s);
  EXPECT_EQ(d.config.cluster.heartbeat, 3s);
  auto r = loadFromString(
      "cluster: { node_id: n1, advertise_url: 'http://10.0.0.5:3000', lease_ttl: 9s, heartbeat: 1s }\n", "c.yaml", noEnv);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(errorStrings(r));
  EXPECT_EQ(r.config.cluster.nodeId, "n1");
  EXPECT_EQ(r.config.cluster.advertiseUrl, "http://10.0.0.5:3000");
  EXPECT_EQ(r.config.cluster.leaseTtl, 9s);
  EXPECT_EQ(r.config.cluster.heartbeat, 1s);
  auto bad = loadFromString("cluster: { advertise_url: 'ftp://x', lease_ttl: 5s, heartbeat: 2s }\n", "c.yaml", noEnv);
  EXPECT_TRUE(hasError(bad, "cluster.advertise_url", "must start with http://"));
  EXPECT_TRUE(hasError(bad, "cluster.lease_ttl", "at least 3 × cluster.heartbeat"));
  EXPECT_EQ(bad.errors.size(), 2u) << ::testing::PrintToString(errorStrings(bad));
}
