// The `smtp` module: mail through the server's SMTP relay (config `smtp.*`).
// smtp.send(message) builds the MIME message (lib/mime.hpp) while it holds
// the isolate — arguments, storage files and Mustache templates
// (smtp_templates.cpp) are read then — and sends it with libcurl's SMTP client
// in a waiting call (smtp_exchange.cpp): the isolate is left for the whole
// exchange, so other tasks of the project run meanwhile.
// smtp.sendAsync(message) is the same send started from a timer task (so its
// wait leaves the isolate too) and answered as a Promise.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <set>

#include <string>

#include "lib/mime.hpp"
#include "lib/units.hpp"
#include "runtime/modules/smtp_parts.hpp"

namespace m3m::runtime {

void smtp::invalid(const std::string& message) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "smtp.send: " + message);
}

namespace {

using smtp::invalid;
using smtp::Prepared;

constexpr size_t kMaxRecipients = 100;          // to + cc + bcc
constexpr size_t kMaxAttachments = 50;
constexpr size_t kMaxHeaders = 50;
constexpr size_t kMaxMessageBytes = 25u << 20;  // the message as sent (base64 included)
constexpr size_t kMaxTemplateBytes = 1u << 20;  // one template file
constexpr size_t kMaxSubjectBytes = 998;        // after rendering

// ---- reading the message ---------------------------------------------------

std::optional<std::string> optionalString(const Value& msg, const char* key) {
  auto it = msg.find(key);
  if (it == msg.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) invalid(std::string(key) + " must be a string");
  return it->get<std::string>();
}

lib::mime::Address addressOf(const Value& v, const std::string& what) {
  if (v.is_string()) return lib::mime::parseAddress(v.get<std::string>(), what);
  if (v.is_object()) {
    auto addr = v.find("address");
    if (addr == v.end() || !addr->is_string()) invalid(what + ".address must be a string");
    lib::mime::Address a;
    a.email = addr->get<std::string>();
    if (auto name = v.find("name"); name != v.end() && !name->is_null()) {
      if (!name->is_string()) invalid(what + ".name must be a string");
      a.name = name->get<std::string>();
    }
    lib::mime::parseAddress(a.email, what);  // checks the address alone (no "Name <…>" inside)
    if (a.email.find('<') != std::string::npos) invalid(what + ".address must be a bare address");
    return a;
  }
  invalid(what + " must be an address string or {name, address}");
}

std::vector<lib::mime::Address> addressesOf(const Value& msg, const char* key) {
  std::vector<lib::mime::Address> out;
  auto it = msg.find(key);
  if (it == msg.end() || it->is_null()) return out;
  if (it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) out.push_back(addressOf((*it)[i], std::string(key) + "[" + std::to_string(i) + "]"));
  } else {
    out.push_back(addressOf(*it, key));
  }
  return out;
}

std::string readTemplate(StorageBackend* storage, const std::string& projectId, const Value& path, const std::string& what) {
  if (!path.is_string() || path.get<std::string>().empty()) invalid(what + " must be a path in the project's storage");
  if (!storage) throw Error(ErrorCode::UNAVAILABLE, "smtp.send: the project's storage is not available in this runtime");
  std::string text;
  try {
    text = storage->read(projectId, path.get<std::string>());
  } catch (const Error& e) {
    throw Error(e.code(), "smtp.send: " + what + " (" + path.get<std::string>() + "): " + e.what(), e.fields());
  }
  if (text.size() > kMaxTemplateBytes)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "smtp.send: " + what + " is larger than " + lib::formatSize(kMaxTemplateBytes));
  return text;
}

bool isHtmlPath(const std::string& p) {
  auto dot = p.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = p.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == "html" || ext == "htm" || ext == "mustache" || ext == "hbs";
}

Prepared prepare(const Value& msg, const SmtpSettings& cfg, StorageBackend* storage, const std::string& projectId) {
  if (!msg.is_object()) invalid("argument 1 (message) must be an object");
  static const std::set<std::string> known = {"to", "cc", "bcc", "from", "replyTo", "subject", "text", "html",
                                              "template", "data", "attachments", "headers"};
  for (const auto& [k, v] : msg.items())
    if (!known.count(k)) invalid("unknown field \"" + k + "\" (fields: to, cc, bcc, from, replyTo, subject, text, html, template, data, attachments, headers)");

  lib::mime::Message m;
  if (auto from = msg.find("from"); from != msg.end() && !from->is_null()) m.from = addressOf(*from, "from");
  else if (!cfg.from.empty()) m.from = lib::mime::parseAddress(cfg.from, "smtp.from (server config)");
  else invalid("no sender: give `from` or set smtp.from in the server config");
  m.to = addressesOf(msg, "to");
  m.cc = addressesOf(msg, "cc");
  const auto bcc = addressesOf(msg, "bcc");
  m.replyTo = addressesOf(msg, "replyTo");

  Prepared out;
  out.mailFrom = m.from.email;
  std::set<std::string> seen;
  const std::vector<lib::mime::Address>* lists[] = {&m.to, &m.cc, &bcc};
  for (const auto* list : lists)
    for (const auto& a : *list) {
      std::string key = a.email;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      if (seen.insert(key).second) out.recipients.push_back(a.email);
    }
  if (out.recipients.empty()) invalid("no recipient: give at least one of to, cc, bcc");
  if (out.recipients.size() > kMaxRecipients)
    invalid("at most " + std::to_string(kMaxRecipients) + " recipients per message (to + cc + bcc), got " +
            std::to_string(out.recipients.size()));

  // Subject, text and HTML: templates when `data` is given; `template` names files in storage.
  auto subject = optionalString(msg, "subject");
  m.text = optionalString(msg, "text");
  m.html = optionalString(msg, "html");
  const auto dataIt = msg.find("data");
  const bool templated = dataIt != msg.end() && !dataIt->is_null();
  if (templated && !dataIt->is_object()) invalid("data must be an object");
  const mstch::node data = templated ? smtp::toNode(*dataIt) : mstch::node(mstch::map{});

  if (auto t = msg.find("template"); t != msg.end() && !t->is_null()) {
    Value files = Value::object();
    if (t->is_string()) files[isHtmlPath(t->get<std::string>()) ? "html" : "text"] = *t;
    else if (t->is_object()) files = *t;
    else invalid("template must be a storage path or {html?, text?}");
    for (const auto& [k, v] : files.items()) {
      if (k != "html" && k != "text") invalid("template." + k + ": only html and text templates exist");
      auto& slot = k == "html" ? m.html : m.text;
      if (slot) invalid("give either " + k + " or template." + k + ", not both");
      slot = smtp::render(readTemplate(storage, projectId, v, "template." + k), data, k == "html", "template." + k);
    }
  } else if (templated) {
    if (m.text) m.text = smtp::render(*m.text, data, false, "text");
    if (m.html) m.html = smtp::render(*m.html, data, true, "html");
  }
  if (subject) {
    if (templated) subject = smtp::render(*subject, data, false, "subject");
    if (subject->size() > kMaxSubjectBytes) invalid("subject is longer than " + std::to_string(kMaxSubjectBytes) + " bytes");
    m.subject = *subject;
  }

  size_t total = m.subject.size() + (m.text ? m.text->size() : 0) + (m.html ? m.html->size() : 0);
  auto tooLarge = [&] {
    if (total > kMaxMessageBytes)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "smtp.send: the message is larger than " + lib::formatSize(kMaxMessageBytes));
  };

  if (auto h = msg.find("headers"); h != msg.end() && !h->is_null()) {
    if (!h->is_object()) invalid("headers must be an object of name → string");
    if (h->size() > kMaxHeaders) invalid("at most " + std::to_string(kMaxHeaders) + " headers");
    for (const auto& [k, v] : h->items()) {
      if (!v.is_string()) invalid("headers[\"" + k + "\"] must be a string");
      m.headers.emplace_back(k, v.get<std::string>());
    }
  }

  if (auto list = msg.find("attachments"); list != msg.end() && !list->is_null()) {
    if (!list->is_array()) invalid("attachments must be an array");
    if (list->size() > kMaxAttachments) invalid("at most " + std::to_string(kMaxAttachments) + " attachments");
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& a = (*list)[i];
      const std::string what = "attachments[" + std::to_string(i) + "]";
      if (!a.is_object()) invalid(what + " must be {filename, content, contentType?}");
      lib::mime::Attachment att;
      auto content = a.find("content");
      if (content == a.end() || content->is_null()) invalid(what + ".content is required");
      if (content->is_string()) {
        att.bytes = content->get<std::string>();
      } else if (content->is_binary()) {
        att.bytes.assign(content->get_binary().begin(), content->get_binary().end());
      } else if (content->is_object() && content->contains("path") && content->at("path").is_string()) {
        const std::string path = content->at("path").get<std::string>();
        if (!storage) throw Error(ErrorCode::UNAVAILABLE, "smtp.send: the project's storage is not available in this runtime");
        try {
          att.bytes = storage->read(projectId, path);
        } catch (const Error& e) {
          throw Error(e.code(), "smtp.send: " + what + ".content.path (" + path + "): " + e.what(), e.fields());
        }
      } else {
        invalid(what + ".content must be a string, a Uint8Array, an ArrayBuffer or {path}");
      }
      if (auto fn = a.find("filename"); fn != a.end() && fn->is_string()) att.filename = fn->get<std::string>();
      else if (content->is_object() && content->contains("path")) {
        const std::string p = content->at("path").get<std::string>();
        att.filename = p.substr(p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/') + 1);
      } else invalid(what + ".filename must be a string");
      if (att.filename.size() > 255) invalid(what + ".filename is longer than 255 bytes");
      if (auto ct = a.find("contentType"); ct != a.end() && !ct->is_null()) {
        if (!ct->is_string()) invalid(what + ".contentType must be a string");
        att.contentType = ct->get<std::string>();
      }
      total += att.bytes.size();
      tooLarge();
      m.attachments.push_back(std::move(att));
    }
  }
  tooLarge();

  try {
    auto built = lib::mime::build(m);
    out.messageId = std::move(built.messageId);
    out.data = std::move(built.data);
  } catch (const Error& e) {
    invalid(e.what());
  }
  if (out.data.size() > kMaxMessageBytes)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "smtp.send: the encoded message is larger than " + lib::formatSize(kMaxMessageBytes));
  return out;
}


constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  // Attachments' bytes (any ArrayBuffer or view) reach the host as bytes. sendAsync
  // sends later: it copies them now, so that changes made meanwhile are not sent.
  const prepare = (message) => {
    if (message === null || typeof message !== 'object') return message;  // the host says what is wrong
    const list = message.attachments;
    if (list === undefined || list === null || !Array.isArray(list)) return message;
    return Object.assign({}, message, {
      attachments: list.map((a) => {
        const c = a && typeof a === 'object' ? a.content : null;
        if (c instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && c instanceof SharedArrayBuffer))
          return Object.assign({}, a, { content: c.slice(0) });
        if (ArrayBuffer.isView(c)) return Object.assign({}, a, { content: new Uint8Array(c.buffer, c.byteOffset, c.byteLength).slice() });
        return a;
      }),
    });
  };
  const send = (message) => native.send(message);
  const sendAsync = (message) => {
    let prepared;
    try { prepared = prepare(message); } catch (e) { return Promise.reject(e); }  // e.g. a throwing getter
    // From a timer task, the send's wait leaves the isolate (docs/runtime.md, "Concurrency").
    return new Promise((resolve, reject) => {
      setTimeout(() => { try { resolve(native.send(prepared)); } catch (e) { reject(e); } }, 0);
    });
  };
  return Object.freeze({ send, sendAsync });
})js";

Type mailMessage() {
  const Type address = t::named("M3MMailAddress",
                                t::oneOf({t::string(), t::object({t::field("name", t::optional(t::string())),
                                                                  t::field("address", t::string())})}),
                                "\"Ada <ada@example.com>\", \"ada@example.com\" or {name, address}.");
  const Type addresses = t::optional(t::oneOf({address, t::array(address)}));
  const Type attachment = t::named(
      "M3MMailAttachment",
      t::object({
          t::field("filename", t::optional(t::string()), "Defaults to the file name of `content.path`."),
          t::field("content", t::oneOf({t::string(), t::bytes(), t::object({t::field("path", t::string())})}),
                   "Text (sent as UTF-8), bytes, or a file of the project's storage."),
          t::field("contentType", t::optional(t::string()),
                   "Defaults from the filename's extension, else application/octet-stream."),
      }));
  return t::named(
      "M3MMailMessage",
      t::object({
          t::field("to", addresses),
          t::field("cc", addresses),
          t::field("bcc", addresses, "In the envelope only, never in the headers."),
          t::field("from", t::optional(address), "Defaults to smtp.from of the server config."),
          t::field("replyTo", addresses),
          t::field("subject", t::optional(t::string())),
          t::field("text", t::optional(t::string())),
          t::field("html", t::optional(t::string())),
          t::field("template",
                   t::optional(t::oneOf({t::string(), t::object({t::field("html", t::optional(t::string())),
                                                                   t::field("text", t::optional(t::string()))})})),
                   "A Mustache template in the project's storage: \"mail/welcome.html\" is the HTML body (other "
                   "extensions: the text body), or {html, text}."),
          t::field("data", t::optional(t::record(t::unknown())),
                   "Values for the templates: with `data`, subject, text and html are Mustache templates too."),
          t::field("attachments", t::optional(t::array(attachment))),
          t::field("headers", t::optional(t::record(t::string())), "Extra headers (\"X-Campaign\": \"spring\"); CR/LF refused."),
      }));
}

Type mailResult() {
  return t::named("M3MMailResult",
                  t::object({
                      t::field("messageId", t::string(), "\"<…@sender.domain>\""),
                      t::field("accepted", t::array(t::string()), "Recipients the server accepted."),
                      t::field("rejected", t::array(t::string()),
                               "Recipients the server refused (the message went to the others)."),
                  }));
}

}  // namespace

ModuleSchema smtpModule(SmtpSettings settings, std::shared_ptr<StorageBackend> storage) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // once, before any thread sends (idempotent, counted)
  const SmtpSettings cfg = std::move(settings);
  const Type message = mailMessage();
  return ModuleBuilder("smtp", "Mail through the server's SMTP relay (config smtp.*). Failures throw an Error with .code.")
      .scriptFunction("send", {param("message", message)}, mailResult(),
                      "Sends one message; a waiting call (other tasks of the project run meanwhile).\n"
                      "@example smtp.send({to: 'ada@example.com', subject: 'Hi', text: 'Hello!'})")
      .scriptFunction("sendAsync", {param("message", message)}, t::promise(mailResult()),
                      "The same as a Promise.\n"
                      "@example const r = await smtp.sendAsync({to: 'ada@example.com', subject: 'Hi', text: 'Hello!'})")
      // The message is checked by prepare(), whose messages name the field ("smtp.send: to[1] must be…").
      .function("send", {param("message", t::unknown())}, t::unknown(), "The wrapper's send and sendAsync.",
                [cfg, storage](CallContext& ctx, const Args& a) -> Value {
                  if (cfg.host.empty())
                    throw Error(ErrorCode::UNAVAILABLE,
                                "smtp.send: no SMTP server configured (set smtp.host, or M3M_SMTP_HOST, in the server config)");
                  // Everything is read while the isolate is held; the wait touches no JS value.
                  Prepared mail;
                  try {
                    mail = prepare(a.at(0), cfg, storage.get(), ctx.projectId());
                  } catch (const Error& e) {
                    if (std::string_view(e.what()).rfind("smtp.send:", 0) == 0) throw;
                    throw Error(e.code(), std::string("smtp.send: ") + e.what(), e.fields());
                  }
                  return smtp::send(ctx, cfg, std::move(mail));
                })
      .internal()
      .wrapper(kWrapper)
      .build();
}

}  // namespace m3m::runtime
