// The MongoDB server of the C++ tests: $M3M_TEST_MONGODB_URI when set (a
// real MongoDB), otherwise FerretDB (tests/ferretdb, built into
// .deps/bin/m3m-ferretdb by scripts/install-deps.sh) started once per test
// binary on a free port with a temporary directory, stopped at exit. Tests
// use the database `m3m_testing_database`, emptied before each test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "temp_dir.hpp"

extern char** environ;

namespace m3m::testing {

inline int freePort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

inline bool canConnect(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

class FerretDbProcess {
 public:
  FerretDbProcess() {
    const char* bin = std::getenv("M3M_FERRETDB");
    const std::string path = bin && *bin ? bin : M3M_SOURCE_DIR "/.deps/bin/m3m-ferretdb";
    if (!std::filesystem::exists(path))
      throw std::runtime_error(path + " is missing: run scripts/install-deps.sh (it builds tests/ferretdb)");
    port_ = freePort();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    const std::string dir = dir_.file("ferretdb");
    const char* argv[] = {path.c_str(), "-listen", listen.c_str(), "-dir", dir.c_str(), "-log-level", "error", nullptr};
    if (posix_spawn(&pid_, path.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
      throw std::runtime_error("cannot start " + path);
    for (int i = 0; i < 200 && !canConnect(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!canConnect(port_)) throw std::runtime_error("FerretDB did not listen on " + listen + " within 10 s");
  }
  ~FerretDbProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string uri() const { return "mongodb://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  TempDir dir_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// mongodb.* for a test store (the server starts on first use).
inline config::MongoConfig testMongoConfig() {
  config::MongoConfig c;
  c.database = "m3m_testing_database";
  c.connectTimeout = std::chrono::milliseconds(10'000);
  if (const char* uri = std::getenv("M3M_TEST_MONGODB_URI"); uri && *uri) {
    c.uri = uri;
    return c;
  }
  static FerretDbProcess server;
  c.uri = server.uri();
  return c;
}

}  // namespace m3m::testing
