#!/bin/bash
# Builds the Debian package, lints it, installs it on this machine, runs the INSTALLED sluiced
# with the INSTALLED /etc/sluice/sluice.conf the way sluice.service does (user sluice, only
# CAP_NET_BIND_SERVICE, port 25) inside a loopback-only network namespace, submits a message
# with swaks, sees it in `sluicectl spool list`, holds and releases the node with sluicectl and
# the status token postinst made, stops the daemon and purges the package.
# Also: systemd-analyze verify on the installed unit, the man pages' lint, and the notify /
# watchdog protocol of the installed binary (check_systemd_notify.py).
# Needs root (apt-get, a system user, port 25). Changes the machine: installs the build tools
# (debhelper, lintian, mandoc) if missing; the sluice package is purged again at the end
# (also on failure). A sluice package already installed is refused, not touched.
# Usage: tests/packaging/check_deb.sh        Env: SLUICE_PACKAGING_DIR (default
# /tmp/sluice-packaging, reused so ccache hits), KEEP=1 leaves the package installed.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${SLUICE_PACKAGING_DIR:-/tmp/sluice-packaging}"
CONF=/etc/sluice/sluice.conf
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'check_deb: FAIL: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "must run as root"
  exec sudo --preserve-env=SLUICE_PACKAGING_DIR,KEEP,CCACHE_DIR "$0" "$@"
fi
if dpkg-query -W -f='${Status}' sluice 2>/dev/null | grep -q "installed"; then
  fail "a sluice package is already installed; remove it first (apt-get purge sluice)"
fi

step "build tools"
TOOLS="build-essential debhelper dpkg-dev fakeroot lintian mandoc groff-base man-db swaks
  systemd util-linux iproute2 python3"
missing=""
for p in $TOOLS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing  # a list: split on purpose
fi

step "man pages"
python3 "$SRC/tests/packaging/check_man.py" "$SRC"

step "source tree -> $WORK/src"
# Tracked and untracked-but-not-ignored files: what a clean checkout of this work would hold.
rm -rf "$WORK/src" "$WORK"/sluice_* "$WORK"/sluice-dbgsym_*
mkdir -p "$WORK/src"
(cd "$SRC" && git ls-files -z -co --exclude-standard) |
  (cd "$SRC" && tar --null -T - --ignore-failed-read --warning=no-failed-read -cf -) |
  tar -xf - -C "$WORK/src"

step "dpkg-buildpackage -b -us -uc"
# debhelper points HOME at a fresh directory; keep using the machine's ccache.
export CCACHE_DIR="${CCACHE_DIR:-$(ccache -k cache_dir 2>/dev/null || echo "$HOME/.cache/ccache")}"
start=$(date +%s)
(cd "$WORK/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" \
  nice -n 19 dpkg-buildpackage -b -us -uc >"$WORK/build.log" 2>&1) ||
  { tail -40 "$WORK/build.log"; fail "dpkg-buildpackage failed (log: $WORK/build.log)"; }
echo "built in $(( $(date +%s) - start ))s"
DEB="$(ls "$WORK"/sluice_*_amd64.deb)"
CHANGES="$(ls "$WORK"/sluice_*_amd64.changes)"
ls -l "$DEB"

step "package contents"
contents="$(dpkg-deb -c "$DEB" | awk '{print $6}')"
for path in ./usr/sbin/sluiced ./usr/sbin/sluicectl ./etc/sluice/sluice.conf \
    ./lib/systemd/system/sluice.service ./usr/lib/sysusers.d/sluice.conf \
    ./usr/lib/tmpfiles.d/sluice.conf ./etc/logrotate.d/sluice \
    ./usr/share/man/man8/sluiced.8.gz ./usr/share/man/man8/sluicectl.8.gz \
    ./usr/share/man/man5/sluice.conf.5.gz ./usr/share/doc/sluice/examples/sluice.conf.example \
    ./usr/share/doc/sluice/examples/isps.conf ./etc/sluice/isps.conf; do
  grep -qxF "$path" <<<"$contents" || fail "$path is not in the package"
done
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/sluice/sluice.conf || fail "sluice.conf is not a conffile"
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/sluice/isps.conf || fail "isps.conf is not a conffile"
echo "all expected files present; conffiles: $(dpkg-deb -I "$DEB" conffiles | tr '\n' ' ')"

step "lintian"
# Errors fail the check; warnings and below are printed for the record.
lintian --fail-on error --display-info "$CHANGES" | tee "$WORK/lintian.txt"
echo "lintian: $(grep -c '^E:' "$WORK/lintian.txt" || true) errors," \
  "$(grep -c '^W:' "$WORK/lintian.txt" || true) warnings"

step "install"
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq sluice >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$DEB"
if [ -d /run/systemd/system ]; then
  # Booted with systemd: the postinst started the unit (empty spool, so no delivery traffic).
  # Check it is up (READY=1 under the full sandbox) and reloads, then stop it: the checks below
  # run their own copy of the daemon on the same spool.
  if systemctl is-active --quiet sluice.service; then
    systemctl reload sluice.service
    systemctl show -p ActiveState,SubState,WatchdogUSec,NRestarts sluice.service
  elif journalctl -u sluice.service --no-pager | grep -q "cannot listen on 127.0.0.1:25"; then
    echo "check_deb: port 25 is taken by another MTA here; the unit's start is not checked" >&2
  else
    systemctl status sluice.service --no-pager || true
    journalctl -u sluice.service --no-pager | tail -30
    fail "sluice.service did not start"
  fi
  systemctl stop sluice.service
fi
getent passwd sluice >/dev/null || fail "no user sluice"
[ "$(stat -c '%a %U %G' /var/spool/sluice)" = "700 sluice sluice" ] ||
  fail "/var/spool/sluice is $(stat -c '%a %U %G' /var/spool/sluice), want 700 sluice sluice"
[ "$(stat -c '%a %U %G' /var/log/sluice)" = "750 sluice adm" ] ||
  fail "/var/log/sluice is $(stat -c '%a %U %G' /var/log/sluice), want 750 sluice adm"
echo "user sluice: $(getent passwd sluice)"
[ "$(stat -c '%a %U %G' /etc/sluice/status.token)" = "640 root sluice" ] ||
  fail "/etc/sluice/status.token is $(stat -c '%a %U %G' /etc/sluice/status.token), want 640 root sluice"
[ "$(tr -d '\n' </etc/sluice/status.token | wc -c)" -eq 64 ] || fail "status token is not 64 hex digits"

step "systemd-analyze verify"
unit=/lib/systemd/system/sluice.service
systemd-analyze verify "$unit"
echo "systemd-analyze verify $unit: ok"
systemd-analyze security --offline=yes "$unit" | tail -1

step "sluiced --check-config"
/usr/sbin/sluiced --check-config -c "$CONF"

step "installed sluiced as sluice, port 25, loopback-only network namespace"
# As far as namespaces and setpriv go, sluiced runs the way sluice.service runs it: every mount
# read-only but the spool and the log directory, a private /tmp (ProtectSystem=strict,
# ReadWritePaths=, PrivateTmp=), user sluice with only CAP_NET_BIND_SERVICE (User=,
# AmbientCapabilities=, CapabilityBoundingSet=), NoNewPrivileges=. DNS cannot leave the
# network namespace, so the message stays queued (deferred), which is what is checked.
cat >"$WORK/sandbox.sh" <<'SANDBOX'
set -eu
mount --bind /var/spool/sluice /var/spool/sluice
mount --bind /var/log/sluice /var/log/sluice
for m in $(awk '{print $2}' /proc/self/mounts | sort -u); do
  case "$m" in /proc*|/sys*|/dev*|/var/spool/sluice|/var/log/sluice) continue ;; esac
  mount -o remount,bind,ro "$m" 2>/dev/null || true
done
mount -t tmpfs -o mode=1777 tmpfs /tmp
if touch /etc/sluice/.rw-test 2>/dev/null; then echo "sandbox: /etc is writable" >&2; exit 1; fi
exec setpriv --reuid=sluice --regid=sluice --init-groups --no-new-privs \
  --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
  --bounding-set=-all,+net_bind_service "$@"
SANDBOX
cat >"$WORK/in-namespace.sh" <<EOF
set -euo pipefail
ip link set lo up
unshare --mount --propagation private sh "$WORK/sandbox.sh" \
  /usr/sbin/sluiced -c $CONF >"$WORK/sluiced.log" 2>&1 &
pid=\$!
trap 'kill \$pid 2>/dev/null || true' EXIT  # never left running when a step below fails
for _ in \$(seq 1 200); do grep -q "sluiced started" "$WORK/sluiced.log" && break; sleep 0.05; done
grep -q "listening on 127.0.0.1 port 25" "$WORK/sluiced.log" || { cat "$WORK/sluiced.log"; exit 1; }
swaks --server 127.0.0.1:25 --from app@example.test --to someone@example.test \
  --header "Subject: check_deb" --body "installed package test" >"$WORK/swaks.log" 2>&1 ||
  { cat "$WORK/swaks.log"; exit 1; }
id=\$(sed -n 's/.*250 2.0.0 Ok: queued as \([0-9A-V]*\).*/\1/p' "$WORK/swaks.log")
[ -n "\$id" ] || { cat "$WORK/swaks.log"; exit 1; }
echo "swaks: 250 queued as \$id"
sluicectl spool list -c $CONF | tee "$WORK/spool-list.txt"
grep -Eq "^\$id[[:space:]].*app@example.test.*someone@example.test" "$WORK/spool-list.txt"
owner=\$(stat -c %U /var/spool/sluice/queue/\$id*)
[ "\$owner" = sluice ] || { echo "spool file owned by \$owner, want sluice"; exit 1; }
# The first attempt fails at DNS (no network here) and is logged: the log directory is writable.
acclog=/var/log/sluice/accounting.jsonl
for _ in \$(seq 1 200); do grep -q "\"queue_id\":\"\$id\"" \$acclog 2>/dev/null && break; sleep 0.05; done
grep "\"queue_id\":\"\$id\".*\"outcome\":\"deferred\"" \$acclog ||
  { echo "no deferred record for \$id in \$acclog"; exit 1; }
# The status endpoint with the token the package made: root's sluicectl holds and releases.
sluicectl hold -c $CONF
sluicectl status -c $CONF | tee "$WORK/status.txt"
grep -q "PAUSED (node held)" "$WORK/status.txt" || { echo "sluicectl status does not show the hold"; exit 1; }
sluicectl release -c $CONF
kill -TERM \$pid
status=0; wait \$pid || status=\$?
[ \$status -eq 0 ] || { echo "sluiced exited with \$status"; cat "$WORK/sluiced.log"; exit 1; }
echo "sluiced stopped with status 0"
# The notify/watchdog protocol of the installed binary (its own config and spool).
SLUICED=/usr/sbin/sluiced SLUICECTL=/usr/sbin/sluicectl python3 "$SRC/tests/packaging/check_systemd_notify.py"
EOF
unshare --net bash "$WORK/in-namespace.sh" || { cat "$WORK/sluiced.log"; fail "installed daemon check"; }
grep -E "listening|started|stopped" "$WORK/sluiced.log"

step "purge"
if [ "${KEEP:-0}" != 1 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq sluice
  for gone in /usr/sbin/sluiced /etc/sluice /var/spool/sluice /var/log/sluice "$unit"; do
    [ ! -e "$gone" ] || fail "$gone is still there after purge"
  done
  echo "purged: binaries, /etc/sluice, spool and logs are gone (the user sluice stays)"
fi
echo "check_deb: OK"
