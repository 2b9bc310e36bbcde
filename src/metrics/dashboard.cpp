#include "metrics/dashboard.hpp"

#include <nlohmann/json.hpp>

#include <string>

#include "metrics/catalog.hpp"

namespace m3m::metrics {

namespace {

using nlohmann::json;

constexpr int kWidth = 8, kHeight = 8, kColumns = 24;

json datasource() { return {{"type", "prometheus"}, {"uid", "${datasource}"}}; }

// "a,b" → "{{a}} {{b}}"
std::string legendOf(std::string_view by) {
  std::string out;
  while (!by.empty()) {
    auto comma = by.find(',');
    if (!out.empty()) out += ' ';
    out += "{{" + std::string(by.substr(0, comma)) + "}}";
    by = comma == std::string_view::npos ? std::string_view() : by.substr(comma + 1);
  }
  return out;
}

json target(std::string expr, std::string legend, char refId) {
  return {{"datasource", datasource()},
          {"expr", std::move(expr)},
          {"legendFormat", legend.empty() ? "__auto" : std::move(legend)},
          {"range", true},
          {"refId", std::string(1, refId)}};
}

json targetsOf(const FamilyDef& f) {
  const std::string name(f.name);
  const std::string selector = f.row == Row::Projects && f.labels.size() && f.labels[0] == "project"
                                   ? "{project=~\"$project\"}"
                                   : "";
  const std::string by(f.by);
  auto sum = [&](const std::string& inner) { return by.empty() ? "sum(" + inner + ")" : "sum by (" + by + ") (" + inner + ")"; };
  json targets = json::array();
  switch (f.panel) {
    case Panel::Rate:
      targets.push_back(target(sum("rate(" + name + selector + "[$__rate_interval])"), legendOf(f.by), 'A'));
      break;
    case Panel::Value:
      targets.push_back(target(f.labels.empty() ? name : sum(name + selector), legendOf(f.by), 'A'));
      break;
    case Panel::Stat:
      targets.push_back(target(name + selector, legendOf(f.by), 'A'));
      break;
    case Panel::Quantiles: {
      char ref = 'A';
      for (const char* q : {"0.5", "0.95", "0.99"}) {
        std::string p = std::string(q) == "0.5" ? "p50" : std::string(q) == "0.95" ? "p95" : "p99";
        targets.push_back(target(
            "histogram_quantile(" + std::string(q) + ", sum by (le) (rate(" + name + "_bucket" + selector +
                "[$__rate_interval])))",
            p, ref++));
      }
      break;
    }
    case Panel::None:
      break;
  }
  return targets;
}

json panelOf(const FamilyDef& f, int id, int x, int y) {
  const bool stat = f.panel == Panel::Stat;
  json p = {{"datasource", datasource()},
            {"description", std::string(f.help) + " (" + std::string(f.name) + ")"},
            {"fieldConfig", {{"defaults", {{"unit", std::string(f.grafanaUnit)}}}, {"overrides", json::array()}}},
            {"gridPos", {{"h", kHeight}, {"w", kWidth}, {"x", x}, {"y", y}}},
            {"id", id},
            {"targets", targetsOf(f)},
            {"title", std::string(f.title)},
            {"type", stat ? "stat" : "timeseries"}};
  if (stat) {
    p["options"] = {{"reduceOptions", {{"calcs", {"lastNotNull"}}, {"fields", ""}, {"values", false}}},
                    {"textMode", f.by.empty() ? "value" : "name"},
                    {"colorMode", "none"},
                    {"graphMode", "none"}};
  } else {
    p["options"] = {{"legend", {{"displayMode", "list"}, {"placement", "bottom"}, {"showLegend", true}}},
                    {"tooltip", {{"mode", "multi"}, {"sort", "desc"}}}};
  }
  return p;
}

json dashboard() {
  json panels = json::array();
  int id = 1, y = 0;
  for (Row row : {Row::Http, Row::Projects, Row::Store, Row::Process}) {
    panels.push_back({{"collapsed", false},
                      {"gridPos", {{"h", 1}, {"w", kColumns}, {"x", 0}, {"y", y}}},
                      {"id", id++},
                      {"panels", json::array()},
                      {"title", std::string(rowTitle(row))},
                      {"type", "row"}});
    y += 1;
    int x = 0;
    for (const auto* f : catalog()) {
      if (f->row != row || f->panel == Panel::None) continue;
      if (x + kWidth > kColumns) {
        x = 0;
        y += kHeight;
      }
      panels.push_back(panelOf(*f, id++, x, y));
      x += kWidth;
    }
    if (x > 0) y += kHeight;
  }
  const std::string projectQuery = "label_values(" + std::string(family::projectState.name) + ", project)";
  json templating = json::array();
  templating.push_back({{"current", json::object()},
                        {"hide", 0},
                        {"includeAll", false},
                        {"label", "Data source"},
                        {"multi", false},
                        {"name", "datasource"},
                        {"options", json::array()},
                        {"query", "prometheus"},
                        {"refresh", 1},
                        {"regex", ""},
                        {"type", "datasource"}});
  templating.push_back({{"allValue", ".*"},
                        {"current", json::object()},
                        {"datasource", datasource()},
                        {"definition", projectQuery},
                        {"hide", 0},
                        {"includeAll", true},
                        {"label", "Project"},
                        {"multi", true},
                        {"name", "project"},
                        {"options", json::array()},
                        {"query", {{"qryType", 1}, {"query", projectQuery}, {"refId", "PrometheusVariableQueryEditor-VariableQuery"}}},
                        {"refresh", 2},
                        {"regex", ""},
                        {"sort", 1},
                        {"type", "query"}});
  return {{"annotations", {{"list", json::array()}}},
          {"description", "m3m server: HTTP, projects, store and process (generated by `m3m metrics dashboard`)"},
          {"editable", true},
          {"fiscalYearStartMonth", 0},
          {"graphTooltip", 1},
          {"links", json::array()},
          {"panels", std::move(panels)},
          {"refresh", "30s"},
          {"schemaVersion", 39},
          {"tags", {"m3m"}},
          {"templating", {{"list", std::move(templating)}}},
          {"time", {{"from", "now-1h"}, {"to", "now"}}},
          {"timepicker", json::object()},
          {"timezone", ""},
          {"title", "m3m"},
          {"uid", "m3m-server"},
          {"version", 1}};
}

}  // namespace

std::string dashboardJson() { return dashboard().dump(2) + "\n"; }

std::vector<std::string> dashboardExpressions() {
  std::vector<std::string> out;
  const auto d = dashboard();
  for (const auto& p : d["panels"])
    if (p.contains("targets"))
      for (const auto& t : p["targets"]) out.push_back(t["expr"].get<std::string>());
  return out;
}

}  // namespace m3m::metrics
