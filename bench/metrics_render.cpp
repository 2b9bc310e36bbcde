// The metrics module's share of a scrape, without the server: collect() and
// render() (text 0.0.4 and OpenMetrics) of N fake running projects with every
// family filled in, timed over R rounds. Build it with the release flags:
//   g++ -O2 -std=c++20 -Isrc bench/metrics_render.cpp src/metrics/{catalog,dashboard,http_metrics,metrics,openmetrics}.cpp \
//       $(pkg-config --cflags --libs prometheus-cpp-core) -lcrypto -o /tmp/metrics_render
//   /tmp/metrics_render 500 50
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "metrics/metrics.hpp"

using namespace m3m::metrics;

int main(int argc, char** argv) {
  const int projects = argc > 1 ? std::stoi(argv[1]) : 500;
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 50;
  Metrics m("bench");
  for (int r = 0; r < 40; ++r) {  // 40 routes, every method class seen
    m.http()->started();
    m.http()->finished("/api/route/" + std::to_string(r), r % 2 ? "GET" : "POST", 200 + (r % 4) * 100, 100, 0.003);
  }
  std::vector<ProjectSample> samples;
  for (int i = 0; i < projects; ++i) {
    ProjectSample p;
    p.slug = "project-" + std::to_string(i);
    p.state = "running";
    p.heapUsed = 3u << 20;
    p.calls = 1000u + static_cast<unsigned>(i);
    p.errors = 3;
    p.threads = 1;
    p.httpRequests = 5;
    p.scheduleRuns = 7;
    p.jsCpuSeconds = 0.125 * i;
    p.heapLimit = 128u << 20;
    samples.push_back(p);
  }
  m.setProjectSource([&] { return samples; });
  m.setStoreSource([] { return StoreSample{}; });
  for (bool open : {false, true}) {
    std::vector<double> collectMs, renderMs;
    std::size_t bytes = 0;
    for (int r = 0; r < rounds; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto families = m.collect();
      auto t1 = std::chrono::steady_clock::now();
      auto text = m.render(open);
      auto t2 = std::chrono::steady_clock::now();
      bytes = text.size();
      collectMs.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      renderMs.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());  // collect + serialize
    }
    std::sort(collectMs.begin(), collectMs.end());
    std::sort(renderMs.begin(), renderMs.end());
    std::printf("%s: %d projects, %zu KiB: collect p50 %.2f ms, collect+serialize p50 %.2f ms p95 %.2f ms\n",
                open ? "OpenMetrics" : "text 0.0.4", projects, bytes / 1024, collectMs[rounds / 2], renderMs[rounds / 2],
                renderMs[rounds * 95 / 100]);
  }
}
