// Reading a MachineConfig as `oc get mc NAME -o yaml` (or -o json) prints it.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "render_types.h"
#include "result.h"

namespace imageswitch {

/// The document `text` (JSON when it starts with '{', YAML otherwise) as a JSON tree. YAML plain
/// scalars are typed as go-yaml v2 types them (sigs.k8s.io/yaml, YAML 1.1): true/false, null,
/// integers (0644 is octal), everything else a string; quoted scalars stay strings.
Result<nlohmann::json> load_document(std::string_view text);

/// Every field of the MachineConfig in `text` that imageswitch-render uses, and every problem
/// (unknown fields, refused content, bad values). `arch` is the canonical target architecture
/// ("" = unknown). Never throws.
ParsedMachineConfig parse_machineconfig(std::string_view text, std::string_view arch);

}  // namespace imageswitch
