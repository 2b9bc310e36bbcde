// Requests to the project's routes: a dispatched call runs the prelude's
// dispatch hook on the loop, and every answer is checked before it goes out.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "runtime/detail/project_impl.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

namespace {
// A handler failed: the anonymous caller learns only that, and where to look.
HttpReply handlerFailed(const std::string& requestId) {
  return errorReply(500, "the service's handler failed (request id " + requestId + "); details are in the run log");
}

// Where host.reply puts a synchronous answer. One per dispatch on this thread's
// stack: a request waiting in a blocking call leaves the isolate to another
// thread, which dispatches with its own slot.
struct ReplySlot {
  size_t maxBody;
  bool filled = false;
  std::optional<HttpReply> reply;
  std::string problem;
};
thread_local ReplySlot* tReplySlot = nullptr;
}  // namespace

// host.reply(status, text, name, value, …): the prelude's synchronous answer,
// read from the call's arguments (cheaper than an array's elements one by one).
void ProjectRuntime::Impl::hostReply(const v8::FunctionCallbackInfo<v8::Value>& info) {
  ReplySlot* slot = tReplySlot;
  if (!slot || slot->filled) return;
  slot->filled = true;
  slot->reply = toReply(info, slot->maxBody, slot->problem);
}

bool ProjectRuntime::dispatch(HttpCall call, std::function<void(HttpReply)> done) {
  if (pendingRequests_.load() >= limits_.maxQueue) return false;
  ++pendingRequests_;
  auto shared = std::make_shared<std::function<void(HttpReply)>>(std::move(done));
  auto finish = [this, shared](HttpReply r) {
    --pendingRequests_;
    ++calls_;
    if (r.status >= 500) ++errors_;
    (*shared)(std::move(r));
  };
  // Queued unless the run is ending (then answered at once, below).
  const bool queued = post([this, call = std::move(call), finish]() mutable {
    auto& d = *impl_;
    v8::Isolate* isolate = d.isolate;
    v8::TryCatch tc(isolate);
    auto context = d.ctx();
    // Plain arguments, no request object: the prelude builds its Context lazily.
    std::string headerBlock;
    for (const auto& [k, v] : call.headers) {
      headerBlock += k;
      headerBlock += ':';
      headerBlock += v;
      headerBlock += '\n';
    }
    v8::Local<v8::Value> argv[] = {toV8(isolate, call.method), toV8(isolate, call.path), toV8(isolate, call.rawQuery),
                                   toV8(isolate, headerBlock),  toV8(isolate, call.body), toV8(isolate, call.requestId)};
    v8::Local<v8::Value> result;
    // Only failures need the description: no string building on the hot path.
    auto describe = [&call] { return call.method + " " + call.path + " (request " + call.requestId + ")"; };
    // The request id rides along the handler's promise continuations (V8
    // keeps it with every reaction created meanwhile), so its run-log lines
    // carry it even after an await; nothing else run later inherits it.
    context->SetContinuationPreservedEmbedderData(argv[5]);
    ReplySlot slot{limits_.maxResponse, false, std::nullopt, {}};
    struct ForgetRequest {
      v8::Local<v8::Context> context;
      v8::Isolate* isolate;
      ReplySlot* outer;
      ~ForgetRequest() {
        context->SetContinuationPreservedEmbedderData(v8::Undefined(isolate));
        tReplySlot = outer;
      }
    } forget{context, isolate, std::exchange(tReplySlot, &slot)};
    if (!d.dispatch.Get(isolate)->Call(context, v8::Undefined(isolate), 6, argv).ToLocal(&result)) {
      const std::string what = describe();
      if (!tc.HasTerminated()) {
        // The prelude catches the handler's exceptions; one that escapes it
        // (a throwing Error.prepareStackTrace…) is logged, never shown to
        // the anonymous caller.
        std::string reason = describeException(isolate, tc.Exception());
        if (tc.HasCaught() && !tc.HasTerminated()) tc.Reset();
        log_->write("ERROR", what + " failed: " + reason);
        finish(handlerFailed(call.requestId));
        return;
      }
      d.terminationReported = true;
      if (d.ending() && !d.heapExceeded) {
        // Stopped in a waiting call: like a request still queued at stop.
        finish(errorReply(503, "the project stopped before answering"));
        return;
      }
      std::string reason = d.terminationReason();
      log_->write("ERROR", what + " failed: " + reason);
      // The project's state must say why before the caller hears back.
      if (d.heapExceeded) fail(heapMessage());
      finish(errorReply(500, "the service's handler failed: " + reason + " (request id " + call.requestId + ")"));
      return;
    }
    // Every answer is checked before it leaves: a body within
    // runtime.max_response, a final status, headers that are valid HTTP.
    // `what` describes the request, built only on failure.
    auto reply = [this, isolate](const auto& what, const std::string& requestId, v8::Local<v8::Value> v) {
      std::string problem;
      auto r = toReply(isolate, v, limits_.maxResponse, problem);
      if (r) return std::move(*r);
      log_->write("ERROR", what() + " failed: " + problem);
      return handlerFailed(requestId);
    };
    if (slot.filled) {
      if (slot.reply) return finish(std::move(*slot.reply));
      log_->write("ERROR", describe() + " failed: " + slot.problem);
      return finish(handlerFailed(call.requestId));
    }
    if (result->IsPromise()) {
      const std::string what = describe();
      d.whenSettled(result.As<v8::Promise>(),
                    new Settle{[finish, reply, what, id = call.requestId](v8::Local<v8::Value> v) mutable {
                                 finish(reply([&what] { return what; }, id, v));
                               },
                               [finish, isolate, this, what, id = call.requestId](v8::Local<v8::Value> reason) mutable {
                                 std::string r = describeException(isolate, reason);
                                 log_->write("ERROR", what + " failed: " + r);
                                 finish(handlerFailed(id));
                               },
                               [finish, this, what](int status, const std::string& why) mutable {
                                 if (status != 503) log_->write("ERROR", what + " failed: " + why);
                                 finish(errorReply(status, "the service's handler failed: " + why));
                               },
                               std::chrono::steady_clock::now() + limits_.requestTimeout});
      return;
    }
    finish(reply(describe, call.requestId, result));
  });
  if (!queued)
    finish(errorReply(503, "the project is stopping"));
  return true;
}

}  // namespace m3m::runtime
