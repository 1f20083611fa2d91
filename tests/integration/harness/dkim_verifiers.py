"""Two independent DKIM verifiers for the signing scenarios, both Debian packages:

- dkimpy_verify(): python3-dkim (with python3-nacl for Ed25519), given the public keys through
  its dnsfunc hook, no DNS at all;
- opendkim_verify(): opendkim-testmsg (opendkim-tools, libopendkim 2.11, which knows
  ed25519-sha256), which can only look keys up in DNS: it runs in a private network and mount
  namespace (unshare; needs root, like every integration test) where dnsmasq on 127.0.0.1:53
  serves the TXT records and a bind-mounted resolv.conf points there. Nothing leaves loopback.

Debian 12's Perl Mail::DKIM has no Ed25519, so it is not used. Each returns (ok, detail).
"""

import os
import re
import shutil
import subprocess
import tempfile

DNSMASQ = "/usr/sbin/dnsmasq"
OPENDKIM_TESTMSG = "/usr/sbin/opendkim-testmsg"

try:
    import dkim  # python3-dkim
except ImportError as error:  # pragma: no cover - a missing Debian package
    raise ImportError("python3-dkim is missing: apt-get install python3-dkim python3-nacl "
                      "(and run under /usr/bin/python3)") from error


def txt_strings(record_line):
    """The strings of a zone-file TXT line as sluicectl dkim-keygen prints it: (name, [str])."""
    name = record_line.split()[0]
    return name, re.findall(r'"([^"]*)"', record_line)


def dkimpy_verify(message, records, index=0):
    """Verifies the signature at `index` (0 = topmost) with python3-dkim; `records` maps
    "sel._domainkey.domain." to the record's text (strings already joined)."""
    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        text = records.get(name if name.endswith(".") else name + ".")
        return text.encode() if text is not None else None
    verifier = dkim.DKIM(message)
    try:
        ok = verifier.verify(idx=index, dnsfunc=dnsfunc)
    except dkim.DKIMException as error:
        return False, f"python3-dkim: {error}"
    return ok, "python3-dkim: " + ("pass" if ok else "fail")


def opendkim_verify(message, records):
    """Verifies `message` (which should carry one DKIM-Signature) with opendkim-testmsg;
    `records` maps names to lists of TXT strings."""
    for tool in (DNSMASQ, OPENDKIM_TESTMSG):
        if not os.access(tool, os.X_OK):
            raise RuntimeError(f"{tool} is missing: apt-get install dnsmasq-base opendkim-tools")
    work = tempfile.mkdtemp(prefix="sluice-it-opendkim-")
    try:
        resolv = os.path.join(work, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n")
        message_path = os.path.join(work, "message.eml")
        with open(message_path, "wb") as f:
            f.write(message)
        pid_file = os.path.join(work, "dnsmasq.pid")
        txt = [f"--txt-record={name.rstrip('.')},{','.join(strings)}"
               for name, strings in records.items()]
        script = ('r="$1"; p="$2"; m="$3"; shift 3; set -e; ip link set lo up; '
                  'mount --bind "$r" /etc/resolv.conf; '
                  f'{DNSMASQ} --port=53 --listen-address=127.0.0.1 --bind-interfaces --no-resolv '
                  '--no-hosts --conf-file=/dev/null --pid-file="$p" "$@"; set +e; '
                  f'{OPENDKIM_TESTMSG} < "$m"; status=$?; kill "$(cat "$p")"; exit $status')
        # The records' options follow the three paths as "$@".
        result = subprocess.run(["unshare", "--mount", "--net", "sh", "-c", script, "sh",
                                 resolv, pid_file, message_path, *txt],
                                capture_output=True, text=True, timeout=60)
        detail = (result.stdout + result.stderr).strip()
        return result.returncode == 0 and not detail, f"opendkim-testmsg: exit " \
            f"{result.returncode} {detail or 'pass'}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
