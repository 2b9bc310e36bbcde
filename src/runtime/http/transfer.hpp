// One outbound transfer as the engine drives it: its request (changed from hop
// to hop by redirects), the easy handle of the current hop, and what came back.
// Internal to runtime/http; the engine (http_client.cpp) owns these.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "runtime/http/extra_trust.hpp"
#include "runtime/http/http_client.hpp"

namespace m3m::runtime::http {

struct Transfer {
  std::uint64_t id = 0;
  Request request;
  std::string originalUrl;
  Done done;
  std::chrono::steady_clock::time_point deadline;
  int hop = 0;
  std::atomic<bool> aborted{false};
  // Set last by the engine's start(): it may call back into the engine.
  std::optional<std::stop_callback<std::function<void()>>> onStop;

  // The current hop.
  const OutboundPolicy* policy = nullptr;
  std::string host;
  Response response;
  bool tooLarge = false;
  std::string denied;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy{nullptr, &curl_easy_cleanup};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList{nullptr, &curl_slist_free_all};
  char errorText[CURL_ERROR_SIZE] = {};
};

// Checks the hop's URL against the policy and configures its easy handle
// (reused from the previous hop when there is one); CURLSH shares TLS sessions.
// Throws Failure (INVALID, DENIED, TIMEOUT) when the hop cannot start.
void prepareHop(Transfer& t, const OutboundPolicy& policy, const ExtraTrust* trust, CURLSH* share);

// The Failure a finished hop's curl result stands for.
Failure failureOf(const Transfer& t, CURLcode rc);

// After a hop answered: true when the request was rewritten for the next hop
// (a redirect to follow); false when `t.response` is the answer. Throws
// Failure(REDIRECTS) past the limit.
bool followRedirect(Transfer& t, const ClientOptions& options);

}  // namespace m3m::runtime::http
