// Requests for a project that another node runs (several nodes on one
// MongoDB, issue 21): handlers hand them to the owner node through this
// interface (src/http/proxy/forwarder.*); on one node there is none and
// every request is answered here. Plain types: no networking headers.
#pragma once

#include <string>
#include <string_view>

#include "http/pipeline.hpp"

namespace m3m::http {

class Forwarding {
 public:
  // Set on every forwarded request (value: the forwarding node's id). A
  // request that carries it is never forwarded again: a node that does not
  // run the project answers it itself (503 for a project route).
  static constexpr std::string_view kMarker = "X-M3M-Forwarded-By";

  virtual ~Forwarding() = default;
  // A public project route (/r/{slug}/…) of a project this node does not run.
  // True when the request was taken (forwarded to the owner, or refused as
  // already forwarded); false when nobody else runs it (answer it here).
  virtual bool route(const std::string& slug, Request& req, Respond& respond) = 0;
  // A runtime admin call (status, schedules, logs, stop, restart) for a project
  // this node does not run, after the caller's access was checked here. True
  // when forwarded. `stream`: the owner's answer may be a stream (SSE), relayed
  // chunk by chunk.
  virtual bool admin(const std::string& projectId, Request& req, Respond& respond, bool stream) = 0;
};

}  // namespace m3m::http
