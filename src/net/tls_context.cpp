#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>

namespace quiver::net {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's reason for the last failure, or Asio's message.
std::string Reason(const boost::system::error_code& ec) {
  std::string why = ec.message();
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    why = buf;
  }
  return why;
}

base::Status Unreadable(const char* key, const std::string& file, const std::string& why) {
  return base::Status::BadInput("cannot use " + std::string(key) + " `" + file + "`: " + why);
}

// A clearer message than OpenSSL's for the common case of a missing or unreadable file.
base::Status CheckReadable(const char* key, const std::string& file) {
  std::ifstream in(file);
  if (!in) return Unreadable(key, file, "cannot open the file");
  return base::Status::Ok();
}

}  // namespace

base::Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const TlsOptions& tls) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  QUIVER_RETURN_IF_ERROR(CheckReadable("tls.cert", tls.cert_file));
  ctx->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) return Unreadable("tls.cert", tls.cert_file, Reason(ec));
  QUIVER_RETURN_IF_ERROR(CheckReadable("tls.key", tls.key_file));
  ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec) {
    std::string why = Reason(ec);
    if (why.find("mismatch") != std::string::npos) {
      why = "the key does not match the certificate tls.cert (" + why + ")";
    }
    return Unreadable("tls.key", tls.key_file, why);
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Unreadable("tls.key", tls.key_file, "the key does not match the certificate tls.cert");
  }
  if (tls.verify_client) {
    QUIVER_RETURN_IF_ERROR(CheckReadable("tls.ca_cert", tls.ca_file));
    ctx->load_verify_file(tls.ca_file, ec);
    if (ec) return Unreadable("tls.ca_cert", tls.ca_file, Reason(ec));
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

base::Status HttpServer::CheckTls(const TlsOptions& tls) {
  auto ctx = MakeServerTlsContext(tls);
  return ctx.ok() ? base::Status::Ok() : ctx.status();
}

}  // namespace quiver::net
