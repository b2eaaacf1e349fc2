// Structured logging: one journal entry per phase change or failure, with a fixed MESSAGE_ID per
// kind (explained in systemd/imageswitch.catalog) and IMAGESWITCH_* fields. Without a journal
// socket (CI, containers) the same facts go to stderr as one readable line.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "result.h"

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
  Degraded,          ///< the pass ended Degraded (exit 1): the cluster or the image must change
  Progress,          ///< progress relayed from the backend (rpm-ostree transaction messages)
  Info,              ///< anything else worth a line
};

/// Syslog priorities used by imageswitch (journald's PRIORITY=).
enum class Priority {
  Error = 3,    ///< a failure: the pass stopped
  Warning = 4,  ///< something was ignored or will be retried
  Notice = 5,   ///< a normal but significant event (a phase change)
  Info = 6,     ///< routine progress
  Debug = 7,    ///< details for debugging
};

/// The 32-hex-digit MESSAGE_ID of `kind`.
std::string_view message_id(MessageKind kind);

/// The entry kind of a failure of `kind`: each exit code has its own MESSAGE_ID (Temporary →
/// TemporaryFailure, Degraded → Degraded, Usage → ConfigError).
MessageKind failure_kind(ErrorKind kind);

/// One journal entry; empty fields are omitted.
struct JournalEntry {
  MessageKind kind = MessageKind::Info;
  Priority priority = Priority::Info;
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

/// Receives entries instead of journald/stderr (tests).
using JournalSink = std::function<void(const JournalEntry&)>;

/// Routes every entry to `sink` until called again; an empty sink restores journald/stderr.
void set_journal_sink(JournalSink sink);

/// Shorthand: sends an entry of `kind` with only a message at `priority`.
void journal_message(MessageKind kind, Priority priority, std::string message);

}  // namespace imageswitch
