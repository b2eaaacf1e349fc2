// Structured logging: one journal entry per phase change or failure, with a fixed MESSAGE_ID per
// kind (explained in systemd/imageswitch.catalog) and IMAGESWITCH_* fields. Without a journal
// socket (CI, containers) the same facts go to stderr as one readable line.
#pragma once

#include <string>
#include <string_view>

namespace imageswitch {

/// The kinds of journal entries; each has its own MESSAGE_ID.
enum class MessageKind {
  UpdateStarted,     ///< a new desired image was seen; an update begins
  ImageVerified,     ///< the digest passed containers-policy.json
  VerifyRejected,    ///< the policy rejected the image; host untouched
  Staged,            ///< the deployment is staged for the next boot
  StageFailed,       ///< staging failed
  DrainStarted,      ///< cordon + evictions began
  DrainBlocked,      ///< the drain timed out; pods/PDBs named
  Rebooting,         ///< reboot requested into the staged deployment
  UpdateDone,        ///< booted digest equals desired; node uncordoned
  RolledBack,        ///< after reboot the booted digest is not the target
  TemporaryFailure,  ///< network/API/bus trouble; retried at the next trigger
  ConfigError,       ///< configuration or usage error
  Progress,          ///< progress relayed from the backend (rpm-ostree transaction messages)
  Info,              ///< anything else worth a line
  KernelArgs,        ///< the image's kargs.d changed the staged deployment's kernel arguments
};

/// The 32-hex-digit MESSAGE_ID of `kind`.
std::string_view message_id(MessageKind kind);

/// One journal entry; empty fields are omitted.
struct JournalEntry {
  MessageKind kind = MessageKind::Info;
  int priority = 6;  ///< syslog priority: 3 error, 4 warning, 5 notice, 6 info, 7 debug
  std::string message;
  std::string phase;
  std::string image;
  std::string digest;
  std::string reason;
};

/// Formats `entry` as the single stderr line used when there is no journal.
std::string format_line(const JournalEntry& entry);

/// Sends `entry` to the journal, or to stderr when the journal socket is absent.
void journal_send(const JournalEntry& entry);

/// Shorthand: sends a Progress/Info entry with only a message at `priority`.
void journal_message(MessageKind kind, int priority, std::string message);

}  // namespace imageswitch
