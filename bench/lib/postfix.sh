# shellcheck shell=bash
# bench/lib/postfix.sh — the private Postfix instance of the benchmarks. Sourced after common.sh.
# Uses PF (its directory, from make_work_dir), SESSIONS, POSTFIX_PORT and SINK_PORT.

# write_postfix_config RESTRICTIONS [EXTRA]: main.cf and master.cf under $PF/etc.
# RESTRICTIONS is smtpd_recipient_restrictions; EXTRA, lines appended to main.cf.
write_postfix_config() {
    local restrictions=$1 extra=${2:-} max_sessions=0 s
    for s in $SESSIONS; do ((s > max_sessions)) && max_sessions=$s; done
    mkdir -p "$PF/etc" "$PF/data"
    chown postfix: "$PF/data"
    cat >"$PF/etc/main.cf" <<CONF
# Private benchmark instance written by $BENCH_NAME/run.
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.test
mydomain = bench.test
myorigin = bench.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# Enough smtpd processes for every session: with fewer, sessions queue for a free smtpd and
# Postfix's throughput collapses.
default_process_limit = $((max_sessions > 100 ? max_sessions + 10 : 110))
smtpd_client_connection_count_limit = 0
smtpd_recipient_restrictions = $restrictions
# No DNS at all, no local delivery: everything (unless held) goes to the sink.
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
local_transport = error:local delivery disabled
alias_maps =
alias_database =
biff = no
# The log goes to a file (postlogd), as sluiced's goes to its stderr file.
maillog_file = $PF/maillog
# Postfix refuses a log file outside these prefixes (default: /var, /dev/stdout), whatever
# WORK_PARENT is.
maillog_file_prefixes = $PF
CONF
    [[ -z $extra ]] || printf '%s\n' "$extra" >>"$PF/etc/main.cf"
    # Debian's stock master.cf, without chroot (which would need copies of /etc files).
    cat >"$PF/etc/master.cf" <<CONF
127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
}

postfix_master_pid() { awk '{ print $1; exit }' "$PF/queue/pid/master.pid" 2>/dev/null; }

start_postfix() {  # a fresh, empty queue every time, so each run finds the same disk state
    clean_directory "$PF/queue"
    mkdir -p "$PF/queue"
    postfix -c "$PF/etc" check >&2 || die "postfix check failed"
    postfix -c "$PF/etc" start >/dev/null 2>&1 || die "postfix start failed: $(tail -3 "$PF/maillog")"
    wait_until 20 listening "$POSTFIX_PORT" || die "Postfix is not listening on $POSTFIX_PORT"
}

stop_postfix() {
    local pid
    pid=$(postfix_master_pid)
    postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
    [[ -z $pid ]] || wait_until 30 eval "! kill -0 $pid 2>/dev/null" || fail "Postfix did not stop"
}

postfix_held() { find "$PF/queue/hold" -type f | wc -l; }
# Messages anywhere in the queue (not yet delivered, deferred, held or corrupt).
postfix_queued() {
    find "$PF/queue/maildrop" "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/deferred" \
        "$PF/queue/hold" "$PF/queue/corrupt" -type f 2>/dev/null | wc -l
}
