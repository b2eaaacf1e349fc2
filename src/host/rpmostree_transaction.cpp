#include "rpmostree_transaction.h"

#include <cerrno>
#include <cstring>

#include "bus.h"
#include "text.h"

namespace imageswitch {

namespace {

constexpr const char* kTransactionInterface = "org.projectatomic.rpmostree1.Transaction";
constexpr const char* kTransactionMatch =
    "type='signal',path='/',interface='org.projectatomic.rpmostree1.Transaction'";

/// What the signal handler learns while the transaction runs.
struct Progress {
  const TransactionOptions* options = nullptr;
  ProgressThrottle throttle;
  bool finished = false;
  bool success = false;
  std::string message;
  std::string last_error_line;  ///< last Message text, in case Finished carries none

  void relay(const std::string& line) const {
    if (options->on_progress) options->on_progress(line);
  }
};

/// Handles one Transaction signal.
int on_signal(sd_bus_message* m, void* userdata, sd_bus_error* /*unused*/) {
  auto* p = static_cast<Progress*>(userdata);
  const char* member = sd_bus_message_get_member(m);
  if (member == nullptr) return 0;
  const std::string_view name(member);
  const auto now = ProgressThrottle::Clock::now();
  if (name == "Finished") {
    int ok = 0;
    const char* msg = nullptr;
    if (sd_bus_message_read(m, "bs", &ok, &msg) < 0) return 0;
    p->finished = true;
    p->success = ok != 0;
    p->message = msg != nullptr ? msg : "";
  } else if (name == "Message" || name == "TaskBegin") {
    const char* text = nullptr;
    if (sd_bus_message_read(m, "s", &text) < 0 || text == nullptr) return 0;
    p->last_error_line = text;
    if (name == "TaskBegin" || p->throttle.message(now)) p->relay(text);
  } else if (name == "PercentProgress") {
    const char* text = nullptr;
    std::uint32_t percent = 0;
    if (sd_bus_message_read(m, "su", &text, &percent) < 0 || text == nullptr) return 0;
    if (p->throttle.percent(text, percent, now)) {
      p->relay(std::string(text) + " " + std::to_string(percent) + "%");
    }
  }
  return 0;
}

Error temporary(std::string message) {
  return make_error(ErrorKind::Temporary, std::move(message));
}

/// "90 s" or "250 ms".
std::string duration_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

/// Asks the daemon to cancel the transaction; best effort, bounded.
void cancel(sd_bus* bus) {
  BusError error;
  set_call_timeout(bus, std::chrono::seconds(5));
  sd_bus_call_method(bus, nullptr, "/", kTransactionInterface, "Cancel", error.get(), nullptr, "");
}

}  // namespace

bool ProgressThrottle::percent(const std::string& text, unsigned percent, Clock::time_point now) {
  const bool relay = !last_percent_ || text != last_text_ || percent >= *last_percent_ + step_ ||
                     percent < *last_percent_ || (percent == 100 && *last_percent_ != 100) ||
                     now - last_percent_time_ >= interval_;
  if (relay) {
    last_text_ = text;
    last_percent_ = percent;
    last_percent_time_ = now;
  }
  return relay;
}

bool ProgressThrottle::message(Clock::time_point now) {
  if (last_message_time_ && now - *last_message_time_ < std::chrono::seconds(1)) return false;
  last_message_time_ = now;
  return true;
}

Result<void> run_transaction(const std::string& address, const TransactionOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  auto bus = open_peer(address);
  if (!bus) return wrap("Failed to open the rpm-ostreed transaction", bus.error());

  Progress progress;
  progress.options = &options;
  sd_bus_slot* raw_slot = nullptr;
  int r = sd_bus_add_match(bus->get(), &raw_slot, kTransactionMatch, on_signal, &progress);
  if (r < 0) {
    return temporary("Failed to subscribe to the rpm-ostreed transaction: " +
                     std::string(std::strerror(-r)));
  }
  SlotPtr slot(raw_slot);

  {
    BusError error;
    set_call_timeout(bus->get(),
                     std::min<std::chrono::milliseconds>(options.timeout, std::chrono::minutes(1)));
    sd_bus_message* reply = nullptr;
    r = sd_bus_call_method(bus->get(), nullptr, "/", kTransactionInterface, "Start", error.get(),
                           &reply, "");
    MessagePtr owned(reply);
    if (r < 0) {
      return temporary("Failed to start the rpm-ostreed transaction: " + error.describe(r));
    }
  }
  if (options.on_started) options.on_started();

  while (!progress.finished) {
    r = sd_bus_process(bus->get(), nullptr);
    if (progress.finished) break;
    if (r < 0 || sd_bus_is_open(bus->get()) <= 0) {
      return temporary("rpm-ostreed closed the transaction before it finished");
    }
    if (r > 0) continue;
    const auto now = Clock::now();
    if (now >= deadline) {
      cancel(bus->get());
      return temporary("rpm-ostreed transaction did not finish within " +
                       duration_text(options.timeout) + "; cancelled");
    }
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
    r = sd_bus_wait(bus->get(), static_cast<std::uint64_t>(left.count()));
    if (r < 0 && r != -EINTR) {
      return temporary("rpm-ostreed closed the transaction before it finished");
    }
  }
  if (!progress.success) {
    const std::string why =
        one_line(progress.message.empty() ? progress.last_error_line : progress.message);
    return temporary("rpm-ostreed transaction failed: " + (why.empty() ? "no reason given" : why));
  }
  return {};
}

}  // namespace imageswitch
