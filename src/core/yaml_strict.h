// Refusing YAML that two readers could read differently: yaml-cpp keeps a repeated mapping key and
// answers the first one, Go's yaml.v3 (containers/image's registries.d) refuses it and other
// readers take the last. Header-only, so core itself links no yaml-cpp: only the layers that
// parse YAML (trust: registries.d, cluster: kubeconfig, render: MachineConfig) include it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <set>
#include <string>

namespace imageswitch {

/// Limits of the walk: aliases can make a small file a huge tree ("billion laughs").
struct YamlLimits {
  std::size_t max_depth = 64;
  std::size_t max_nodes = 200000;
};

namespace yaml_strict_detail {

inline std::string walk(const YAML::Node& node, const std::string& where, std::size_t depth,
                        std::size_t& budget, const YamlLimits& limits) {
  if (depth > limits.max_depth)
    return "nested deeper than " + std::to_string(limits.max_depth) + " levels at '" + where + "'";
  if (budget == 0) return "too many nodes (limit " + std::to_string(limits.max_nodes) + ")";
  --budget;
  const std::string prefix = where.empty() ? "" : where + ".";
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      if (auto why =
              walk(node[i], where + "[" + std::to_string(i) + "]", depth + 1, budget, limits);
          !why.empty())
        return why;
  } else if (node.IsMap()) {
    std::set<std::string> keys;
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
      if (entry.first.IsScalar() && !keys.insert(key).second)
        return "key '" + prefix + key + "' given twice";
      if (auto why = walk(entry.second, prefix + key, depth + 1, budget, limits); !why.empty())
        return why;
    }
  }
  return "";
}

}  // namespace yaml_strict_detail

/// Why `root` must be refused: a key repeated in one mapping ("key 'a.b' given twice"), nesting
/// deeper than `limits.max_depth`, or more than `limits.max_nodes` nodes; "" when it may be read.
inline std::string yaml_refusal(const YAML::Node& root, YamlLimits limits = {}) {
  std::size_t budget = limits.max_nodes;
  return yaml_strict_detail::walk(root, "", 0, budget, limits);
}

}  // namespace imageswitch
