#include "kubeconfig.h"

#include "base64.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "fileutil.h"
#include "yaml_strict.h"

namespace imageswitch {
namespace {

Error bad(std::string_view origin, const std::string& what) {
  return make_error(ErrorKind::Usage, "Failed to parse kubeconfig '" + std::string(origin) +
                                          "': " + what + "; check the kubelet's kubeconfig");
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) return "";
  return value.as<std::string>();
}

/// The `field` (e.g. "cluster") of the entry named `name` in the list `list`.
YAML::Node find_named(const YAML::Node& root, const char* list, const std::string& name,
                      const char* field) {
  const YAML::Node entries = root[list];
  if (!entries || !entries.IsSequence()) return YAML::Node();
  for (const auto& entry : entries) {
    if (entry.IsMap() && scalar(entry, "name") == name && entry[field]) return entry[field];
  }
  return YAML::Node();
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

/// Loads `<key>-data` (base64) into `pem`, or `<key>` (a path) into `file`.
Result<void> file_or_data(const YAML::Node& node, const std::string& key, std::string_view origin,
                          const std::string& base_dir, std::string& file, std::string& pem) {
  const std::string data = scalar(node, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = base64_decode(data);
    if (!decoded) return bad(origin, "'" + key + "-data' is not valid base64");
    pem = std::move(*decoded);
    return {};
  }
  file = resolve(base_dir, scalar(node, key.c_str()));
  return {};
}

Result<KubeConfig> parse_tree(const YAML::Node& root, std::string_view origin,
                              const std::string& base_dir) {
  if (!root.IsMap()) return bad(origin, "not a YAML mapping");
  std::string context_name = scalar(root, "current-context");
  const YAML::Node contexts = root["contexts"];
  if (context_name.empty() && contexts && contexts.IsSequence() && contexts.size() == 1)
    context_name = scalar(contexts[0], "name");
  if (context_name.empty()) return bad(origin, "no 'current-context'");
  const YAML::Node context = find_named(root, "contexts", context_name, "context");
  if (!context || !context.IsMap()) return bad(origin, "context '" + context_name + "' not found");
  const std::string cluster_name = scalar(context, "cluster");
  const YAML::Node cluster = find_named(root, "clusters", cluster_name, "cluster");
  if (!cluster || !cluster.IsMap()) return bad(origin, "cluster '" + cluster_name + "' not found");
  KubeConfig config;
  config.server = scalar(cluster, "server");
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0)
    return bad(origin, "cluster '" + cluster_name + "' has no https:// 'server'");
  TRY(file_or_data(cluster, "certificate-authority", origin, base_dir, config.tls.ca_file,
                   config.tls.ca_pem));
  const std::string user_name = scalar(context, "user");
  const YAML::Node user = find_named(root, "users", user_name, "user");
  if (!user || !user.IsMap()) return bad(origin, "user '" + user_name + "' not found");
  TRY(file_or_data(user, "client-certificate", origin, base_dir, config.tls.cert_file,
                   config.tls.cert_pem));
  TRY(file_or_data(user, "client-key", origin, base_dir, config.tls.key_file, config.tls.key_pem));
  config.token = scalar(user, "token");
  if (const std::string token_file = scalar(user, "tokenFile");
      config.token.empty() && !token_file.empty()) {
    auto token = read_file(resolve(base_dir, token_file), 64 << 10);
    if (!token) return bad(origin, "cannot read 'tokenFile': " + token.error().message);
    config.token = *token;
    while (!config.token.empty() && std::isspace(static_cast<unsigned char>(config.token.back())))
      config.token.pop_back();
  }
  const bool has_cert = !config.tls.cert_file.empty() || !config.tls.cert_pem.empty();
  const bool has_key = !config.tls.key_file.empty() || !config.tls.key_pem.empty();
  if (has_cert != has_key)
    return bad(origin,
               "user '" + user_name + "' has a client certificate without a key or the reverse");
  if (!has_cert && config.token.empty())
    return bad(origin, "user '" + user_name + "' has neither a client certificate nor a token");
  return config;
}

}  // namespace

Result<KubeConfig> parse_kubeconfig(std::string_view text, std::string_view origin,
                                    const std::string& base_dir) {
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (const std::string why = yaml_refusal(root); !why.empty()) return bad(origin, why);
    return parse_tree(root, origin, base_dir);
  } catch (const YAML::Exception& e) {
    return bad(origin, std::string("invalid YAML: ") + e.what());
  }
}

Result<KubeConfig> load_kubeconfig(const std::string& path) {
  auto text = read_file(path, 4 << 20);
  if (!text) return wrap("Failed to read kubeconfig '" + path + "'", text.error());
  return parse_kubeconfig(*text, path, std::filesystem::path(path).parent_path().string());
}

}  // namespace imageswitch
