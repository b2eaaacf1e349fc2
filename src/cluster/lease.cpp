#include "lease.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace imageswitch {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// True when `lease` has a live holder other than `me`.
bool held_by_other(const nlohmann::json& spec, const std::string& me) {
  const std::string holder = json_string(spec, "holderIdentity");
  if (holder.empty() || holder == me) return false;
  const double renewed = parse_kube_time(json_string(spec, "renewTime"));
  const double duration = static_cast<double>(json_int(spec, "leaseDurationSeconds", 0));
  return renewed >= 0 && renewed + duration > now_seconds();
}

}  // namespace

double parse_kube_time(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  double fraction = 0;
  const char* rest = text.c_str() + consumed;
  if (*rest == '.') {
    double scale = 0.1;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, scale /= 10)
      fraction += (*rest - '0') * scale;
  }
  if (*rest != 'Z') return -1;  // the API server always writes UTC
  return static_cast<double>(timegm(&tm)) + fraction;
}

std::string kube_micro_time_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[48];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros));
  return buf;
}

LeaseGate::LeaseGate(std::shared_ptr<KubeClient> client, LeaseOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

std::string LeaseGate::slot_name(int index) const {
  return options_.name + "-" + std::to_string(index);
}

std::string LeaseGate::collection() const {
  return "/apis/coordination.k8s.io/v1/namespaces/" + url_encode(options_.namespace_) + "/leases";
}

Result<bool> LeaseGate::try_slot(int index, bool take) {
  const std::string name = slot_name(index);
  const std::string full = options_.namespace_ + "/" + name;
  const std::string base = collection();
  const int attempts = std::max(1, client_->options().conflict_retries + 1);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto got = client_->call({"get", "lease", full}, "GET", base + "/" + url_encode(name));
    if (!got) return got.error();
    const std::string now = kube_micro_time_now();
    nlohmann::json spec = {{"holderIdentity", options_.holder},
                           {"leaseDurationSeconds", options_.ttl_s},
                           {"renewTime", now}};
    ApiTarget target{"update", "lease", full};
    std::string method = "PUT";
    std::string path = base + "/" + url_encode(name);
    nlohmann::json lease;
    if (got->status == 404) {
      if (!take) return false;
      spec["acquireTime"] = now;
      lease = {{"apiVersion", "coordination.k8s.io/v1"},
               {"kind", "Lease"},
               {"metadata", {{"name", name}, {"namespace", options_.namespace_}}},
               {"spec", spec}};
      target.verb = "create";
      method = "POST";
      path = base;
    } else if (got->status / 100 != 2) {
      return api_error({"get", "lease", full}, *got);
    } else {
      lease = got->body;
      if (!lease.is_object())
        return make_error(ErrorKind::Temporary, "Failed to get lease '" + full + "': not a Lease");
      const nlohmann::json old = json_member(lease, "spec");
      const bool mine = json_string(old, "holderIdentity") == options_.holder;
      if (!mine && (!take || held_by_other(old, options_.holder))) return false;
      if (!mine)
        spec["acquireTime"] = now;
      else if (old.contains("acquireTime"))
        spec["acquireTime"] = old["acquireTime"];
      lease["spec"] = spec;  // metadata.resourceVersion guards the update
    }
    auto written = client_->call(target, method, path, lease);
    if (!written) return written.error();
    if (written->status == 409) continue;  // someone else wrote first: re-read
    if (written->status / 100 != 2) return api_error(target, *written);
    return true;
  }
  return make_error(ErrorKind::Temporary, "Failed to update lease '" + full +
                                              "': still 409 Conflict after " +
                                              std::to_string(attempts) + " attempts");
}

Result<bool> LeaseGate::any_slot(bool take_free) {
  for (int i = 0; i < options_.max_holders; ++i) {
    auto held = try_slot(i, take_free);
    if (!held) return held.error();
    if (*held) return true;
  }
  return false;
}

Result<bool> LeaseGate::renew() {
  return any_slot(false);
}

Result<bool> LeaseGate::acquire() {
  auto renewed = any_slot(false);  // a slot we already hold
  if (!renewed || *renewed) return renewed;
  return any_slot(true);
}

Result<void> LeaseGate::release() {
  const std::string base = collection();
  for (int i = 0; i < options_.max_holders; ++i) {
    const std::string name = slot_name(i);
    const std::string full = options_.namespace_ + "/" + name;
    const int attempts = std::max(1, client_->options().conflict_retries + 1);
    for (int attempt = 0;; ++attempt) {
      auto got = client_->call({"get", "lease", full}, "GET", base + "/" + url_encode(name));
      if (!got) return got.error();
      if (got->status == 404) break;
      if (got->status / 100 != 2) return api_error({"get", "lease", full}, *got);
      nlohmann::json lease = got->body;
      if (json_string(json_member(lease, "spec"), "holderIdentity") != options_.holder) break;
      lease["spec"].erase("holderIdentity");
      lease["spec"].erase("acquireTime");
      lease["spec"]["renewTime"] = kube_micro_time_now();
      auto written =
          client_->call({"release", "lease", full}, "PUT", base + "/" + url_encode(name), lease);
      if (!written) return written.error();
      if (written->status / 100 == 2) break;
      if (written->status != 409) return api_error({"release", "lease", full}, *written);
      if (attempt + 1 >= attempts)
        return make_error(ErrorKind::Temporary, "Failed to release lease '" + full +
                                                    "': still 409 Conflict after " +
                                                    std::to_string(attempts) + " attempts");
    }
  }
  return {};
}

}  // namespace imageswitch
