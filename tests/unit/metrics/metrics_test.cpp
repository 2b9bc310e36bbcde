#include "metrics/metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <thread>

using namespace m3m::metrics;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

const MetricFamily& familyOf(const std::vector<MetricFamily>& all, const std::string& name) {
  auto it = std::find_if(all.begin(), all.end(), [&](const MetricFamily& f) { return f.name == name; });
  if (it == all.end()) throw std::runtime_error("no family " + name);
  return *it;
}

std::map<std::string, std::string> labelsOf(const prometheus::ClientMetric& m) {
  std::map<std::string, std::string> out;
  for (const auto& l : m.label) out[l.name] = l.value;
  return out;
}

// A sample with the figures of the positional order (slug, state, heapUsed,
// calls, errors, tasks running/queued/failed, threads, waiting, outbound
// requests/errors, schedule runs/skips/errors).
ProjectSample sampleOf(std::string slug, std::string state, std::vector<std::uint64_t> v) {
  v.resize(13);
  ProjectSample p;
  p.slug = std::move(slug);
  p.state = std::move(state);
  p.heapUsed = v[0];
  p.calls = v[1];
  p.errors = v[2];
  p.tasksRunning = v[3];
  p.tasksQueued = v[4];
  p.tasksFailed = v[5];
  p.threads = v[6];
  p.waiting = v[7];
  p.httpRequests = v[8];
  p.httpErrors = v[9];
  p.scheduleRuns = v[10];
  p.scheduleSkipped = v[11];
  p.scheduleErrors = v[12];
  return p;
}

std::set<std::string> labelNames(const MetricFamily& f) {
  std::set<std::string> out;
  for (const auto& m : f.metric)
    for (const auto& l : m.label) out.insert(l.name);
  return out;
}

}  // namespace

TEST(HttpMetrics, FamiliesNamesTypesAndLabels) {
  HttpMetrics h;
  h.started();
  h.finished("/api/projects/:id", "GET", 404, 10, 0.003);
  auto all = h.collect();
  const auto& req = familyOf(all, "m3m_http_requests_total");
  EXPECT_EQ(req.type, MetricType::Counter);
  EXPECT_EQ(labelNames(req), (std::set<std::string>{"route", "method", "status"}));
  const auto& dur = familyOf(all, "m3m_http_request_duration_seconds");
  EXPECT_EQ(dur.type, MetricType::Histogram);
  EXPECT_EQ(labelNames(dur), (std::set<std::string>{"route", "method"}));
  EXPECT_EQ(familyOf(all, "m3m_http_response_bytes_total").type, MetricType::Counter);
  EXPECT_EQ(familyOf(all, "m3m_http_requests_in_flight").type, MetricType::Gauge);
  for (const auto& f : all) EXPECT_FALSE(f.help.empty()) << f.name;
}

TEST(HttpMetrics, CountsByRouteMethodAndStatusClass) {
  HttpMetrics h;
  for (int status : {200, 201, 404, 500, 503}) {
    h.started();
    h.finished("/api/x", "POST", status, 5, 0.0001);
  }
  h.started();
  h.finished("/api/x", "BREW", 200, 0, 0.0001);  // an unknown method is "other"
  h.started();
  EXPECT_EQ(h.inFlight(), 1);
  auto all = h.collect();
  std::map<std::string, double> byStatus;
  for (const auto& m : familyOf(all, "m3m_http_requests_total").metric) {
    auto l = labelsOf(m);
    EXPECT_EQ(l["route"], "/api/x");
    byStatus[l["method"] + " " + l["status"]] += m.counter.value;
  }
  EXPECT_EQ(byStatus, (std::map<std::string, double>{{"POST 2xx", 2}, {"POST 4xx", 1}, {"POST 5xx", 2}, {"other 2xx", 1}}));
  EXPECT_EQ(familyOf(all, "m3m_http_requests_in_flight").metric.at(0).gauge.value, 1);
  const auto& bytes = familyOf(all, "m3m_http_response_bytes_total");
  double total = 0;
  for (const auto& m : bytes.metric) total += m.counter.value;
  EXPECT_EQ(total, 25);
}

TEST(HttpMetrics, HistogramBucketsAreCumulativeWithInf) {
  HttpMetrics h;
  for (double s : {0.0005, 0.004, 0.004, 0.3, 20.0}) {
    h.started();
    h.finished("/r/:slug/*", "GET", 200, 0, s);
  }
  auto all = h.collect();
  const auto& dur = familyOf(all, "m3m_http_request_duration_seconds");
  ASSERT_EQ(dur.metric.size(), 1u);
  const auto& hist = dur.metric[0].histogram;
  ASSERT_EQ(hist.bucket.size(), kLatencyBuckets.size() + 1);
  EXPECT_EQ(hist.sample_count, 5u);
  EXPECT_NEAR(hist.sample_sum, 20.3085, 1e-6);
  EXPECT_EQ(hist.bucket[0].cumulative_count, 1u);                       // ≤ 1 ms
  EXPECT_EQ(hist.bucket[2].cumulative_count, 3u);                       // ≤ 5 ms
  EXPECT_EQ(hist.bucket[kLatencyBuckets.size() - 1].cumulative_count, 4u);  // ≤ 10 s
  EXPECT_TRUE(std::isinf(hist.bucket.back().upper_bound));
  EXPECT_EQ(hist.bucket.back().cumulative_count, 5u);
}

TEST(HttpMetrics, RoutesAreBounded) {
  HttpMetrics h;
  for (std::size_t i = 0; i < kMaxRoutes + 50; ++i) {
    h.started();
    h.finished("/route/" + std::to_string(i), "GET", 200, 0, 0.001);
  }
  auto all = h.collect();
  std::set<std::string> routes;
  double other = 0;
  for (const auto& m : familyOf(all, "m3m_http_requests_total").metric) {
    auto r = labelsOf(m)["route"];
    routes.insert(r);
    if (r == "(other)") other += m.counter.value;
  }
  EXPECT_EQ(routes.size(), kMaxRoutes + 1);
  EXPECT_EQ(other, 50);
}

TEST(HttpMetrics, ConcurrentUpdatesLoseNothing) {
  HttpMetrics h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 2000; ++i) {
        h.started();
        h.finished("/r" + std::to_string(i % 7), t % 2 ? "GET" : "POST", 200, 1, 0.001);
      }
    });
  for (auto& t : threads) t.join();
  double total = 0;
  const auto all = h.collect();
  for (const auto& m : familyOf(all, "m3m_http_requests_total").metric) total += m.counter.value;
  EXPECT_EQ(total, 8000);
  EXPECT_EQ(h.inFlight(), 0);
}

TEST(Metrics, ProjectFamiliesFollowTheSource) {
  std::vector<ProjectSample> running = {sampleOf("shop", "running", {1000, 7, 3, 1, 2, 3, 4, 1, 9, 2, 5, 1, 0})};
  Metrics m("1.2.3");
  m.setProjectSource([&] { return running; });
  auto all = m.collect();
  const auto& calls = familyOf(all, "m3m_project_route_calls_total");
  EXPECT_EQ(calls.type, MetricType::Counter);
  ASSERT_EQ(calls.metric.size(), 1u);
  EXPECT_EQ(labelsOf(calls.metric[0]), (std::map<std::string, std::string>{{"project", "shop"}}));
  EXPECT_EQ(calls.metric[0].counter.value, 7);
  EXPECT_EQ(familyOf(all, "m3m_project_route_errors_total").metric.at(0).counter.value, 3);
  EXPECT_EQ(familyOf(all, "m3m_project_heap_used_bytes").metric.at(0).gauge.value, 1000);
  EXPECT_EQ(labelsOf(familyOf(all, "m3m_project_state").metric.at(0)),
            (std::map<std::string, std::string>{{"project", "shop"}, {"state", "running"}}));
  EXPECT_EQ(familyOf(all, "m3m_project_tasks").metric.size(), 2u);
  EXPECT_EQ(familyOf(all, "m3m_project_outbound_http_requests_total").metric.at(0).counter.value, 9);
  EXPECT_EQ(familyOf(all, "m3m_project_outbound_http_errors_total").metric.at(0).counter.value, 2);
  EXPECT_EQ(familyOf(all, "m3m_project_schedule_runs_total").metric.at(0).counter.value, 5);
  EXPECT_EQ(familyOf(all, "m3m_projects_running").metric.at(0).gauge.value, 1);
  EXPECT_EQ(labelsOf(familyOf(all, "m3m_build_info").metric.at(0)),
            (std::map<std::string, std::string>{{"version", "1.2.3"}}));
  for (auto name : {"process_resident_memory_bytes", "process_open_fds", "process_threads", "process_cpu_seconds_total"})
    EXPECT_GT(familyOf(all, name).metric.at(0).gauge.value + familyOf(all, name).metric.at(0).counter.value, 0) << name;

  running.clear();  // stopped or deleted: its series are gone
  all = m.collect();
  EXPECT_TRUE(familyOf(all, "m3m_project_route_calls_total").metric.empty());
  EXPECT_EQ(familyOf(all, "m3m_projects_running").metric.at(0).gauge.value, 0);
}

TEST(Metrics, RenderIsPrometheusText) {
  Metrics m("0.1.0");
  m.http()->started();
  m.http()->finished("/api/ping", "GET", 200, 11, 0.002);
  auto text = m.render();
  EXPECT_NE(text.find("# TYPE m3m_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("m3m_http_requests_total{route=\"/api/ping\",method=\"GET\",status=\"2xx\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("m3m_http_request_duration_seconds_bucket{route=\"/api/ping\",method=\"GET\",le=\"+Inf\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("m3m_build_info{version=\"0.1.0\"} 1"), std::string::npos);
}

TEST(AccessPolicy, OffTokenAndCidrs) {
  EXPECT_EQ(AccessPolicy({}).check("", "127.0.0.1:5000"), Access::Off);

  AccessPolicy token({"s3cret", {}});
  EXPECT_EQ(token.check("", "127.0.0.1:1"), Access::NoToken);
  EXPECT_EQ(token.check("Bearer s3cre", "127.0.0.1:1"), Access::NoToken);
  EXPECT_EQ(token.check("Bearer s3cretx", "127.0.0.1:1"), Access::NoToken);
  EXPECT_EQ(token.check("Basic s3cret", "127.0.0.1:1"), Access::NoToken);
  EXPECT_EQ(token.check("Bearer s3cret", "127.0.0.1:1"), Access::Allowed);
  EXPECT_EQ(token.check("bearer s3cret", "10.1.1.1:1"), Access::Allowed);

  AccessPolicy cidrs({"", {"10.0.0.0/8", "192.168.1.7", "fd00::/8"}});
  EXPECT_EQ(cidrs.check("", "10.200.3.4:9100"), Access::Allowed);
  EXPECT_EQ(cidrs.check("", "11.0.0.1:9100"), Access::Forbidden);
  EXPECT_EQ(cidrs.check("", "192.168.1.7:1"), Access::Allowed);
  EXPECT_EQ(cidrs.check("", "192.168.1.8:1"), Access::Forbidden);
  EXPECT_EQ(cidrs.check("", "fd12::1:443"), Access::Allowed);  // "address:port" as the server writes v6
  EXPECT_EQ(cidrs.check("", "[fd12::1]:443"), Access::Allowed);
  EXPECT_EQ(cidrs.check("", "fe80::1:443"), Access::Forbidden);
  EXPECT_EQ(AccessPolicy({"", {"::1"}}).check("", "::1:5555"), Access::Allowed);  // the last ":…" is the port
  EXPECT_EQ(cidrs.check("", "::ffff:10.0.0.1:80"), Access::Allowed);  // IPv4-mapped
  EXPECT_EQ(cidrs.check("", "garbage"), Access::Forbidden);

  AccessPolicy both({"t", {"127.0.0.0/8"}});
  EXPECT_EQ(both.check("Bearer t", "10.0.0.1:1"), Access::Forbidden);
  EXPECT_EQ(both.check("", "127.0.0.1:1"), Access::NoToken);
  EXPECT_EQ(both.check("Bearer t", "127.0.0.1:1"), Access::Allowed);

  EXPECT_THROW(AccessPolicy({"", {"10.0.0.0/33"}}), std::invalid_argument);
  EXPECT_THROW(AccessPolicy({"", {"example.com"}}), std::invalid_argument);
  EXPECT_THROW(AccessPolicy({"", {"10.0.0.0/"}}), std::invalid_argument);
}
