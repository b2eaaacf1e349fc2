#include "gate_upkeep.h"

#include "fileutil.h"

namespace imageswitch {

Result<bool> renew_held_slot(Gate* gate, const State& state) {
  if (gate == nullptr || !state.gate_held) return true;
  return gate->renew();
}

Result<bool> release_after_boot(Gate* gate, const State& state, const std::string& runtime_dir,
                                const std::string& boot_id) {
  if (gate == nullptr || update_in_progress(state.phase)) return false;
  const std::string marker = runtime_dir + "/gate-released";
  if (auto seen = read_file(marker, 256); seen && *seen == boot_id + "\n") return false;
  TRY(gate->release());
  TRY(ensure_directory(runtime_dir));
  TRY(write_file_atomic(marker, boot_id + "\n"));
  return true;
}

Result<std::string> gate_upkeep(Gate* gate, const State& state, const std::string& kind,
                                const std::string& runtime_dir, const std::string& boot_id) {
  auto renewed = renew_held_slot(gate, state);
  if (!renewed) return wrap("Failed to renew the " + kind + " slot", renewed.error());
  if (!*renewed)
    return "The " + kind + " slot this node held was taken over (its TTL ran out); " +
           "the update goes on — raise coordination.ttl_s if this repeats";
  auto released = release_after_boot(gate, state, runtime_dir, boot_id);
  if (!released) return wrap("Failed to give back the " + kind + " slot", released.error()).message;
  return *released ? "Gave back any " + kind + " slot held under this node's name (first " +
                         "healthy pass of this boot)"
                   : std::string();
}

}  // namespace imageswitch
