#include "runtime/http/extra_trust.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <stdexcept>

namespace m3m::runtime::http {

std::shared_ptr<const ExtraTrust> ExtraTrust::load(const std::string& pemFile) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(pemFile.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error("cannot read the CA file " + pemFile);
  std::shared_ptr<ExtraTrust> trust(new ExtraTrust());
  while (X509* cert = PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) trust->certs_.push_back(cert);
  ERR_clear_error();  // the read that ended the loop leaves "no start line"
  if (trust->certs_.empty()) throw std::runtime_error("no PEM certificate in the CA file " + pemFile);
  return trust;
}

ExtraTrust::~ExtraTrust() {
  for (X509* c : certs_) X509_free(c);
}

void ExtraTrust::apply(CURL* easy) const {
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &ExtraTrust::addToStore);
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, const_cast<ExtraTrust*>(this));
}

CURLcode ExtraTrust::addToStore(CURL*, void* sslCtx, void* self) {
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(sslCtx));
  if (!store) return CURLE_SSL_CACERT_BADFILE;
  for (X509* c : static_cast<const ExtraTrust*>(self)->certs_) X509_STORE_add_cert(store, c);  // a duplicate is fine
  ERR_clear_error();
  return CURLE_OK;
}

}  // namespace m3m::runtime::http
