// How a failed registry request is classified for the exit-code table (RegistryClient members
// kept apart from the request code in registry.cpp).
#include "registry.h"

namespace imageswitch {

Error RegistryClient::no_credentials(const Endpoint& ep) const {
  return make_error(ErrorKind::Usage, "Failed to authenticate to '" + ep.host() +
                                          "': the registry requires authentication and the auth "
                                          "file has no credentials for '" +
                                          ep.repository + "'");
}

// Exit-code table: credentials the registry refuses are the cluster's to fix (1, kept as
// Degraded), credentials missing from the auth file and TLS trust or plain HTTP not allowed by
// registries.conf / certs.d are local files (2), everything else on the wire may pass (75).
Result<HttpResponse> RegistryClient::classify_failure(const Endpoint& ep,
                                                      Result<HttpResponse> result) {
  if (result && result->status == 401 && !options_.auth.lookup(ep.repository))
    return no_credentials(ep);
  if (result || result.error().kind != ErrorKind::Temporary || ep.insecure) return result;
  // A transport failure over verified TLS: find out whether TLS itself is the cause.
  const std::string host = ep.wire_host();
  if (answers_unverified("https", host))
    return make_error(ErrorKind::Usage,
                      "Failed to connect to '" + ep.host() +
                          "': its TLS certificate is not trusted (put its CA in " +
                          options_.certs_d + "/" + ep.host() + "/*.crt)");
  if (answers_unverified("http", host))
    return make_error(ErrorKind::Usage, "Failed to connect to '" + ep.host() +
                                            "': it speaks plain HTTP, which only a registry marked "
                                            "'insecure = true' in registries.conf may use");
  return result;
}

}  // namespace imageswitch
