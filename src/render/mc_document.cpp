// JSON or YAML text → JSON tree (see machineconfig.h load_document).
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "json_util.h"
#include "machineconfig.h"
#include "text.h"

namespace imageswitch {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;
/// Most values a document may expand to: YAML aliases share nodes, so "billion laughs" input
/// would otherwise expand exponentially.
constexpr std::size_t kMaxValues = 1u << 20;

/// A plain YAML 1.1 integer ("12", "-3", "0644" octal, "0x1f" hex) as go-yaml v2 reads it.
std::optional<long long> yaml_int(const std::string& s) {
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i >= s.size()) return std::nullopt;
  int base = 10;
  std::size_t digits = i;
  if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    digits = i + 2;
  } else if (s.size() > i + 1 && s[i] == '0') {
    base = 8;
    digits = i + 1;
  }
  for (std::size_t k = digits; k < s.size(); ++k) {
    const char c = s[k];
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                               : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str() + digits, &end, base);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return s[0] == '-' ? -v : v;
}

/// One plain scalar, typed.
json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto n = yaml_int(s)) return *n;
  return s;
}

Result<json> convert(const YAML::Node& node, int depth, std::size_t& budget) {
  if (depth > kMaxDepth) return make_error(ErrorKind::Usage, "document nested too deeply");
  if (budget == 0) return make_error(ErrorKind::Usage, "document expands to too many values");
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) {
        auto v = convert(item, depth + 1, budget);
        if (!v) return v.error();
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          return make_error(ErrorKind::Usage, "a mapping key is not a string");
        if (out.contains(kv.first.Scalar()))  // the API server refuses it too (strict decoding)
          return make_error(ErrorKind::Usage,
                            "key '" + printable(kv.first.Scalar(), 128) + "' given twice");
        auto v = convert(kv.second, depth + 1, budget);
        if (!v) return v.error();
        out[kv.first.Scalar()] = std::move(*v);
      }
      return out;
    }
  }
  return json(nullptr);
}

}  // namespace

Result<json> load_document(std::string_view text) {
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  if (first < text.size() && text[first] == '{') {
    auto doc = parse_json_strict(text, "JSON document", {text.size(), kMaxDepth});
    if (!doc) return make_error(ErrorKind::Usage, doc.error().message);
    return doc;
  }
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    std::size_t budget = kMaxValues;
    return convert(root, 0, budget);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorKind::Usage, std::string("not valid YAML: ") + e.what());
  } catch (const std::exception& e) {
    return make_error(ErrorKind::Usage, std::string("cannot read the document: ") + e.what());
  }
}

}  // namespace imageswitch
