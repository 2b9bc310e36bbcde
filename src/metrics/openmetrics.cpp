#include "metrics/openmetrics.hpp"

#include <charconv>
#include <cmath>

#include "metrics/catalog.hpp"

namespace m3m::metrics {

namespace {

using prometheus::MetricType;

void number(std::string& out, double v, bool canonicalFloat = false) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, ec == std::errc() ? static_cast<std::size_t>(end - buf) : 0);
  out += text;
  // le="1.0": the spec's canonical form of a bucket bound is a float.
  if (canonicalFloat && text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quotes) out += "\\\"";
    else out += c;
  }
}

void sample(std::string& out, std::string_view name, std::string_view suffix,
            const std::vector<prometheus::ClientMetric::Label>& labels, double value, const char* le = nullptr,
            double bound = 0) {
  out += name;
  out += suffix;
  if (!labels.empty() || le) {
    out += '{';
    bool first = true;
    for (const auto& l : labels) {
      if (!first) out += ',';
      first = false;
      out += l.name;
      out += "=\"";
      escaped(out, l.value, true);
      out += '"';
    }
    if (le) {
      if (!first) out += ',';
      out += "le=\"";
      number(out, bound, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  number(out, value);
  out += '\n';
}

}  // namespace

std::string serializeOpenMetrics(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  out.reserve(4096);
  for (const auto& f : families) {
    std::string_view name = f.name;
    const char* type = "unknown";
    switch (f.type) {
      case MetricType::Counter:
        type = "counter";
        if (name.ends_with("_total")) name.remove_suffix(6);
        break;
      case MetricType::Gauge: type = "gauge"; break;
      case MetricType::Histogram: type = "histogram"; break;
      case MetricType::Summary: type = "summary"; break;
      case MetricType::Untyped: type = "unknown"; break;
    }
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    if (const auto* def = findFamily(f.name); def && !def->unit.empty()) {
      out += "# UNIT ";
      out += name;
      out += ' ';
      out += def->unit;
      out += '\n';
    }
    out += "# HELP ";
    out += name;
    out += ' ';
    escaped(out, f.help, true);
    out += '\n';
    for (const auto& m : f.metric) {
      switch (f.type) {
        case MetricType::Counter: sample(out, name, "_total", m.label, m.counter.value); break;
        case MetricType::Gauge: sample(out, name, "", m.label, m.gauge.value); break;
        case MetricType::Untyped: sample(out, name, "", m.label, m.untyped.value); break;
        case MetricType::Histogram: {
          bool inf = false;
          for (const auto& b : m.histogram.bucket) {
            sample(out, name, "_bucket", m.label, static_cast<double>(b.cumulative_count), "le", b.upper_bound);
            inf = inf || std::isinf(b.upper_bound);
          }
          if (!inf)
            sample(out, name, "_bucket", m.label, static_cast<double>(m.histogram.sample_count), "le", INFINITY);
          sample(out, name, "_count", m.label, static_cast<double>(m.histogram.sample_count));
          sample(out, name, "_sum", m.label, m.histogram.sample_sum);
          break;
        }
        case MetricType::Summary: {
          sample(out, name, "_count", m.label, static_cast<double>(m.summary.sample_count));
          sample(out, name, "_sum", m.label, m.summary.sample_sum);
          break;
        }
      }
    }
  }
  out += "# EOF\n";
  return out;
}

bool wantsOpenMetrics(std::string_view accept) {
  return accept.find("application/openmetrics-text") != std::string_view::npos;
}

}  // namespace m3m::metrics
