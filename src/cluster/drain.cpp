#include "drain.h"

#include <chrono>
#include <map>
#include <thread>

#include "journal.h"
#include "kube_types.h"

namespace imageswitch {
namespace {

using Clock = std::chrono::steady_clock;

/// One pod being evicted.
struct Target {
  Pod pod;
  bool evicted = false;        ///< the API accepted the eviction
  Clock::time_point next_try;  ///< when to try the eviction again
  std::string blocker;         ///< why the last eviction was refused
};

bool has_cause(const nlohmann::json& status, const std::string& reason) {
  const auto& causes = json_member(json_member(status, "details"), "causes");
  if (!causes.is_array()) return false;
  for (const auto& cause : causes)
    if (json_string(cause, "reason") == reason) return true;
  return false;
}

nlohmann::json eviction_body(const Pod& pod, int grace_period_s) {
  nlohmann::json body = {{"apiVersion", "policy/v1"},
                         {"kind", "Eviction"},
                         {"metadata", {{"name", pod.name}, {"namespace", pod.namespace_}}}};
  nlohmann::json options = nlohmann::json::object();
  if (grace_period_s >= 0) options["gracePeriodSeconds"] = grace_period_s;
  // Only evict the pod we listed, not a replacement with the same name.
  if (!pod.uid.empty()) options["preconditions"] = {{"uid", pod.uid}};
  body["deleteOptions"] = options;
  return body;
}

/// Tries one eviction; updates `target`; returns an error only for what retrying cannot fix.
Result<void> try_evict(KubeClient& client, Target& target, const DrainOptions& options,
                       bool& gone) {
  const Pod& pod = target.pod;
  const ApiTarget what{"evict", "pod", pod.key()};
  auto response = client.call(what, "POST",
                              "/api/v1/namespaces/" + url_encode(pod.namespace_) + "/pods/" +
                                  url_encode(pod.name) + "/eviction",
                              eviction_body(pod, options.grace_period_s));
  if (!response) return response.error();
  const long status = response->status;
  const auto retry_at = Clock::now() + std::chrono::seconds(options.eviction_retry_s);
  if (status / 100 == 2) {
    target.evicted = true;
    target.blocker = "terminating";
    std::string note = "Evicted pod '" + pod.key() + "'";
    if (!pod.has_controller) note += "; it has no controller and will not be recreated";
    if (pod.empty_dir) note += "; its emptyDir data is lost";
    journal_message(MessageKind::Info, Priority::Info, note);
  } else if (status == 404) {
    gone = true;
  } else if (status == 429) {
    target.blocker = pdb_blockers(response->body);
    target.next_try = retry_at;
  } else if (status == 403 && has_cause(response->body, "NamespaceTerminating")) {
    target.blocker = "namespace terminating";
    target.next_try = retry_at;
  } else if (status == 409) {  // uid precondition: the pod we listed is already gone
    gone = true;
  } else if (status == 500 &&
             status_message(response->body).find("PodDisruptionBudget") != std::string::npos) {
    Error e = api_error(what, *response);
    e.kind = ErrorKind::Degraded;
    e.message += "; fix the overlapping PodDisruptionBudgets";
    return e;
  } else {
    return api_error(what, *response);
  }
  return {};
}

std::string describe_remaining(const std::map<std::string, Target>& targets) {
  std::string out;
  for (const auto& [key, target] : targets) {
    if (!out.empty()) out += ", ";
    out += "'" + key + "'";
    if (!target.blocker.empty()) out += " (" + target.blocker + ")";
  }
  return out;
}

}  // namespace

std::string pdb_blockers(const nlohmann::json& status) {
  static const std::string prefix = "The disruption budget ";
  std::string names;
  const auto& causes = json_member(json_member(status, "details"), "causes");
  if (causes.is_array()) {
    for (const auto& cause : causes) {
      const std::string message = json_string(cause, "message");
      if (message.rfind(prefix, 0) != 0) continue;
      const auto end = message.find(' ', prefix.size());
      const std::string name = message.substr(prefix.size(), end - prefix.size());
      names += (names.empty() ? "" : ", ") + std::string("PodDisruptionBudget '") + name + "'";
    }
  }
  if (!names.empty()) return "blocked by " + names;
  const std::string message = status_message(status);
  return message.empty() ? "eviction refused (429)" : message;
}

Result<void> set_unschedulable(KubeClient& client, const std::string& node, bool value) {
  nlohmann::json patch = {{"spec", {{"unschedulable", value}}}};
  patch["metadata"]["annotations"][kCordonedByUsAnnotation] =
      value ? nlohmann::json("true") : nlohmann::json();  // null removes it (merge patch)
  auto response = patch_node(client, node, patch, value ? "cordon" : "uncordon");
  if (!response) return response.error();
  if (response->status / 100 != 2)
    return api_error({value ? "cordon" : "uncordon", "node", node}, *response);
  return {};
}

Result<void> evict_all(KubeClient& client, const std::string& node, const DrainOptions& options) {
  const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
  auto pods = list_node_pods(client, node);
  if (!pods) return pods.error();
  std::map<std::string, Target> targets;
  for (auto& pod : *pods) {
    if (pod.mirror || pod.daemonset) continue;
    Target target{pod, pod.deleting, Clock::now(), pod.deleting ? "terminating" : ""};
    targets.emplace(pod.key(), std::move(target));
  }
  while (!targets.empty()) {
    for (auto it = targets.begin(); it != targets.end();) {
      bool gone = false;
      if (!it->second.evicted && it->second.next_try <= Clock::now())
        TRY(try_evict(client, it->second, options, gone));
      it = gone ? targets.erase(it) : std::next(it);
    }
    auto current = list_node_pods(client, node);
    if (!current) return current.error();
    std::map<std::string, std::string> uids;
    for (const auto& pod : *current) uids[pod.key()] = pod.uid;
    std::erase_if(targets, [&](const auto& entry) {
      auto found = uids.find(entry.first);
      return found == uids.end() || found->second != entry.second.pod.uid;
    });
    if (targets.empty()) break;
    if (Clock::now() >= deadline)
      return make_error(ErrorKind::Degraded,
                        "Failed to drain node '" + node + "': timed out after " +
                            std::to_string(options.timeout_s) +
                            " s; pods still there: " + describe_remaining(targets));
    const auto pause = std::min<Clock::duration>(std::chrono::milliseconds(options.poll_ms),
                                                 deadline - Clock::now());
    std::this_thread::sleep_for(pause);
  }
  return {};
}

}  // namespace imageswitch
