#include "metrics/metrics.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <openssl/crypto.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "metrics/catalog.hpp"
#include "metrics/openmetrics.hpp"

namespace m3m::metrics {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// ---- access ---------------------------------------------------------------

struct AccessPolicy::Cidr {
  std::array<std::uint8_t, 16> bytes{};
  int bits = 0;
  bool v4 = false;
};

namespace {

// An address as 16 bytes (IPv4 in the first 4); IPv4-mapped IPv6 counts as IPv4.
bool parseAddress(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
  std::string s(text);
  out.fill(0);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    v4 = true;
    return true;
  }
  std::array<std::uint8_t, 16> six{};
  if (inet_pton(AF_INET6, s.c_str(), six.data()) != 1) return false;
  static constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), six.begin())) {
    std::copy(six.begin() + 12, six.end(), out.begin());
    v4 = true;
    return true;
  }
  out = six;
  v4 = false;
  return true;
}

// The address of "address:port", as the server writes a peer ("1.2.3.4:80",
// "::1:80", also "[::1]:80"); an IPv4 address without a port stays whole.
std::string_view hostOf(std::string_view remote) {
  if (!remote.empty() && remote.front() == '[') {
    auto end = remote.find(']');
    return end == std::string_view::npos ? remote.substr(1) : remote.substr(1, end - 1);
  }
  auto colon = remote.rfind(':');
  return colon == std::string_view::npos ? remote : remote.substr(0, colon);
}

}  // namespace

AccessPolicy::AccessPolicy(AccessOptions options) : token_(std::move(options.token)) {
  for (const auto& entry : options.allow) {
    std::string_view text = entry;
    Cidr c;
    auto slash = text.find('/');
    if (!parseAddress(text.substr(0, slash), c.bytes, c.v4))
      throw std::invalid_argument("metrics.allow: \"" + entry + "\" is not an address or a CIDR");
    const int max = c.v4 ? 32 : 128;
    c.bits = max;
    if (slash != std::string_view::npos) {
      auto bits = text.substr(slash + 1);
      auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), c.bits);
      if (ec != std::errc() || p != bits.data() + bits.size() || c.bits < 0 || c.bits > max)
        throw std::invalid_argument("metrics.allow: \"" + entry + "\" has a bad prefix length");
    }
    cidrs_.push_back(c);
  }
}

AccessPolicy::~AccessPolicy() = default;
AccessPolicy::AccessPolicy(AccessPolicy&&) noexcept = default;

Access AccessPolicy::check(std::string_view authorization, std::string_view remote) const {
  if (!enabled()) return Access::Off;
  if (!cidrs_.empty()) {
    std::array<std::uint8_t, 16> address{};
    bool v4 = false;
    if (!parseAddress(hostOf(remote), address, v4)) return Access::Forbidden;
    bool inside = false;
    for (const auto& c : cidrs_) {
      if (c.v4 != v4) continue;
      int bits = c.bits;
      bool same = true;
      for (std::size_t i = 0; bits > 0 && same; ++i, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        same = (address[i] & mask) == (c.bytes[i] & mask);
      }
      if (same) {
        inside = true;
        break;
      }
    }
    if (!inside) return Access::Forbidden;
  }
  if (!token_.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() < kBearer.size()) return Access::NoToken;
    std::string scheme(authorization.substr(0, kBearer.size()));
    for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto given = authorization.substr(kBearer.size());
    if (scheme != "bearer " || given.size() != token_.size() ||
        CRYPTO_memcmp(given.data(), token_.data(), token_.size()) != 0)
      return Access::NoToken;
  }
  return Access::Allowed;
}

// ---- families -------------------------------------------------------------

namespace {

void addValue(MetricFamily& f, double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) m.counter.value = value;
  else m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

}  // namespace

namespace {

void addHistogram(MetricFamily& f, const lib::HistogramSnapshot& h) {
  ClientMetric m;
  for (std::size_t i = 0; i < h.bounds.size(); ++i) m.histogram.bucket.push_back({h.cumulative.at(i), h.bounds[i]});
  m.histogram.bucket.push_back({h.count, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  f.metric.push_back(std::move(m));
}

}  // namespace

void collectProjects(const std::vector<ProjectSample>& projects, std::vector<MetricFamily>& out) {
  namespace fam = family;
  auto count = make(fam::projectsRunning);
  auto state = make(fam::projectState);
  auto calls = make(fam::projectRouteCalls);
  auto routeErrors = make(fam::projectRouteErrors);
  auto cpu = make(fam::projectJsCpu);
  auto waits = make(fam::projectWaits);
  auto waitSeconds = make(fam::projectWaitSeconds);
  auto heap = make(fam::projectHeapUsed);
  auto heapLimit = make(fam::projectHeapLimit);
  auto queued = make(fam::projectQueuedRequests);
  auto tasks = make(fam::projectTasks);
  auto tasksFailed = make(fam::projectTasksFailed);
  auto threads = make(fam::projectThreads);
  auto waiting = make(fam::projectWaitingThreads);
  auto httpReq = make(fam::projectOutboundRequests);
  auto httpErr = make(fam::projectOutboundErrors);
  auto runs = make(fam::projectScheduleRuns);
  auto skipped = make(fam::projectScheduleSkips);
  auto errors = make(fam::projectScheduleErrors);
  auto goals = make(fam::projectGoalIncrements);
  auto restarts = make(fam::projectRestarts);
  for (const auto& p : projects) {
    std::vector<ClientMetric::Label> l = {{"project", p.slug}};
    addValue(state, 1, {{"project", p.slug}, {"state", p.state}});
    addValue(calls, static_cast<double>(p.calls), l);
    addValue(routeErrors, static_cast<double>(p.errors), l);
    addValue(cpu, p.jsCpuSeconds, l);
    addValue(waits, static_cast<double>(p.waits), l);
    addValue(waitSeconds, p.waitSeconds, l);
    addValue(heap, static_cast<double>(p.heapUsed), l);
    addValue(heapLimit, static_cast<double>(p.heapLimit), l);
    addValue(queued, static_cast<double>(p.queuedRequests), l);
    addValue(tasks, static_cast<double>(p.tasksRunning), {{"project", p.slug}, {"state", "running"}});
    addValue(tasks, static_cast<double>(p.tasksQueued), {{"project", p.slug}, {"state", "queued"}});
    addValue(tasksFailed, static_cast<double>(p.tasksFailed), l);
    addValue(threads, static_cast<double>(p.threads), l);
    addValue(waiting, static_cast<double>(p.waiting), l);
    addValue(httpReq, static_cast<double>(p.httpRequests), l);
    addValue(httpErr, static_cast<double>(p.httpErrors), l);
    addValue(runs, static_cast<double>(p.scheduleRuns), l);
    addValue(skipped, static_cast<double>(p.scheduleSkipped), l);
    addValue(errors, static_cast<double>(p.scheduleErrors), l);
    addValue(goals, static_cast<double>(p.goalIncrements), l);
    addValue(restarts, static_cast<double>(p.restarts), l);
  }
  addValue(count, static_cast<double>(projects.size()));
  for (auto* f : {&count, &state, &calls, &routeErrors, &cpu, &waits, &waitSeconds, &heap, &heapLimit, &queued, &tasks,
                  &tasksFailed, &threads, &waiting, &httpReq, &httpErr, &runs, &skipped, &errors, &goals, &restarts})
    out.push_back(std::move(*f));
}

void collectStore(const StoreSample& s, std::vector<MetricFamily>& out) {
  auto queries = make(family::storeQueries);
  addValue(queries, static_cast<double>(s.reads), {{"kind", "read"}});
  addValue(queries, static_cast<double>(s.writes), {{"kind", "write"}});
  auto batches = make(family::storeWriteBatchSize);
  addHistogram(batches, s.batchSizes);
  auto commits = make(family::storeCommitDuration);
  addHistogram(commits, s.commitSeconds);
  auto wal = make(family::storeWalBytes);
  addValue(wal, static_cast<double>(s.walBytes));
  auto checkpoints = make(family::storeCheckpoints);
  addValue(checkpoints, static_cast<double>(s.checkpoints));
  auto seconds = make(family::storeCheckpointSeconds);
  addValue(seconds, s.checkpointSeconds);
  auto locked = make(family::storeCheckpointLockedSeconds);
  addValue(locked, s.checkpointLockedSeconds);
  for (auto* f : {&queries, &batches, &commits, &wal, &checkpoints, &seconds, &locked}) out.push_back(std::move(*f));
}

void collectProcess(std::vector<MetricFamily>& out) {
  const long page = sysconf(_SC_PAGESIZE);
  const long ticks = sysconf(_SC_CLK_TCK);
  double rss = 0, cpu = 0, threads = 0;
  if (std::ifstream statm("/proc/self/statm"); statm) {
    std::uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    rss = static_cast<double>(resident) * static_cast<double>(page);
  }
  if (std::ifstream statFile("/proc/self/stat"); statFile) {
    std::string stat((std::istreambuf_iterator<char>(statFile)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');  // the command name may hold spaces
    if (close != std::string::npos) {
      std::istringstream rest(stat.substr(close + 2));
      std::vector<std::string> f;
      for (std::string w; rest >> w;) f.push_back(w);
      // rest starts at field 3 (state): utime is field 14, stime 15, num_threads 20
      if (f.size() > 17) {
        cpu = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(ticks);
        threads = std::stod(f[17]);
      }
    }
  }
  double fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (auto* e = readdir(d))
      if (e->d_name[0] != '.') ++fds;
    closedir(d);
    fds -= 1;  // the directory's own
  }
  auto f1 = make(family::processResidentMemory);
  addValue(f1, rss);
  auto f2 = make(family::processCpu);
  addValue(f2, cpu);
  auto f3 = make(family::processOpenFds);
  addValue(f3, fds);
  auto f4 = make(family::processThreads);
  addValue(f4, threads);
  out.push_back(std::move(f1));
  out.push_back(std::move(f2));
  out.push_back(std::move(f3));
  out.push_back(std::move(f4));
}

// ---- exporter -------------------------------------------------------------

Metrics::Metrics(std::string version) : version_(std::move(version)) {}

std::vector<MetricFamily> Metrics::collect() const {
  auto out = http_->collect();
  if (projects_) collectProjects(projects_(), out);
  if (store_) collectStore(store_(), out);
  collectProcess(out);
  auto uptime = make(family::uptime);
  addValue(uptime, std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  out.push_back(std::move(uptime));
  auto build = make(family::buildInfo);
  addValue(build, 1, {{"version", version_}});
  out.push_back(std::move(build));
  return out;
}

std::string Metrics::render(bool openMetrics) const {
  if (openMetrics) return serializeOpenMetrics(collect());
  return prometheus::TextSerializer().Serialize(collect());
}

}  // namespace m3m::metrics
