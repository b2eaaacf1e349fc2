#!/usr/bin/env bash
# check-module.sh TE FC IF: builds imageswitch.pp in a temporary directory and checks it: the
# package unpacks, its file contexts label every path the agent owns, and the interfaces the
# domain depends on really expanded (an ifdef that silently dropped one would pass the build).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
KEEP_EXPANDED="$tmp/expanded.te" "$here/build-module.sh" "$tmp/imageswitch.pp" "$@"
semodule_unpackage "$tmp/imageswitch.pp" "$tmp/imageswitch.mod" "$tmp/imageswitch.fc"
fail=0
# The module header names the module and its version.
if ! grep -qa 'imageswitch' "$tmp/imageswitch.mod"; then
  echo "Failed: imageswitch.pp does not contain a module named 'imageswitch'"
  fail=1
fi
need_fc=(
  "^/usr/bin/imageswitch[[:space:]]+--[[:space:]]+system_u:object_r:imageswitch_exec_t"
  "^/etc/imageswitch\(/\.\*\)\?[[:space:]]+system_u:object_r:imageswitch_conf_t"
  "^/var/lib/imageswitch\(/\.\*\)\?[[:space:]]+system_u:object_r:imageswitch_var_lib_t"
  "^/run/imageswitch\(/\.\*\)\?[[:space:]]+system_u:object_r:imageswitch_var_run_t"
)
for re in "${need_fc[@]}"; do
  grep -Eq "$re" "$tmp/imageswitch.fc" || { echo "Failed: file contexts lack /$re/"; fail=1; }
done
# Rules that must be present after m4 expansion: domain entry, state, runtime, bus peers,
# network, journal, boot_id.
need_rules=(
  "type_transition init_t imageswitch_exec_t:process imageswitch_t"
  "allow imageswitch_t imageswitch_var_lib_t:file \{[^}]*create"
  "allow imageswitch_t imageswitch_var_run_t:file \{[^}]*lock"
  "allow imageswitch_t \{ system_dbusd_t self \}:dbus send_msg"
  "allow imageswitch_t systemd_logind_t:dbus send_msg"
  "allow imageswitch_t http_port_t:tcp_socket[^;]*name_connect"
  "allow imageswitch_t sysctl_kernel_t:file[^;]*read"
  "allow imageswitch_t devlog_t:sock_file[^;]*write"
  "allow imageswitch_t cert_t:file[^;]*read"
  "allow imageswitch_t container_config_t:file[^;]*read"
)
for re in "${need_rules[@]}"; do
  grep -Eq "$re" "$tmp/expanded.te" || { echo "Failed: policy lacks a rule matching /$re/"; fail=1; }
done
# No capability at all (the unit runs with an empty bounding set).
if grep -Eq "allow imageswitch_t [^;]*:capability" "$tmp/expanded.te"; then
  echo "Failed: imageswitch_t is granted capabilities:"
  grep -E "allow imageswitch_t [^;]*:capability" "$tmp/expanded.te"
  fail=1
fi
size=$(stat -c %s "$tmp/imageswitch.pp")
[[ $fail -eq 0 ]] && echo "imageswitch.pp: built ($size bytes), ${#need_fc[@]} file contexts and ${#need_rules[@]} key rules present, no capabilities"
exit $fail
