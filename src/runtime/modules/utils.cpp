// utils: helpers of the seeds' runtime API. This issue builds the waiting
// one, utils.sleep (the rest of utils comes with the next modules).
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <string>

#include "lib/units.hpp"
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

ModuleSchema utilsModule(const BuiltinDeps& deps) {
  const auto maxWait = deps.maxWait;
  return ModuleBuilder("utils", "Helpers.")
      .function("sleep", {{"ms", "number"}}, "void",
                "Waits `ms` milliseconds (0 up to runtime.max_wait, default 10 minutes). A waiting call: while it "
                "waits, other tasks of the project (route calls, timers, delayed tasks, schedule jobs) run. "
                "@example utils.sleep(1000)",
                [maxWait](CallContext& ctx, const Args& args) -> Value {
                  const double ms = args.number(0);
                  if (!std::isfinite(ms) || ms < 0 || ms > static_cast<double>(maxWait.count()))
                    args.fail(0, "must be a number of milliseconds from 0 to " + std::to_string(maxWait.count()) +
                                     " (runtime.max_wait = " + lib::formatDuration(maxWait) + ")");
                  const auto wait = std::chrono::microseconds(static_cast<long long>(ms * 1000));
                  ctx.blocking([wait](std::stop_token stop) {
                    std::mutex m;
                    std::condition_variable_any cv;
                    std::unique_lock lock(m);
                    cv.wait_for(lock, stop, wait, [] { return false; });
                  });
                  return nullptr;
                })
      .build();
}

}  // namespace m3m::runtime
