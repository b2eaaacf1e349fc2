// registries.conf(5) v2: per-prefix locations, mirrors, insecure and blocked sources → the ordered
// list of endpoints to contact for a logical reference.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "image_ref.h"
#include "result.h"

namespace imageswitch {

/// When a mirror may be used.
enum class PullFromMirror { All, DigestOnly, TagOnly };

/// One [[registry.mirror]].
struct MirrorConf {
  std::string location;
  bool insecure = false;
  PullFromMirror pull_from = PullFromMirror::All;
};

/// One [[registry]].
struct RegistryConf {
  std::string prefix;    ///< "host[/ns[/repo]]" or "*.domain"
  std::string location;  ///< replacement for the prefix; "" keeps the reference's own name
  bool insecure = false;
  bool blocked = false;
  std::vector<MirrorConf> mirrors;
};

/// The parsed file.
struct RegistriesConf {
  std::vector<RegistryConf> registries;
};

/// A repository to contact: "host[:port]/path" plus whether plain HTTP / unverified TLS is allowed.
struct Endpoint {
  std::string repository;
  bool insecure = false;
  bool mirror = false;
  /// "host[:port]".
  std::string host() const { return repository.substr(0, repository.find('/')); }
  /// The host to connect to: Docker Hub's API lives at registry-1.docker.io.
  std::string wire_host() const { return host() == "docker.io" ? "registry-1.docker.io" : host(); }
  /// The path after the host.
  std::string path() const;
};

/// Parses the TOML text of a registries.conf named `origin`.
Result<RegistriesConf> parse_registries_conf(std::string_view text, std::string_view origin);

/// Reads `path`; a missing file yields an empty configuration.
Result<RegistriesConf> load_registries_conf(const std::string& path);

/// The endpoints for `ref` in the order to try: applicable mirrors, then the source unless
/// blocked. A blocked source with no usable mirror is a Degraded error.
Result<std::vector<Endpoint>> endpoints_for(const RegistriesConf& conf, const ImageRef& ref);

}  // namespace imageswitch
