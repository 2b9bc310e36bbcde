// A response's status line and headers as bytes (the server writes them in
// one buffer with a small body: Beast's generic serializer cost ~17k
// instructions per small response under callgrind).
#pragma once

#include <string>

#include "http/message.hpp"

namespace m3m::http {

// 1xx, 204 and 304 carry no body (nor a Content-Length).
inline bool bodyAllowed(int status) { return status >= 200 && status != 204 && status != 304; }

// Replaces `head` with the head of `res` for an HTTP/1.`minor` exchange
// (10 or 11, Beast's numbering). Framing headers are ours (a handler's
// Content-Length, Transfer-Encoding, Connection and Server are ignored), and
// a header whose name has CR, LF or ':' or whose value has CR or LF is
// dropped: a script must not be able to split the response.
void formatResponseHead(const Response& res, unsigned version, bool close, std::string& head);

}  // namespace m3m::http
