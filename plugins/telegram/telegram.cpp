// telegram: the Bot API over libcurl. sendMessage, sendPhoto, getMe,
// setWebhook, deleteWebhook and answerCallbackQuery return Promises (run on
// the plugin's two worker threads); getUpdates is a waiting call (a long
// poll with the project's JS released). Config: plugins.config.telegram
// {bot_token, api_url = "https://api.telegram.org", timeout = 30 (seconds)}.
// A Bot API refusal rejects with its error_code and description, in the
// message ("telegram.sendMessage: Telegram error 400: Bad Request: chat not
// found") and as properties of the error (err.error_code, err.description,
// err.parameters when Telegram sent them). Results are typed by the named
// types declared below (TelegramMessage, TelegramUpdate, …).
#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <m3m/plugin.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using m3m::sdk::Error;
using m3m::sdk::Json;
using m3m::sdk::View;

struct Settings {
  std::string token, apiUrl = "https://api.telegram.org";
  long timeout = 30;
} settings;

// ---- the worker threads of the async functions -------------------------------
std::mutex mutex;
std::condition_variable wake;
std::deque<std::function<void()>> jobs;
std::vector<std::thread> workers;
std::atomic<bool> stopping{false};

void post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex);
    jobs.push_back(std::move(job));
  }
  wake.notify_one();
}

void work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [] { return stopping || !jobs.empty(); });
      if (stopping) return;  // queued jobs drop their Pending: the host rejects them
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    job();
  }
}

// ---- one Bot API request ----------------------------------------------------
struct Part {
  Part(std::string n, std::string v, std::string f = "") : name(std::move(n)), value(std::move(v)), filename(std::move(f)) {}
  std::string name, value;
  std::string filename;  // non-empty: an uploaded file
};

size_t collect(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}
int progress(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stopping || (*static_cast<std::function<bool()>*>(cancelled))() ? 1 : 0;
}

// The Bot API's answer as text; throws UNAVAILABLE when none came.
std::string request(const std::string& fn, const std::string& method, const std::string& json,
                    const std::vector<Part>* parts, long timeout, std::function<bool()> cancelled) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Error(M3M_ERR_INTERNAL, fn + ": curl_easy_init failed");
  const std::string url = settings.apiUrl + "/bot" + settings.token + "/" + method;
  std::string body;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, &progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &cancelled);
  if (parts) {
    mime = curl_mime_init(curl.get());
    for (const auto& p : *parts) {
      curl_mimepart* part = curl_mime_addpart(mime);
      curl_mime_name(part, p.name.c_str());
      curl_mime_data(part, p.value.data(), p.value.size());
      if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
    }
    curl_easy_setopt(curl.get(), CURLOPT_MIMEPOST, mime);
  } else {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, json.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(json.size()));
  }
  const CURLcode rc = curl_easy_perform(curl.get());
  if (headers) curl_slist_free_all(headers);
  if (mime) curl_mime_free(mime);
  if (rc == CURLE_ABORTED_BY_CALLBACK) throw Error(M3M_ERR_UNAVAILABLE, fn + ": cancelled");
  if (rc == CURLE_OPERATION_TIMEDOUT) throw Error(M3M_ERR_TIMEOUT, fn + ": no answer from the Bot API within " + std::to_string(timeout) + " s");
  if (rc != CURLE_OK)
    throw Error(M3M_ERR_UNAVAILABLE, fn + ": " + (error[0] ? std::string(error) : curl_easy_strerror(rc)));
  return body;
}

m3m_status codeFor(double httpCode) {
  switch (static_cast<int>(httpCode)) {
    case 400: return M3M_ERR_INVALID_ARGUMENT;
    case 401: return M3M_ERR_UNAUTHENTICATED;
    case 403: return M3M_ERR_PERMISSION_DENIED;
    case 404: return M3M_ERR_NOT_FOUND;
    case 409: return M3M_ERR_CONFLICT;
    case 413: return M3M_ERR_PAYLOAD_TOO_LARGE;
    case 429: return M3M_ERR_LIMIT_EXCEEDED;
    default: return httpCode >= 500 ? M3M_ERR_UNAVAILABLE : M3M_ERR_INTERNAL;
  }
}

// {ok, result} → result (a value in `scope`); {ok: false, error_code, description} → the error.
View unwrap(const std::string& fn, m3m_scope scope, const std::string& text) {
  View answer;
  try {
    answer = m3m::sdk::parseJson(scope, text);
  } catch (const Error&) {
    throw Error(M3M_ERR_UNAVAILABLE, fn + ": the Bot API answered something that is not JSON");
  }
  if (answer.get("ok").isBool() && answer.get("ok").boolean()) return answer.get("result");
  const View code = answer.get("error_code");
  const std::string description = answer.get("description").isString() ? answer.get("description").str() : "no description";
  const int n = code.isNumber() ? static_cast<int>(code.number()) : 0;
  Json::Object properties = {{"error_code", n}, {"description", description}};
  if (answer.get("parameters").isObject()) properties.emplace_back("parameters", Json::copy(answer.get("parameters")));
  throw Error(codeFor(n), fn + ": Telegram error " + std::to_string(n) + ": " + description, Json::object(std::move(properties)));
}

// The JSON body: options (an object or nothing) plus the named arguments.
std::string body(const std::string& fn, m3m_scope s, std::optional<View> options,
                 std::initializer_list<std::pair<const char*, View>> fields) {
  const auto& h = m3m::sdk::host();
  if (options && !options->isNull() && !options->isObject())
    throw Error(M3M_ERR_INVALID_ARGUMENT, fn + ": options must be an object");
  m3m_value obj = options && options->isObject() ? h.value_copy(s, options->handle()) : h.make_object(s);
  for (const auto& [key, v] : fields) h.object_set(obj, key, std::strlen(key), h.value_copy(s, v.handle()));
  return m3m::sdk::toJson(s, View(obj));
}

View chatId(const std::string& fn, View v) {
  if (!v.isNumber() && !v.isString()) throw Error(M3M_ERR_INVALID_ARGUMENT, fn + ": argument 1 (chatId) must be a number or a string");
  return v;
}

// An async Bot API call: the body is made now (the arguments live until
// return), the request runs on a worker and settles the Pending.
void later(m3m::sdk::Pending p, std::string fn, std::string method, std::string json, std::vector<Part> parts = {}) {
  auto pending = std::make_shared<m3m::sdk::Pending>(std::move(p));
  post([pending, fn, method, json, parts] {
    pending->settle([&] {
      const std::string text = request(fn, method, json, parts.empty() ? nullptr : &parts, settings.timeout,
                                       [pending] { return pending->cancelled(); });
      return Json::copy(unwrap(fn, pending->scope(), text));
    });
  });
}

constexpr size_t kMaxPhoto = 10 << 20;  // the Bot API's limit for an uploaded photo

// The Bot API's objects as the editor shows them (the fields most bots use;
// the others are there too, as unknown).
void declareTypes(m3m::sdk::Module& m) {
  const char* more = "[key: string]";
  m.type({"TelegramUser", "A Telegram user or bot.",
          {{"id", "number"}, {"is_bot", "boolean"}, {"first_name", "string"}, {"last_name?", "string"},
           {"username?", "string"}, {"language_code?", "string"}, {more, "unknown"}}})
      .type({"TelegramChat", "A private chat, group, supergroup or channel.",
             {{"id", "number"}, {"type", "\"private\" | \"group\" | \"supergroup\" | \"channel\""}, {"title?", "string"},
              {"username?", "string"}, {"first_name?", "string"}, {more, "unknown"}}})
      .type({"TelegramPhotoSize", "One size of a photo.",
             {{"file_id", "string", "Sends the photo again: telegram.sendPhoto(chatId, file_id)."},
              {"file_unique_id", "string"}, {"width", "number"}, {"height", "number"}, {"file_size?", "number"}}})
      .type({"TelegramMessage", "A message (https://core.telegram.org/bots/api#message).",
             {{"message_id", "number"}, {"date", "number", "Unix time."}, {"chat", "TelegramChat"},
              {"from?", "TelegramUser"}, {"text?", "string"}, {"caption?", "string"}, {"photo?", "TelegramPhotoSize[]"},
              {more, "unknown"}}})
      .type({"TelegramCallbackQuery", "A press on an inline keyboard button.",
             {{"id", "string", "For telegram.answerCallbackQuery."}, {"from", "TelegramUser"},
              {"message?", "TelegramMessage"}, {"data?", "string"}, {more, "unknown"}}})
      .type({"TelegramUpdate", "An incoming update (getUpdates).",
             {{"update_id", "number"}, {"message?", "TelegramMessage"}, {"edited_message?", "TelegramMessage"},
              {"callback_query?", "TelegramCallbackQuery"}, {more, "unknown"}}});
}

void declare(m3m::sdk::Init& init) {
  const View cfg = init.config();
  if (!cfg.get("bot_token").isString() || cfg.get("bot_token").str().empty())
    throw Error(M3M_ERR_INVALID_ARGUMENT, "plugins.config.telegram.bot_token is required (the token @BotFather gave)");
  settings = Settings{};
  settings.token = cfg.get("bot_token").str();
  if (cfg.get("api_url").isString()) settings.apiUrl = cfg.get("api_url").str();
  while (!settings.apiUrl.empty() && settings.apiUrl.back() == '/') settings.apiUrl.pop_back();
  if (cfg.get("timeout").isNumber()) settings.timeout = static_cast<long>(cfg.get("timeout").number());
  if (settings.timeout < 1) throw Error(M3M_ERR_INVALID_ARGUMENT, "plugins.config.telegram.timeout must be at least 1 (seconds)");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  stopping = false;
  for (int i = 0; i < 2; ++i) workers.emplace_back(&work);

  using m3m::sdk::Call;
  using m3m::sdk::Pending;
  auto m = init.module("telegram", "The Telegram Bot API (https://core.telegram.org/bots/api) for the bot of plugins.config.telegram.");
  declareTypes(m);
  m.async({"getMe", "The bot's own user.", {}, "TelegramUser"},
             [](Pending p) { later(std::move(p), "telegram.getMe", "getMe", "{}"); })
      .async({"sendMessage", "Sends `text` to `chatId`; `options` are sendMessage's other fields (parse_mode, reply_markup, …).",
              {{"chatId", "number | string"}, {"text"}, {"options", "Record<string, unknown>"}}, "TelegramMessage"},
             [](Pending p, Call call, View chat, std::string text, std::optional<View> options) {
               const std::string fn = "telegram.sendMessage";
               chatId(fn, chat);
               m3m_value t = m3m::sdk::host().make_string(call.scope(), text.data(), text.size());
               later(std::move(p), fn, "sendMessage", body(fn, call.scope(), options, {{"chat_id", chat}, {"text", View(t)}}));
             })
      .async({"sendPhoto",
              "Sends a photo: bytes (a Uint8Array) or {path} (a file of the project's storage, at most 10 MB) are "
              "uploaded; a string is a file_id or an HTTP URL Telegram fetches. `options`: caption, parse_mode, "
              "reply_markup, …",
              {{"chatId", "number | string"}, {"photo", "Uint8Array | string | { path: string }"}, {"options", "Record<string, unknown>"}},
              "TelegramMessage"},
             [](Pending p, Call call, View chat, View photo, std::optional<View> options) {
               const std::string fn = "telegram.sendPhoto";
               chatId(fn, chat);
               if (photo.isString()) return later(std::move(p), fn, "sendPhoto", body(fn, call.scope(), options, {{"chat_id", chat}, {"photo", photo}}));
               std::string filename = "photo";
               if (photo.isObject()) {
                 if (!photo.get("path").isString())
                   throw Error(M3M_ERR_INVALID_ARGUMENT, fn + ": argument 2 (photo) as an object needs path, a file of the project's storage");
                 const std::string path = photo.get("path").str();
                 try {
                   photo = call.readFile(path, kMaxPhoto);  // the host checks the path against the project's storage
                 } catch (const Error& e) {
                   throw Error(e.code(), fn + ": photo.path (" + path + "): " + e.what());
                 }
                 filename = path.substr(path.find_last_of('/') + 1);
               }
               if (!photo.isBytes())
                 throw Error(M3M_ERR_INVALID_ARGUMENT, fn + ": argument 2 (photo) must be a Uint8Array, a string or {path}");
               if (options && !options->isNull() && !options->isObject())
                 throw Error(M3M_ERR_INVALID_ARGUMENT, fn + ": options must be an object");
               std::vector<Part> parts;
               parts.push_back({"chat_id", chat.isString() ? chat.str() : m3m::sdk::toJson(call.scope(), chat)});
               if (options && options->isObject())
                 for (size_t i = 0; i < options->size(); ++i) {
                   View v = options->valueAt(i);
                   parts.push_back({options->keyAt(i), v.isString() ? v.str() : m3m::sdk::toJson(call.scope(), v)});
                 }
               parts.push_back({"photo", std::string(photo.data()), filename});
               later(std::move(p), fn, "sendPhoto", "", std::move(parts));
             })
      .async({"answerCallbackQuery", "Answers a callback query (an inline keyboard press); `options`: text, show_alert, …",
              {{"callbackQueryId"}, {"options", "Record<string, unknown>"}}, "boolean"},
             [](Pending p, Call call, std::string id, std::optional<View> options) {
               const std::string fn = "telegram.answerCallbackQuery";
               m3m_value v = m3m::sdk::host().make_string(call.scope(), id.data(), id.size());
               later(std::move(p), fn, "answerCallbackQuery", body(fn, call.scope(), options, {{"callback_query_id", View(v)}}));
             })
      .async({"setWebhook", "Makes Telegram POST updates to `url`; `options`: secret_token, allowed_updates, …",
              {{"url"}, {"options", "Record<string, unknown>"}}, "boolean"},
             [](Pending p, Call call, std::string url, std::optional<View> options) {
               const std::string fn = "telegram.setWebhook";
               m3m_value v = m3m::sdk::host().make_string(call.scope(), url.data(), url.size());
               later(std::move(p), fn, "setWebhook", body(fn, call.scope(), options, {{"url", View(v)}}));
             })
      .async({"deleteWebhook", "Stops webhook delivery (getUpdates works again); `options`: drop_pending_updates.",
              {{"options", "Record<string, unknown>"}}, "boolean"},
             [](Pending p, Call call, std::optional<View> options) {
               const std::string fn = "telegram.deleteWebhook";
               later(std::move(p), fn, "deleteWebhook", body(fn, call.scope(), options, {}));
             })
      .waiting({"getUpdates",
                "Long poll: waits up to options.timeout seconds (default 25) for updates after options.offset, with the "
                "project's JS released meanwhile; returns them (possibly none).",
                {{"options", "{ offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] }"}},
                "TelegramUpdate[]"},
               [](Call call, std::optional<View> options) {
                 const std::string fn = "telegram.getUpdates";
                 const auto& h = m3m::sdk::host();
                 double wait = 25;
                 if (options && options->get("timeout").isNumber()) wait = options->get("timeout").number();
                 if (wait < 0 || wait > 600) throw Error(M3M_ERR_INVALID_ARGUMENT, fn + ": options.timeout must be 0–600 seconds");
                 m3m_value t = h.make_number(call.scope(), wait);
                 const std::string json = body(fn, call.scope(), options, {{"timeout", View(t)}});
                 const std::string text = request(fn, "getUpdates", json, nullptr, static_cast<long>(wait) + settings.timeout,
                                                  [call] { return call.cancelled(); });
                 return Json::copy(unwrap(fn, call.scope(), text));
               });
}

void stopWorkers() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (auto& t : workers) t.join();
  workers.clear();
  jobs.clear();  // their Pendings reject (the host words it: plugin telegram stopped)
  curl_global_cleanup();
}

}  // namespace

M3M_PLUGIN((m3m::sdk::Info{"telegram", "1.0.0", "The Telegram Bot API: messages, photos, long polling, webhooks.", "m3m",
                           "https://core.telegram.org/bots/api"}),
           &declare, &stopWorkers)
