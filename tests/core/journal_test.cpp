// Journal entries: ids are fixed, distinct and well-formed; the stderr fallback is one line.
#include "journal.h"

#include <doctest/doctest.h>

#include <cctype>
#include <set>

using namespace imageswitch;

TEST_CASE("journal: every kind has a distinct 128-bit id") {
  std::set<std::string_view> seen;
  for (int k = 0; k <= static_cast<int>(MessageKind::Info); ++k) {
    const std::string_view id = message_id(static_cast<MessageKind>(k));
    CHECK(id.size() == 32);
    for (char c : id)
      CHECK((std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f')));
    CHECK(seen.insert(id).second);
  }
  CHECK(seen.size() == 15);
}

TEST_CASE("journal: ids never change (the catalog depends on them)") {
  CHECK(message_id(MessageKind::UpdateDone) == "5dc025c23acb4bca845d9fd9462a4644");
  CHECK(message_id(MessageKind::RolledBack) == "9f830e32a63e4564b6c1d24afe1ed7d1");
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
