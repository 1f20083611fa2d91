# shellcheck shell=bash
# bench/lib/common.sh — shell functions shared by the benchmarks (bench/accept/run,
# bench/relay/run). Sourced, not run. The caller sets, before sourcing:
#   BENCH_NAME  the prefix of its error messages (e.g. bench/relay)
#   ROOT        the repository root
# and, as the functions need them: BUILD_DIR, SKIP_BUILD, SIDES (packages, building), WORK_PARENT
# (make_work_dir), KEEP (cleanup). Inside the namespace the functions keep their state in WORK,
# RESULTS, FAILURES, SLUICE_PID, SINK_PID, SAMPLER_PID and PF (the Postfix instance's directory).

BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '%s\n' "$*" >&2; }
die() { say "$BENCH_NAME: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Outside the namespace: packages and binaries (the namespace has no network, so apt and any
# build step that might want it happen here).

install_packages() {
    local missing=()
    command -v smtp-source >/dev/null || missing+=(postfix)
    command -v ip >/dev/null || missing+=(iproute2)
    command -v ss >/dev/null || missing+=(iproute2)
    command -v unshare >/dev/null || missing+=(util-linux)
    [[ -x /usr/bin/python3 ]] || missing+=(python3)
    if [[ ! -x "$BUILD_DIR/daemon/sluiced" || $SKIP_BUILD != 1 ]]; then
        local pkg
        for pkg in cmake ninja-build g++ pkg-config libboost1.81-dev libconfig++-dev libzstd-dev \
                   libsystemd-dev libfmt-dev libgtest-dev; do
            dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
                missing+=("$pkg")
        done
    fi
    ((${#missing[@]})) || return 0
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Postfix's own configuration stays untouched: the benchmarks run a private instance.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# build_sluiced: sluiced (Release) in BUILD_DIR, unless SIDES leaves it out or SKIP_BUILD=1.
build_sluiced() {
    if [[ " $SIDES " != *" sluice "* ]]; then
        :
    elif [[ $SKIP_BUILD = 1 ]]; then
        [[ -x "$BUILD_DIR/daemon/sluiced" ]] || die "SKIP_BUILD=1 but $BUILD_DIR/daemon/sluiced is missing"
    else
        if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
            cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
        fi
        ninja -C "$BUILD_DIR" sluiced >&2 || die "cannot build sluiced in $BUILD_DIR"
    fi
}

# enter_namespace SCRIPT ARGS...: re-run SCRIPT in a network namespace that has nothing but
# loopback: no traffic can leave the machine, and any DNS lookup fails at once instead of
# reaching a resolver. Does not return.
enter_namespace() {
    exec unshare --net -- env SLUICE_BENCH_INSIDE=1 "$@"
}

# ---------------------------------------------------------------------------------------------
# Inside the namespace.

setup_namespace() {
    ip link set lo up
    [[ $(ip -o link show | wc -l) -eq 1 ]] || die "the namespace has more than loopback"
}

# make_work_dir: WORK (a fresh directory under WORK_PARENT, on a real disk), FSTYPE, RESULTS, and
# the state the functions below share.
make_work_dir() {
    WORK=$(mktemp -d "$WORK_PARENT/sluice-bench.XXXXXX")
    chmod 755 "$WORK"  # Postfix daemons drop to user postfix and must reach their queue
    FSTYPE=$(findmnt -n -o FSTYPE -T "$WORK" 2>/dev/null || stat -f -c %T "$WORK")
    [[ $FSTYPE != tmpfs && $FSTYPE != ramfs ]] ||
        die "$WORK_PARENT is $FSTYPE: spools must be on a real disk to measure fsync"
    RESULTS="$WORK/results"
    FAILURES=0
    SLUICE_PID=""
    SINK_PID=""
    SAMPLER_PID=""
    PF="$WORK/postfix"
}

fail() { say "FAILED: $*"; FAILURES=$((FAILURES + 1)); }

cleanup() {
    set +e
    [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
    [[ -n $SLUICE_PID ]] && kill "$SLUICE_PID" 2>/dev/null && wait "$SLUICE_PID" 2>/dev/null
    [[ -f $PF/etc/main.cf ]] && postfix -c "$PF/etc" stop >/dev/null 2>&1
    [[ -n $SINK_PID ]] && kill "$SINK_PID" 2>/dev/null
    if [[ $KEEP = 1 ]]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

now() { date +%s.%N; }
# Messages per second: count / (end - start).
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }
median() { tr ' ' '\n' | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit } if (NR % 2) print v[(NR + 1) / 2];
    else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# key=value lookup in a line of key=value pairs.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
record() { echo "$*" >>"$RESULTS"; }
lookup() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$RESULTS"; }
listening() { ss -Hltn "sport = :$1" | grep -q .; }
wait_until() {  # wait_until SECONDS COMMAND...: poll a condition instead of sleeping blindly
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.05; done
}
# num DECIMALS VALUE: a number to DECIMALS places, or "-" for a missing one.
num() { awk -v d="$1" -v v="$2" 'BEGIN { if (v !~ /^[0-9.]+$/) print "-"; else printf "%.*f\n", d, v }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

start_sampler() {  # start_sampler OUTFILE [--tree] PID: peak memory, see rss_sampler.py
    local out=$1; shift
    /usr/bin/python3 "$BENCH_LIB/rss_sampler.py" "$@" >"$out" &
    SAMPLER_PID=$!
}
stop_sampler() {
    kill "$SAMPLER_PID" && wait "$SAMPLER_PID" || true
    SAMPLER_PID=""
}

# The previous run's files are deleted and the deletion flushed to disk before a server starts:
# otherwise the first fsyncs (or Sluice's syncfs) of the next run pay for writing back the
# metadata of 20 000 deletions, and short runs measure that instead of the server.
clean_directory() { rm -rf "$1"; sync; }
