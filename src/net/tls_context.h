// The server's TLS context (OpenSSL through Asio). Internal to net/: only http_server.cpp includes
// this, so that Asio's SSL headers stay out of everything else.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "base/status.h"
#include "net/http_server.h"

namespace quiver::net {

// TLS 1.2+ with the certificate chain and private key of `tls`; with verify_client, clients must
// present a certificate signed by a CA in `ca_file`. BadInput naming the file and the reason when
// a file cannot be read or the key does not match the certificate.
base::Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const TlsOptions& tls);

}  // namespace quiver::net
