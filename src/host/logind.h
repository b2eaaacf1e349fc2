// Reboot through systemd-logind (org.freedesktop.login1), so that kubelet's graceful node
// shutdown sees PrepareForShutdown; never by signalling PID 1.
#pragma once

#include <string>

#include "result.h"

namespace imageswitch {

/// Manager.CanReboot(): "yes", "no", "challenge", "na", …
Result<std::string> logind_can_reboot();

/// Checks CanReboot ("na"/"no" → Degraded error) and calls Manager.Reboot(false).
Result<void> logind_reboot();

}  // namespace imageswitch
