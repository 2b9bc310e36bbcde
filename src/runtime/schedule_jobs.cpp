// schedule.every / cron / daily / hourly: jobs of the run, ticked by the
// holder of the isolate like timers (Impl::fireDue). A job never overlaps
// itself: a tick that comes while its previous run is still going (waiting,
// or its promise pending) is skipped and counted. Missed ticks (the server
// was down, the project busy) are not replayed. Cron times are computed in
// runtime.timezone (UTC by default) with the DST rules of cron.hpp.
#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <tuple>

#include "runtime/detail/project_impl.hpp"
#include "runtime/schedule/interval.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

namespace {

using Clock = std::chrono::steady_clock;
using SysClock = std::chrono::system_clock;

enum class Kind : int { Every, Cron, Daily, Hourly };

std::int64_t epochMs(SysClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "09:30" → "30 9 * * *"; INVALID_ARGUMENT otherwise.
std::string dailyCron(const std::string& hhmm) {
  auto bad = [&] {
    throw Error(ErrorCode::INVALID_ARGUMENT, "schedule.daily: time must be 'HH:MM' (00:00–23:59), got '" + hhmm + "'",
                {{"time", "must be HH:MM"}});
  };
  auto colon = hhmm.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 2 || hhmm.size() != colon + 3) bad();
  for (size_t i = 0; i < hhmm.size(); ++i)
    if (i != colon && !std::isdigit(static_cast<unsigned char>(hhmm[i]))) bad();
  const int h = std::stoi(hhmm.substr(0, colon));
  const int m = std::stoi(hhmm.substr(colon + 1));
  if (h > 23 || m > 59) bad();
  return std::to_string(m) + " " + std::to_string(h) + " * * *";
}

std::string stringArg(v8::Isolate* isolate, v8::Local<v8::Value> v) {
  v8::String::Utf8Value text(isolate, v);
  return *text ? std::string(*text, static_cast<size_t>(text.length())) : std::string();
}

}  // namespace

void ProjectRuntime::Impl::installSchedule(v8::Local<v8::Context> context) {
  auto api = v8::Object::New(isolate);
  auto add = [&](const char* name, Kind kind) {
    auto fn = v8::Function::New(context, &Impl::scheduleAddFn, v8::Integer::New(isolate, static_cast<int>(kind)))
                  .ToLocalChecked();
    std::ignore = api->Set(context, toV8(isolate, name), fn);
  };
  add("every", Kind::Every);
  add("cron", Kind::Cron);
  add("daily", Kind::Daily);
  add("hourly", Kind::Hourly);
  std::ignore = api->SetIntegrityLevel(context, v8::IntegrityLevel::kFrozen);
  std::ignore = context->Global()->DefineOwnProperty(context, toV8(isolate, "schedule"), api, v8::ReadOnly);
}

void ProjectRuntime::Impl::scheduleAddFn(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  auto* impl = static_cast<Impl*>(isolate->GetData(0));
  auto context = isolate->GetCurrentContext();
  const auto kind = static_cast<Kind>(info.Data().As<v8::Integer>()->Value());
  static constexpr const char* kNames[] = {"schedule.every", "schedule.cron", "schedule.daily", "schedule.hourly"};
  const std::string name = kNames[static_cast<int>(kind)];
  try {
    // The function is the last argument; daily(fn) and hourly(fn) take nothing else.
    const bool withSpec = kind == Kind::Every || kind == Kind::Cron || (kind == Kind::Daily && info.Length() > 1);
    const int fnIndex = withSpec ? 1 : 0;
    if (!info[fnIndex]->IsFunction())
      throw Error(ErrorCode::INVALID_ARGUMENT,
                  name + ": argument " + std::to_string(fnIndex + 1) + " (fn) must be a function", {{"fn", "must be a function"}});
    ScheduleJob job;
    switch (kind) {
      case Kind::Every:
        if (info[0]->IsNumber()) {
          job.interval = schedule::intervalFromMillis(info[0].As<v8::Number>()->Value());
          job.info.expression = std::to_string(job.interval.count()) + "ms";
        } else if (info[0]->IsString()) {
          job.info.expression = stringArg(isolate, info[0]);
          job.interval = schedule::parseInterval(job.info.expression);
        } else {
          throw Error(ErrorCode::INVALID_ARGUMENT, name + ": argument 1 (interval) must be milliseconds or a duration such as '10s'",
                      {{"interval", "must be a number or a string"}});
        }
        job.info.kind = "every";
        break;
      case Kind::Cron:
        if (!info[0]->IsString())
          throw Error(ErrorCode::INVALID_ARGUMENT, name + ": argument 1 (expression) must be a string",
                      {{"expression", "must be a string"}});
        job.cron = schedule::CronExpression::parse(stringArg(isolate, info[0]));
        break;
      case Kind::Daily:
        if (withSpec && !info[0]->IsString())
          throw Error(ErrorCode::INVALID_ARGUMENT, name + ": argument 1 (time) must be a string 'HH:MM'",
                      {{"time", "must be a string"}});
        job.cron = schedule::CronExpression::parse(withSpec ? dailyCron(stringArg(isolate, info[0])) : "0 0 * * *");
        break;
      case Kind::Hourly: job.cron = schedule::CronExpression::parse("0 * * * *"); break;
    }
    if (job.cron) {
      job.info.kind = "cron";
      job.info.expression = job.cron->text();
    }
    const auto id = impl->nextJobId++;
    job.info.id = "job_" + std::to_string(id);
    job.fn.Reset(isolate, info[fnIndex].As<v8::Function>());
    impl->planNext(job, Clock::now());
    const std::string jobId = job.info.id;
    {
      std::lock_guard lock(impl->jobsMutex);
      impl->jobs.emplace(id, std::move(job));
    }
    // {id, cancel()}
    auto handle = v8::Object::New(isolate);
    std::ignore = handle->Set(context, toV8(isolate, "id"), toV8(isolate, jobId));
    auto cancel = v8::Function::New(context, &Impl::scheduleCancelFn, v8::Integer::NewFromUnsigned(isolate, id)).ToLocalChecked();
    std::ignore = handle->Set(context, toV8(isolate, "cancel"), cancel);
    std::ignore = handle->SetIntegrityLevel(context, v8::IntegrityLevel::kFrozen);
    info.GetReturnValue().Set(handle);
  } catch (const Error& e) {
    // "hour: 24 is out of range 0-23" → "schedule.cron: hour: 24 is out of range 0-23"
    const std::string message = e.what();
    throwError(isolate, Error(e.code(), message.rfind(name, 0) == 0 ? message : name + ": " + message, e.fields()));
  }
}

void ProjectRuntime::Impl::scheduleCancelFn(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* impl = static_cast<Impl*>(info.GetIsolate()->GetData(0));
  const auto id = info.Data().As<v8::Integer>()->Value();
  std::lock_guard lock(impl->jobsMutex);
  info.GetReturnValue().Set(impl->jobs.erase(static_cast<std::uint32_t>(id)) > 0);
}

void ProjectRuntime::Impl::planNext(ScheduleJob& job, Clock::time_point now) {
  const auto sysNow = SysClock::now();
  std::lock_guard lock(jobsMutex);
  if (!job.cron) {
    if (job.due == Clock::time_point{}) job.due = now + job.interval;
    else
      while (job.due <= now) job.due += job.interval;  // missed ticks are not replayed
    job.info.nextRunMs = epochMs(sysNow + std::chrono::duration_cast<SysClock::duration>(job.due - now));
    return;
  }
  // Strictly after both the present second and the tick just planned, so a
  // tick that fires a little early (steady vs. wall clock) never repeats.
  auto after = std::chrono::floor<std::chrono::seconds>(sysNow);
  if (job.info.nextRunMs > 0)
    after = std::max(after, std::chrono::sys_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::milliseconds(job.info.nextRunMs))));
  auto next = job.cron->next(after, zone);
  if (!next) {
    // Never fires within the search horizon (e.g. Feb 30): the job stays listed, idle.
    job.due = Clock::time_point::max();
    job.info.nextRunMs = 0;
    return;
  }
  job.due = now + std::chrono::duration_cast<Clock::duration>(*next - sysNow);
  job.info.nextRunMs = epochMs(*next);
}

void ProjectRuntime::Impl::tickJob(std::map<std::uint32_t, ScheduleJob>::iterator it, Clock::time_point now) {
  const std::uint32_t id = it->first;
  auto& job = it->second;
  planNext(job, now);
  {
    std::lock_guard lock(jobsMutex);
    if (job.info.running) {
      ++job.info.skipped;  // never overlaps itself
      return;
    }
    job.info.running = true;
    ++job.info.runs;
    job.info.lastRunMs = epochMs(SysClock::now());
  }
  const std::string what = "schedule job " + job.info.id + " (" + job.info.expression + ")";
  const auto began = Clock::now();
  v8::TryCatch tc(isolate);
  auto fn = job.fn.Get(isolate);  // the job may be cancelled while it runs
  v8::Local<v8::Value> result;
  if (!fn->Call(ctx(), v8::Undefined(isolate), 0, nullptr).ToLocal(&result)) {
    if (tc.HasTerminated()) {
      terminationReported = true;
      if (ending() && !heapExceeded) return;
      log("ERROR", what + " failed: " + terminationReason());
    } else {
      log("ERROR", what + " failed: " + describeException(isolate, tc.Exception()));
    }
    finishJob(id, began, true);
    return;
  }
  if (!result->IsPromise()) {
    finishJob(id, began, false);
    return;
  }
  // An async job runs (and later ticks are skipped) until its promise settles.
  whenSettled(result.As<v8::Promise>(),
              new Settle{[this, id, began](v8::Local<v8::Value>) { finishJob(id, began, false); },
                         [this, id, began, what](v8::Local<v8::Value> reason) {
                           log("ERROR", what + " failed: " + describeException(isolate, reason));
                           finishJob(id, began, true);
                         },
                         [this, id, began](int, const std::string&) { finishJob(id, began, true); },
                         std::nullopt});
}

void ProjectRuntime::Impl::finishJob(std::uint32_t id, Clock::time_point began, bool failed) {
  std::lock_guard lock(jobsMutex);
  auto it = jobs.find(id);
  if (it == jobs.end()) return;  // cancelled meanwhile
  auto& info = it->second.info;
  info.running = false;
  info.lastDurationMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began).count();
  if (failed) ++info.errors;
}

std::vector<ScheduleJobInfo> ProjectRuntime::Impl::jobInfos() const {
  std::lock_guard lock(jobsMutex);
  std::vector<ScheduleJobInfo> out;
  out.reserve(jobs.size());
  for (const auto& [id, job] : jobs) out.push_back(job.info);
  return out;
}

void ProjectRuntime::Impl::endJobsAndTasks() {
  {
    std::lock_guard lock(jobsMutex);
    jobs.clear();
  }
  tasksQueued -= delayed.size();
  delayed.clear();
}

}  // namespace m3m::runtime
