// Picks the OS backend named by the configuration.
#pragma once

#include <memory>

#include "config.h"
#include "host.h"

namespace imageswitch {

/// The backend for `settings.backend` ("rpm-ostree" or "bootc"; env IMAGESWITCH_BOOTC overrides
/// the bootc executable for tests). An unknown name yields nullptr (config validation rejects it).
std::unique_ptr<HostBackend> make_host_backend(const Settings& settings);

}  // namespace imageswitch
