// CA certificates trusted *besides* the system store, for every TLS
// connection libcurl opens (runtime.http.ca_file, smtp.ca_file).
// CURLOPT_CAINFO would replace the system store — a private CA would then
// cost the trust of every public site — so they are added to each new
// connection's store instead. Read once; shared by the handles that use it.
#pragma once

#include <curl/curl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace m3m::runtime::http {

class ExtraTrust {
 public:
  // Throws std::runtime_error naming the file when it cannot be read or holds no certificate.
  static std::shared_ptr<const ExtraTrust> load(const std::string& pemFile);
  ~ExtraTrust();
  ExtraTrust(const ExtraTrust&) = delete;
  ExtraTrust& operator=(const ExtraTrust&) = delete;

  // Makes `easy`'s TLS connections trust these too; `this` must outlive its transfers.
  void apply(CURL* easy) const;
  std::size_t size() const { return certs_.size(); }

 private:
  ExtraTrust() = default;
  static CURLcode addToStore(CURL*, void* sslCtx, void* self);
  std::vector<X509*> certs_;
};

}  // namespace m3m::runtime::http
