// The gate outside the Gate step: a held slot is renewed on every pass (a Lease slot has a TTL),
// and after every boot, once no update is in progress, the slot is given back unconditionally —
// as zincati does with FleetLock `steady-state` at start-up (coreos/zincati
// src/update_agent/actor.rs, src/strategy/fleet_lock.rs report_steady) — so a slot whose record
// was lost with state.json cannot block the fleet.
#pragma once

#include <string>

#include "cluster.h"
#include "result.h"
#include "state.h"

namespace imageswitch {

/// Renews the slot when `state` says we hold one; false when it was lost (taken over after its
/// TTL) and true otherwise (also when there is no gate or no slot held).
Result<bool> renew_held_slot(Gate* gate, const State& state);

/// Once per boot (`boot_id`), with no update in progress: releases the slot whatever `state`
/// says (idempotent on the gate's side) and records the boot in `runtime_dir`/gate-released.
/// True when a release was sent in this call.
Result<bool> release_after_boot(Gate* gate, const State& state, const std::string& runtime_dir,
                                const std::string& boot_id);

/// Both, at the start of a pass: one line to journal per thing done or noticed ("" when
/// nothing); an error only when a held slot could not be renewed (the pass must not go on).
/// A failed release after boot is a warning line: the next pass of this boot tries again.
Result<std::string> gate_upkeep(Gate* gate, const State& state, const std::string& kind,
                                const std::string& runtime_dir, const std::string& boot_id);

}  // namespace imageswitch
