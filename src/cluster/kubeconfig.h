// The kubelet's kubeconfig → where the API server is and how to authenticate (client certificate
// or bearer token). Only the current context is read; file paths are relative to the kubeconfig.
#pragma once

#include <string>
#include <string_view>

#include "http_client.h"
#include "result.h"

namespace imageswitch {

/// The parts of a kubeconfig we use. The token and key never appear in messages.
struct KubeConfig {
  std::string server;  ///< "https://host:port", without a trailing slash
  TlsOptions tls;      ///< CA and client certificate/key (files or PEM data)
  std::string token;   ///< bearer token (from `token` or `tokenFile`); empty if none
};

/// Parses kubeconfig YAML `text` (named `origin` in messages); relative paths resolve against
/// `base_dir`. A malformed file is a Usage error naming the field.
Result<KubeConfig> parse_kubeconfig(std::string_view text, std::string_view origin,
                                    const std::string& base_dir);

/// Reads and parses the kubeconfig at `path`.
Result<KubeConfig> load_kubeconfig(const std::string& path);

}  // namespace imageswitch
