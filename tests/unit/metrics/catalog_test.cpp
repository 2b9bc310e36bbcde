// The catalog is the one declaration of every family: these tests are driven
// off it (names, help, types, labels, units), and check that the exporter, the
// OpenMetrics serializer and the dashboard follow it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "metrics/catalog.hpp"
#include "metrics/dashboard.hpp"
#include "metrics/metrics.hpp"
#include "metrics/openmetrics.hpp"

using namespace m3m::metrics;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

// A Metrics whose every family has at least one sample.
std::unique_ptr<Metrics> fullMetrics() {
  auto m = std::make_unique<Metrics>("9.9.9");
  m->http()->started();
  m->http()->finished("/api/x", "GET", 200, 3, 0.002);
  m->setProjectSource([] {
    ProjectSample p;
    p.slug = "shop";
    p.state = "running";
    p.heapUsed = 1000;
    p.calls = 7;
    p.jsCpuSeconds = 0.25;
    p.waits = 4;
    p.waitSeconds = 1.5;
    p.heapLimit = 128u << 20;
    p.queuedRequests = 2;
    p.goalIncrements = 6;
    p.restarts = 1;
    return std::vector<ProjectSample>{p};
  });
  m->setStoreSource([] {
    StoreSample s;
    s.reads = 10;
    s.writes = 5;
    s.batchSizes = {{1, 2, 4}, {3, 4, 4}, 5, 9};
    s.commitSeconds = {{0.001, 0.01}, {2, 5}, 5, 0.02};
    s.walBytes = 4096;
    s.checkpoints = 2;
    s.checkpointSeconds = 0.5;
    s.checkpointLockedSeconds = 0.01;
    return s;
  });
  return m;
}

std::set<std::string> labelNames(const prometheus::ClientMetric& m) {
  std::set<std::string> out;
  for (const auto& l : m.label) out.insert(l.name);
  return out;
}

}  // namespace

class EveryFamily : public ::testing::TestWithParam<const FamilyDef*> {};

TEST_P(EveryFamily, IsWellFormed) {
  const auto& d = *GetParam();
  static const std::regex nameRe("[a-zA-Z_:][a-zA-Z0-9_:]*");
  EXPECT_TRUE(std::regex_match(std::string(d.name), nameRe));
  EXPECT_FALSE(d.help.empty());
  EXPECT_EQ(d.type == MetricType::Counter, d.name.ends_with("_total")) << "counters, and only they, end in _total";
  if (d.type == MetricType::Histogram) {
    EXPECT_FALSE(d.name.ends_with("_bucket") || d.name.ends_with("_count"));
  }
  if (!d.unit.empty()) {
    auto base = d.name;
    if (base.ends_with("_total")) base.remove_suffix(6);
    EXPECT_TRUE(base.ends_with("_" + std::string(d.unit))) << "OpenMetrics: the name ends with its unit";
  }
  std::set<std::string_view> labels(d.labels.begin(), d.labels.end());
  EXPECT_EQ(labels.size(), d.labels.size()) << "no label twice";
  EXPECT_FALSE(labels.contains("le"));
  if (d.row == Row::Projects && d.name != family::projectsRunning.name) {
    EXPECT_EQ(d.labels.at(0), "project") << "project families are labelled by project first";
  }
  // The panel's "by" labels are labels of the family.
  std::string_view by = d.by;
  while (!by.empty()) {
    auto comma = by.find(',');
    EXPECT_TRUE(labels.contains(by.substr(0, comma))) << by;
    by = comma == std::string_view::npos ? std::string_view() : by.substr(comma + 1);
  }
  if (d.panel != Panel::None) {
    EXPECT_FALSE(d.title.empty());
  }
  if (d.panel == Panel::Quantiles) {
    EXPECT_EQ(d.type, MetricType::Histogram);
  }
  if (d.panel == Panel::Rate) {
    EXPECT_EQ(d.type, MetricType::Counter);
  }
  EXPECT_EQ(findFamily(d.name), &d);
}

TEST_P(EveryFamily, IsExportedOnceWithItsTypeHelpAndLabels) {
  const auto& d = *GetParam();
  const auto all = fullMetrics()->collect();
  const auto n = std::count_if(all.begin(), all.end(), [&](const MetricFamily& f) { return f.name == d.name; });
  ASSERT_EQ(n, 1) << d.name;
  const auto& f = *std::find_if(all.begin(), all.end(), [&](const MetricFamily& f) { return f.name == d.name; });
  EXPECT_EQ(f.type, d.type);
  EXPECT_EQ(f.help, d.help);
  ASSERT_FALSE(f.metric.empty()) << d.name << " has no sample in a full scrape";
  const std::set<std::string> want(d.labels.begin(), d.labels.end());
  for (const auto& m : f.metric) EXPECT_EQ(labelNames(m), want) << d.name;
  if (d.type == MetricType::Histogram)
    for (const auto& m : f.metric) {
      ASSERT_FALSE(m.histogram.bucket.empty());
      EXPECT_TRUE(std::isinf(m.histogram.bucket.back().upper_bound));
      EXPECT_EQ(m.histogram.bucket.back().cumulative_count, m.histogram.sample_count);
    }
}

INSTANTIATE_TEST_SUITE_P(Catalog, EveryFamily, ::testing::ValuesIn(catalog()),
                         [](const auto& info) { return std::string(info.param->name); });

TEST(Catalog, NamesAreUniqueAndNothingIsExportedOutsideIt) {
  std::set<std::string_view> names;
  for (const auto* d : catalog()) EXPECT_TRUE(names.insert(d->name).second) << d->name;
  for (const auto& f : fullMetrics()->collect()) EXPECT_NE(findFamily(f.name), nullptr) << f.name << " is not in the catalog";
}

TEST(Metrics, ProjectAndStoreValues) {
  const auto all = fullMetrics()->collect();
  auto value = [&](std::string_view name, const std::map<std::string, std::string>& labels = {}) {
    for (const auto& f : all)
      if (f.name == name)
        for (const auto& m : f.metric) {
          bool match = true;
          for (const auto& [k, v] : labels)
            match = match && std::any_of(m.label.begin(), m.label.end(),
                                         [&](const auto& l) { return l.name == k && l.value == v; });
          if (match) return f.type == MetricType::Counter ? m.counter.value : m.gauge.value;
        }
    return -1.0;
  };
  EXPECT_EQ(value("m3m_project_js_cpu_seconds_total"), 0.25);
  EXPECT_EQ(value("m3m_project_waits_total"), 4);
  EXPECT_EQ(value("m3m_project_wait_seconds_total"), 1.5);
  EXPECT_EQ(value("m3m_project_heap_limit_bytes"), 128 << 20);
  EXPECT_EQ(value("m3m_project_queued_requests"), 2);
  EXPECT_EQ(value("m3m_project_goal_increments_total"), 6);
  EXPECT_EQ(value("m3m_project_restarts_total"), 1);
  EXPECT_EQ(value("m3m_store_queries_total", {{"kind", "read"}}), 10);
  EXPECT_EQ(value("m3m_store_queries_total", {{"kind", "write"}}), 5);
  EXPECT_EQ(value("m3m_store_wal_bytes"), 4096);
  EXPECT_EQ(value("m3m_store_checkpoints_total"), 2);
  EXPECT_EQ(value("m3m_store_checkpoint_seconds_total"), 0.5);
  for (const auto& f : all)
    if (f.name == "m3m_store_write_batch_size") {
      const auto& h = f.metric.at(0).histogram;
      ASSERT_EQ(h.bucket.size(), 4u);
      EXPECT_EQ(h.bucket[1].cumulative_count, 4u);
      EXPECT_EQ(h.bucket[3].cumulative_count, 5u);
      EXPECT_EQ(h.sample_sum, 9);
    }
}

TEST(Metrics, WithoutAStoreSourceTheStoreFamiliesAreAbsent) {
  Metrics m("1");
  for (const auto& f : m.collect()) EXPECT_FALSE(f.name.starts_with("m3m_store_")) << f.name;
}

// ---- OpenMetrics ------------------------------------------------------------------

TEST(OpenMetrics, SpecBasics) {
  const auto text = serializeOpenMetrics(fullMetrics()->collect());
  ASSERT_TRUE(text.ends_with("\n# EOF\n"));
  EXPECT_EQ(text.find("# EOF"), text.size() - 6) << "# EOF once, last";
  // counters: the family has no _total, its sample does
  EXPECT_NE(text.find("# TYPE m3m_http_requests counter\n"), std::string::npos);
  EXPECT_EQ(text.find("# TYPE m3m_http_requests_total"), std::string::npos);
  EXPECT_NE(text.find("m3m_http_requests_total{route=\"/api/x\",method=\"GET\",status=\"2xx\"} 1\n"), std::string::npos)
      << text;
  // units, after TYPE, on families whose name ends with them
  EXPECT_NE(text.find("# TYPE m3m_http_request_duration_seconds histogram\n# UNIT m3m_http_request_duration_seconds seconds\n"),
            std::string::npos);
  EXPECT_NE(text.find("# UNIT process_cpu_seconds seconds\n"), std::string::npos);
  // histogram buckets: canonical float bounds, +Inf, _count and _sum
  EXPECT_NE(text.find("m3m_http_request_duration_seconds_bucket{route=\"/api/x\",method=\"GET\",le=\"1.0\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("m3m_http_request_duration_seconds_bucket{route=\"/api/x\",method=\"GET\",le=\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("m3m_http_request_duration_seconds_count{route=\"/api/x\",method=\"GET\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("m3m_store_write_batch_size_bucket{le=\"4.0\"} 4\n"), std::string::npos) << text;
  // every line: a descriptor, a sample, or # EOF
  static const std::regex line(
      R"((# (TYPE|UNIT|HELP) [a-zA-Z_:][a-zA-Z0-9_:]* .*)|([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN))|(# EOF))");
  std::size_t pos = 0, n = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    const auto l = text.substr(pos, end - pos);
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    pos = end + 1;
    ++n;
  }
  EXPECT_GT(n, 50u);
}

TEST(OpenMetrics, EscapesLabelValuesAndHelp) {
  MetricFamily f{"x_total", "a \"quoted\"\nhelp \\", MetricType::Counter, {}};
  prometheus::ClientMetric m;
  m.label = {{"project", "a\"b\\c\nd"}};
  m.counter.value = 2.5;
  f.metric.push_back(m);
  const auto text = serializeOpenMetrics({f});
  EXPECT_EQ(text, "# TYPE x counter\n# HELP x a \\\"quoted\\\"\\nhelp \\\\\nx_total{project=\"a\\\"b\\\\c\\nd\"} 2.5\n# EOF\n");
}

TEST(OpenMetrics, AcceptHeader) {
  EXPECT_TRUE(wantsOpenMetrics("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
  EXPECT_TRUE(wantsOpenMetrics("application/openmetrics-text"));
  EXPECT_FALSE(wantsOpenMetrics("text/plain"));
  EXPECT_FALSE(wantsOpenMetrics(""));
  EXPECT_FALSE(wantsOpenMetrics("*/*"));
}

// ---- dashboard -----------------------------------------------------------------

// The metric names an expression reads: identifiers that are not functions,
// keywords, label names (inside {} or by ()) or range durations.
std::set<std::string> metricNamesOf(std::string expr) {
  expr = std::regex_replace(expr, std::regex(R"("(?:[^"\\]|\\.)*")"), "\"\"");
  expr = std::regex_replace(expr, std::regex(R"(\{[^}]*\})"), "");
  expr = std::regex_replace(expr, std::regex(R"(\[[^\]]*\])"), "");
  expr = std::regex_replace(expr, std::regex(R"(\b(by|without|on|ignoring)\s*\([^)]*\))"), "");
  expr = std::regex_replace(expr, std::regex(R"(\boffset\s+\S+)"), "");
  expr = std::regex_replace(expr, std::regex(R"(\b[0-9][0-9a-zA-Z_.]*)"), "");  // numbers, durations
  static const std::set<std::string> keywords = {"by", "without", "on", "ignoring", "group_left", "group_right",
                                                 "bool", "and", "or", "unless", "offset"};
  std::set<std::string> out;
  static const std::regex ident(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?)");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), ident); it != std::sregex_iterator(); ++it) {
    if ((*it)[2].matched) continue;  // a function
    const auto name = (*it)[1].str();
    if (keywords.contains(name)) continue;
    out.insert(name);
  }
  return out;
}

TEST(Dashboard, ExpressionParserFindsMetricNames) {
  EXPECT_EQ(metricNamesOf("histogram_quantile(0.95, sum by (le) (rate(a_bucket{project=~\"$project\"}[$__rate_interval])))"),
            std::set<std::string>{"a_bucket"});
  EXPECT_EQ(metricNamesOf("sum(b) / on (x) c_total offset 5m"), (std::set<std::string>{"b", "c_total"}));
}

TEST(Dashboard, EveryTargetNamesOnlyCataloguedMetrics) {
  std::set<std::string> exported;
  for (const auto* d : catalog()) {
    exported.insert(std::string(d->name));
    if (d->type == MetricType::Histogram)
      for (const char* s : {"_bucket", "_count", "_sum"}) exported.insert(std::string(d->name) + s);
  }
  std::set<std::string> used;
  const auto exprs = dashboardExpressions();
  ASSERT_GT(exprs.size(), 30u);
  for (const auto& e : exprs) {
    const auto names = metricNamesOf(e);
    EXPECT_FALSE(names.empty()) << e;
    for (const auto& n : names) {
      EXPECT_TRUE(exported.contains(n)) << n << " in " << e;
      used.insert(n);
    }
  }
  // every family on a panel is queried
  for (const auto* d : catalog())
    if (d->panel != Panel::None) {
      EXPECT_TRUE(used.contains(std::string(d->name)) || used.contains(std::string(d->name) + "_bucket")) << d->name;
    }
}

TEST(Dashboard, HasGrafanasShape) {
  const auto j = nlohmann::json::parse(dashboardJson());
  EXPECT_EQ(j["title"], "m3m");
  EXPECT_TRUE(j["uid"].is_string());
  EXPECT_GE(j["schemaVersion"].get<int>(), 36);
  std::vector<std::string> rows;
  std::set<int> ids;
  for (const auto& p : j["panels"]) {
    EXPECT_TRUE(ids.insert(p["id"].get<int>()).second);
    for (const char* k : {"x", "y", "w", "h"}) EXPECT_TRUE(p["gridPos"][k].is_number_integer());
    EXPECT_LE(p["gridPos"]["x"].get<int>() + p["gridPos"]["w"].get<int>(), 24);
    if (p["type"] == "row") {
      rows.push_back(p["title"]);
      continue;
    }
    EXPECT_TRUE(p["type"] == "timeseries" || p["type"] == "stat") << p["type"];
    EXPECT_EQ(p["datasource"]["uid"], "${datasource}");
    ASSERT_FALSE(p["targets"].empty());
    for (const auto& t : p["targets"]) {
      EXPECT_TRUE(t["expr"].is_string());
      EXPECT_TRUE(t["refId"].is_string());
      EXPECT_EQ(t["datasource"]["type"], "prometheus");
    }
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"HTTP", "Projects", "Store", "Process"}));
  const auto& vars = j["templating"]["list"];
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0]["name"], "datasource");
  EXPECT_EQ(vars[0]["type"], "datasource");
  EXPECT_EQ(vars[0]["query"], "prometheus");
  EXPECT_EQ(vars[1]["name"], "project");
  EXPECT_EQ(vars[1]["type"], "query");
  EXPECT_EQ(vars[1]["definition"], "label_values(m3m_project_state, project)");
  EXPECT_EQ(dashboardJson(), dashboardJson()) << "deterministic";
}
