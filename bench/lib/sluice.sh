# shellcheck shell=bash
# bench/lib/sluice.sh — sluiced under benchmark. Sourced after common.sh. Uses WORK, SLUICED
# (the binary) and SLUICE_PORT; the configuration is $WORK/sluice/sluice.conf.

# sluice_base_config: the part of the configuration every benchmark shares (listener, relay
# networks, limits above any session count, the spool under WORK), on stdout.
sluice_base_config() {
    cat <<CONF
# Benchmark configuration written by $BENCH_NAME/run.
hostname = "bench.test";
smtp = {
  listen = ( { address = "127.0.0.1"; port = $SLUICE_PORT; } );
  relay_networks = [ "127.0.0.0/8" ];
  max_connections = 1000;
  max_connections_per_ip = 1000;
};
spool = { directory = "$WORK/sluice/spool"; };
CONF
}

start_sluice() {  # start_sluice TAG: a fresh, empty spool every time
    clean_directory "$WORK/sluice/spool"
    SLUICE_LOG="$WORK/sluice/$1.log"
    : >"$SLUICE_LOG"  # exists before the first poll below, whoever runs first
    "$SLUICED" -c "$WORK/sluice/sluice.conf" 2>"$SLUICE_LOG" &
    SLUICE_PID=$!
    wait_until 20 grep -q "listening on 127.0.0.1 port $SLUICE_PORT" "$SLUICE_LOG" ||
        die "sluiced did not start: $(tail -5 "$SLUICE_LOG")"
}

sluice_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SLUICE_PID/status" 2>/dev/null || echo 0; }

stop_sluice() {  # stop_sluice: SIGTERM, then the exit status must be 0
    if ! kill -0 "$SLUICE_PID" 2>/dev/null; then
        local status=0
        wait "$SLUICE_PID" || status=$?
        fail "sluiced died during the run (status $status); log: $SLUICE_LOG: $(tail -5 "$SLUICE_LOG")"
        SLUICE_PID=""
        return
    fi
    kill -TERM "$SLUICE_PID"
    local status=0
    wait "$SLUICE_PID" || status=$?
    ((status == 0)) || fail "sluiced exited with status $status on SIGTERM ($SLUICE_LOG)"
    local complaints
    complaints=$(grep -ciE 'error|warning|fatal|assert' "$SLUICE_LOG" || true)
    ((complaints == 0)) || say "note: $complaints error/warning lines in $SLUICE_LOG"
    SLUICE_PID=""
}

# Messages in the spool: one file queue/<id> per accepted message (daemon/spool/spool_layout.hpp);
# queue/<id>.tmp are batches not yet committed and must not be left once the 250s are out.
sluice_spooled() { find "$WORK/sluice/spool/queue" -type f ! -name '*.tmp' | wc -l; }
# Every file in the spool's queue, committed or not (0 once everything is delivered).
sluice_queue_files() { find "$WORK/sluice/spool/queue" -type f | wc -l; }
