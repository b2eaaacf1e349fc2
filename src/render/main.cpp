// imageswitch-render: a rendered MachineConfig → a container build context (Containerfile,
// apply.sh, tree/, render.json) that builds FROM the base OS image. Build time only; not part of
// the node agent.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "fileutil.h"
#include "machineconfig.h"
#include "output_dir.h"
#include "packages.h"
#include "render_plan.h"
#include "version.h"

using namespace imageswitch;

namespace {

constexpr const char* kUsage =
    "Usage: imageswitch-render [--from IMAGE] [--arch ARCH] -o DIR MACHINECONFIG.(yaml|json)\n"
    "       imageswitch-render --check [--from IMAGE] [--arch ARCH] MACHINECONFIG\n"
    "Turns a rendered MachineConfig (as `oc get mc NAME -o yaml` prints it) into a build context\n"
    "that builds FROM the base OS image (--from, else spec.osImageURL). --check only validates\n"
    "and lists every problem. ARCH: amd64/x86_64, arm64/aarch64, ppc64le, s390x.\n"
    "Exit codes: 0 done, 2 the MachineConfig or the command line must change.\n";

struct Args {
  bool check = false;
  std::string from, arch, out, input;
};

/// Parses argv; false (after printing why) on bad usage.
bool parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--check")
      args.check = true;
    else if (a == "--from")
      ok = value(args.from);
    else if (a == "--arch")
      ok = value(args.arch);
    else if (a == "-o" || a == "--output")
      ok = value(args.out);
    else if (!a.empty() && a[0] == '-')
      ok = false;
    else if (args.input.empty())
      args.input = a;
    else
      ok = false;
    if (!ok) {
      std::fprintf(stderr, "imageswitch-render: unexpected or incomplete argument \"%s\"\n%s",
                   a.c_str(), kUsage);
      return false;
    }
  }
  const bool usable = !args.input.empty() && (args.check ? args.out.empty() : !args.out.empty());
  if (!usable) std::fprintf(stderr, "%s", kUsage);
  if (usable && !args.arch.empty() && canonical_arch(args.arch).empty()) {
    std::fprintf(stderr, "imageswitch-render: unknown --arch \"%s\"\n%s", args.arch.c_str(),
                 kUsage);
    return false;
  }
  return usable;
}

int report_problems(const std::string& input, const std::vector<std::string>& problems) {
  std::fprintf(stderr, "Failed to render %s: %zu problem%s:\n", input.c_str(), problems.size(),
               problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) std::fprintf(stderr, "%s: %s\n", input.c_str(), p.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--help") == 0) return std::printf("%s", kUsage), 0;
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0)
    return std::printf("imageswitch-render %s\n", IMAGESWITCH_VERSION), 0;
  Args args;
  if (!parse_args(argc, argv, args)) return 2;
  auto text = read_file(args.input, 128u << 20);
  if (!text) {
    std::fprintf(stderr, "Failed to read %s: %s\n", args.input.c_str(),
                 text.error().message.c_str());
    return 2;
  }
  const std::string arch = canonical_arch(args.arch);
  ParsedMachineConfig parsed = parse_machineconfig(*text, arch);
  RenderPlan plan = plan_render(parsed.config, {args.from, arch}, parsed.problems);
  if (const std::string why = base_image_problem(plan.base);
      !why.empty() && (!args.check || !plan.base.empty()))
    parsed.problems.push_back(why);
  if (!parsed.problems.empty()) return report_problems(args.input, parsed.problems);
  if (args.check) {
    std::printf("%s: OK: MachineConfig %s, %zu files, %zu directories, %zu links\n",
                args.input.c_str(), plan.source.c_str(), plan.files.size(), plan.directories.size(),
                plan.links.size());
    return 0;
  }
  if (auto written = write_output_dir(plan, args.out); !written) {
    std::fprintf(stderr, "%s\n", written.error().message.c_str());
    return 2;
  }
  std::printf("Rendered MachineConfig %s into %s (FROM %s)\n", plan.source.c_str(),
              args.out.c_str(), plan.base.c_str());
  return 0;
}
