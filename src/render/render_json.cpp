// render.json writer (see render_json.h). nlohmann::json keeps object keys sorted, so the text is
// the same for the same plan.
#include "render_json.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace imageswitch {
namespace {

using nlohmann::json;

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

json owner_json(const Owner& owner) {
  if (owner.id) return *owner.id;
  return owner.name.empty() ? json(0) : json(owner.name);
}

json entry(const std::string& path, const char* type, const Owner& user, const Owner& group) {
  return json{
      {"path", path}, {"type", type}, {"user", owner_json(user)}, {"group", owner_json(group)}};
}

json paths_json(const RenderPlan& plan) {
  json paths = json::array();
  for (const auto& d : plan.directories) {
    json e = entry(d.path, "directory", d.user, d.group);
    e["mode"] = octal(d.mode);
    paths.push_back(std::move(e));
  }
  for (const auto& f : plan.files) {
    json e = entry(f.path, "file", f.user, f.group);
    e["mode"] = octal(f.mode);
    e["size"] = f.contents.size();
    e["origin"] = f.origin;
    paths.push_back(std::move(e));
  }
  for (const auto& l : plan.links) {
    json e = entry(l.path, "link", l.user, l.group);
    e["target"] = l.target;
    paths.push_back(std::move(e));
  }
  std::sort(paths.begin(), paths.end(),
            [](const json& a, const json& b) { return a["path"] < b["path"]; });
  return paths;
}

}  // namespace

std::string render_json_text(const RenderPlan& plan) {
  json doc;
  doc["source"] = plan.source;
  doc["base"] = plan.base;
  doc["arch"] = plan.arch;
  doc["ignitionVersion"] = plan.ignition_version;
  doc["counts"] = {
      {"files", plan.files.size()},           {"directories", plan.directories.size()},
      {"links", plan.links.size()},           {"kernelArguments", plan.kernel_arguments.size()},
      {"extensions", plan.extensions.size()}, {"enable", plan.enable.size()},
      {"disable", plan.disable.size()},       {"mask", plan.mask.size()},
      {"preset", plan.preset.size()}};
  doc["paths"] = paths_json(plan);
  doc["units"] = {{"enable", plan.enable},
                  {"disable", plan.disable},
                  {"mask", plan.mask},
                  {"preset", plan.preset}};
  doc["kernelArguments"] = plan.kernel_arguments;
  doc["extensions"] = plan.extensions;
  doc["packages"] = plan.packages;
  doc["kernelType"] = plan.kernel_type;
  doc["kernelPackages"] = {{"remove", plan.kernel.remove}, {"install", plan.kernel.install}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace imageswitch
