// Journal entries: ids are fixed, distinct and well-formed; the stderr fallback is one line.
#include "journal.h"

#include <doctest/doctest.h>

#include <cctype>
#include <set>

using namespace imageswitch;

TEST_CASE("journal: every kind has a distinct 128-bit id") {
  std::set<std::string_view> seen;
  for (int k = 0; k <= static_cast<int>(MessageKind::KernelArgs); ++k) {
    const std::string_view id = message_id(static_cast<MessageKind>(k));
    CHECK(id.size() == 32);
    for (char c : id)
      CHECK((std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f')));
    CHECK(seen.insert(id).second);
  }
  CHECK(seen.size() == 16);
}

TEST_CASE("journal: ids never change (the catalog and admins' journalctl MESSAGE_ID= filters)") {
  const std::pair<MessageKind, std::string_view> pinned[] = {
      {MessageKind::UpdateStarted, "343404952d604346a32cfa79d8b95951"},
      {MessageKind::ImageVerified, "ab21892dcf7b4d18851d935060eb1945"},
      {MessageKind::VerifyRejected, "80a68158991c47ceafbe719c86e5b58c"},
      {MessageKind::Staged, "6e82453de5464606ab0f88c4a9300b95"},
      {MessageKind::StageFailed, "d49223b3e3b045fe9161da776fcbdb3b"},
      {MessageKind::DrainStarted, "9be8feb57e8342a29f561b0d9b7f1fb5"},
      {MessageKind::DrainBlocked, "1221221088bb4dbf9b5f76bc2f72c4a1"},
      {MessageKind::Rebooting, "ef756051e039437fa92f7ce9b39c5e31"},
      {MessageKind::UpdateDone, "5dc025c23acb4bca845d9fd9462a4644"},
      {MessageKind::RolledBack, "9f830e32a63e4564b6c1d24afe1ed7d1"},
      {MessageKind::TemporaryFailure, "fc07eb15d8d24893b628b3155f5b112f"},
      {MessageKind::ConfigError, "a7e390d74f564031b16894002b127b09"},
      {MessageKind::Degraded, "c93a11d0b1684cc498f7fa8a4e64b0dd"},
      {MessageKind::Progress, "8b3214cadaa84f9e8062c0b16a303809"},
      {MessageKind::Info, "e00408c69e21497d98bd7c9df70061af"},
      {MessageKind::KernelArgs, "c0f78bcc4ff84785913bef7e93fa2201"},
  };
  for (const auto& [kind, id] : pinned) CHECK(message_id(kind) == id);
}

TEST_CASE("journal: stderr line carries the structured fields") {
  JournalEntry e;
  e.kind = MessageKind::VerifyRejected;
  e.message = "Rejected quay.io/x@sha256:1";
  e.phase = "idle";
  e.image = "quay.io/x:1";
  e.digest = "sha256:1";
  e.reason = "no valid signature";
  const std::string line = format_line(e);
  CHECK(line ==
        "imageswitch: Rejected quay.io/x@sha256:1 (phase=idle, image=quay.io/x:1, digest=sha256:1, "
        "reason=no valid signature)");
  CHECK(line.find('\n') == std::string::npos);
  JournalEntry bare;
  bare.message = "hello";
  CHECK(format_line(bare) == "imageswitch: hello");
}
