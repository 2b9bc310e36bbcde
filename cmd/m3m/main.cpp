// m3m command line: serve (default), version, config check, new-admin, metrics dashboard.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <m3m/error.hpp>
#include <m3m/version.hpp>
#include <thread>

#include <dlfcn.h>

#include "app/app.hpp"
#include "config/loader.hpp"
#include "log/logging.hpp"
#include "metrics/dashboard.hpp"

namespace {

constexpr int EXIT_CONFIG = 2;

std::optional<std::string> configPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("M3M_CONFIG"); env && *env) return std::string(env);
  return std::nullopt;
}

void printDiagnostics(const m3m::config::LoadResult& r) {
  for (const auto& w : r.warnings) std::cerr << "warning: " << w.toString() << "\n";
  for (const auto& e : r.errors) std::cerr << "error: " << e.toString() << "\n";
}

int configCheck(const std::string& flag) {
  auto path = configPath(flag);
  auto result = m3m::config::load(path);
  printDiagnostics(result);
  if (!result.ok()) {
    std::cerr << result.errors.size() << " error(s) in " << (path ? *path : "the defaults + environment") << "\n";
    return EXIT_CONFIG;
  }
  std::cout << "config OK: " << (path ? *path : "(no file: defaults + environment)") << ", mode "
            << m3m::config::modeName(result.config.mode) << "\n";
  return 0;
}

int newAdmin(const std::string& flag, const std::string& email, const std::string& password) {
  auto result = m3m::config::load(configPath(flag));
  printDiagnostics(result);
  if (!result.ok()) return EXIT_CONFIG;
  return m3m::app::createRootAdmin(result.config, email, password, std::cout, std::cerr);
}

int serve(const std::string& flag) {
  // Block the stop signals in every thread (threads inherit the mask); the
  // main thread then waits for them synchronously.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto path = configPath(flag);
  auto result = m3m::config::load(path);
  printDiagnostics(result);
  if (!result.ok()) {
    std::cerr << "m3m: refusing to start with an invalid configuration (" << result.errors.size()
              << " error(s)); `m3m config check` lists them\n";
    return EXIT_CONFIG;
  }
  std::shared_ptr<spdlog::logger> log;
  try {
    log = m3m::log::makeServerLogger(result.config.logging);
    m3m::log::flushOnFatalSignals();
  } catch (const m3m::Error& e) {
    std::cerr << "m3m: " << e.what() << "\n";
    return 1;
  }
  m3m::app::App app(std::move(result.config), log);
  try {
    app.start();
  } catch (const m3m::Error& e) {
    log->critical("cannot start: {}", e.what());
    app.shutdown();
    return 1;
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    app.shutdown();
    return 1;
  }

  int sig = 0;
  sigwait(&stopSignals, &sig);
  log->info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  // A second signal while draining forces an immediate exit.
  std::thread([stopSignals]() mutable {
    int again = 0;
    sigwait(&stopSignals, &again);
    std::fprintf(stderr, "m3m: second stop signal, exiting immediately\n");
    std::_Exit(130);
  }).detach();
  app.shutdown();
  log->info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"m3m — a self-hosted platform for small JavaScript services"};
  cli.require_subcommand(0, 1);

  std::string serveConfig;
  auto* serveCmd = cli.add_subcommand("serve", "Run the server (the default command)");
  serveCmd->add_option("-c,--config", serveConfig, "YAML config file (or env M3M_CONFIG)");

  auto* versionCmd = cli.add_subcommand("version", "Print the version");

  std::string checkConfig;
  auto* configCmd = cli.add_subcommand("config", "Configuration tools");
  configCmd->require_subcommand(1);
  auto* checkCmd = configCmd->add_subcommand("check", "Validate the configuration and print every error with its path");
  checkCmd->add_option("-c,--config", checkConfig, "YAML config file (or env M3M_CONFIG)");

  std::string adminEmail, adminPassword, adminConfig;
  auto* adminCmd = cli.add_subcommand("new-admin", "Create the root administrator (the first admin)");
  adminCmd->add_option("email", adminEmail, "Email of the administrator")->required();
  adminCmd->add_option("password", adminPassword, "Password (at least 8 characters)")->required();
  adminCmd->add_option("-c,--config", adminConfig, "YAML config file (or env M3M_CONFIG)");

  auto* metricsCmd = cli.add_subcommand("metrics", "Metrics tools");
  metricsCmd->require_subcommand(1);
  auto* dashboardCmd = metricsCmd->add_subcommand(
      "dashboard", "Print the Grafana dashboard of the server's metrics (JSON; deploy/grafana/m3m.json)");

  // `m3m --config f` without a subcommand behaves like `m3m serve --config f`.
  std::string rootConfig;
  cli.add_option("-c,--config", rootConfig, "YAML config file for the default serve command");

  CLI11_PARSE(cli, argc, argv);

  if (versionCmd->parsed()) {
    std::cout << "m3m " << m3m::VERSION << "\n";
    // What actually serves malloc in this process (CMakeLists.txt, M3M_ALLOCATOR).
    std::cout << "allocator: " << (dlsym(RTLD_DEFAULT, "tc_version") ? "tcmalloc" : "system malloc") << "\n";
    return 0;
  }
  if (dashboardCmd->parsed()) {
    std::cout << m3m::metrics::dashboardJson();
    return 0;
  }
  if (adminCmd->parsed()) return newAdmin(adminConfig.empty() ? rootConfig : adminConfig, adminEmail, adminPassword);
  if (checkCmd->parsed()) return configCheck(checkConfig.empty() ? rootConfig : checkConfig);
  return serve(serveConfig.empty() ? rootConfig : serveConfig);
}
