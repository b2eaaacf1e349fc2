#include "journal.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace imageswitch {

std::string_view message_id(MessageKind kind) {
  // In MessageKind's order (journal.h); systemd/imageswitch.catalog has one entry per id
  // (tests/ship/check-catalog.sh) and journal_test pins each kind's id.
  static constexpr std::string_view kIds[] = {
      "343404952d604346a32cfa79d8b95951",  // UpdateStarted
      "ab21892dcf7b4d18851d935060eb1945",  // ImageVerified
      "80a68158991c47ceafbe719c86e5b58c",  // VerifyRejected
      "6e82453de5464606ab0f88c4a9300b95",  // Staged
      "d49223b3e3b045fe9161da776fcbdb3b",  // StageFailed
      "9be8feb57e8342a29f561b0d9b7f1fb5",  // DrainStarted
      "1221221088bb4dbf9b5f76bc2f72c4a1",  // DrainBlocked
      "ef756051e039437fa92f7ce9b39c5e31",  // Rebooting
      "5dc025c23acb4bca845d9fd9462a4644",  // UpdateDone
      "9f830e32a63e4564b6c1d24afe1ed7d1",  // RolledBack
      "fc07eb15d8d24893b628b3155f5b112f",  // TemporaryFailure
      "a7e390d74f564031b16894002b127b09",  // ConfigError
      "c93a11d0b1684cc498f7fa8a4e64b0dd",  // Degraded
      "8b3214cadaa84f9e8062c0b16a303809",  // Progress
      "e00408c69e21497d98bd7c9df70061af",  // Info
      "c0f78bcc4ff84785913bef7e93fa2201",  // KernelArgs
  };
  static_assert(std::size(kIds) == static_cast<std::size_t>(MessageKind::KernelArgs) + 1);
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(kIds) ? kIds[index] : kIds[static_cast<std::size_t>(MessageKind::Info)];
}

MessageKind failure_kind(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Temporary:
      return MessageKind::TemporaryFailure;
    case ErrorKind::Degraded:
      return MessageKind::Degraded;
    case ErrorKind::Usage:
      return MessageKind::ConfigError;
  }
  return MessageKind::TemporaryFailure;
}

std::string format_line(const JournalEntry& entry) {
  std::string line = "imageswitch: " + entry.message;
  std::string fields;
  auto add = [&fields](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    fields += fields.empty() ? " (" : ", ";
    fields += std::string(name) + "=" + value;
  };
  add("phase", entry.phase);
  add("image", entry.image);
  add("digest", entry.digest);
  if (entry.reason != entry.message) add("reason", entry.reason);
  if (!fields.empty()) fields += ")";
  return line + fields;
}

namespace {

/// The test sink, when one is set.
JournalSink& journal_sink() {
  static JournalSink sink;
  return sink;
}

/// True when entries should go to the journal socket rather than stderr.
bool journal_available() {
  const char* mode = std::getenv("IMAGESWITCH_LOG");
  if (mode != nullptr && std::string_view(mode) == "stderr") return false;
  return access("/run/systemd/journal/socket", W_OK) == 0;
}

}  // namespace

namespace {

/// Appends one field in journald's native protocol: "KEY=value\n", or, when the value holds a
/// newline, "KEY\n" + 64-bit little-endian length + value + "\n".
void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
    out += value;
  } else {
    out += '\n';
    std::uint64_t n = value.size();
    for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
    out += value;
  }
  out += '\n';
}

/// Sends one datagram to journald's native socket; false when that is not possible.
bool send_native(const std::string& datagram) {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, "/run/systemd/journal/socket", sizeof addr.sun_path - 1);
  const auto sent = sendto(fd, datagram.data(), datagram.size(), MSG_NOSIGNAL,
                           reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  close(fd);
  return sent == static_cast<ssize_t>(datagram.size());
}

}  // namespace

void set_journal_sink(JournalSink sink) {
  journal_sink() = std::move(sink);
}

void journal_send(const JournalEntry& entry) {
  if (journal_sink()) {
    journal_sink()(entry);
    return;
  }
  if (!journal_available()) {
    std::fprintf(stderr, "%s\n", format_line(entry).c_str());
    return;
  }
  std::string datagram;
  append_field(datagram, "MESSAGE", entry.message);
  append_field(datagram, "MESSAGE_ID", message_id(entry.kind));
  append_field(datagram, "PRIORITY", std::to_string(static_cast<int>(entry.priority)));
  append_field(datagram, "SYSLOG_IDENTIFIER", "imageswitch");
  if (!entry.phase.empty()) append_field(datagram, "IMAGESWITCH_PHASE", entry.phase);
  if (!entry.image.empty()) append_field(datagram, "IMAGESWITCH_IMAGE", entry.image);
  if (!entry.digest.empty()) append_field(datagram, "IMAGESWITCH_DIGEST", entry.digest);
  if (!entry.reason.empty()) append_field(datagram, "IMAGESWITCH_REASON", entry.reason);
  if (!send_native(datagram)) std::fprintf(stderr, "%s\n", format_line(entry).c_str());
}

void journal_message(MessageKind kind, Priority priority, std::string message) {
  JournalEntry entry;
  entry.kind = kind;
  entry.priority = priority;
  entry.message = std::move(message);
  journal_send(entry);
}

}  // namespace imageswitch
