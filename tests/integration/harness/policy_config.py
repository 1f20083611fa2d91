"""Renders the sending-policy sections of sluice.conf (pools, strategies, retry_rules,
lock_rules, bounce_patterns, isps, defaults) from Python values, for the policy scenarios:
a dict is a libconfig group, a list of dicts a list ( … ), a list of scalars an array [ … ].
policy_top() appends them to delivery_config.delivery_top()'s sections."""

from delivery_config import delivery_top


def literal(value):
    """A Python value as libconfig text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + " ".join(f"{k} = {literal(v)};" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, dict) for v in value):
            return "( " + ", ".join(literal(v) for v in value) + " )"
        return "[ " + ", ".join(literal(v) for v in value) + " ]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def policy_text(policy):
    """{"isps": [...], "strategies": [...], ...} → top-level settings text."""
    return "\n".join(f"{key} = {literal(value)};" for key, value in policy.items())


def policy_top(dns_address, sink_port, policy, **delivery_args):
    """Like delivery_top(), plus the policy sections."""
    base = delivery_top(dns_address, sink_port, **delivery_args)
    return lambda daemon_dir: base(daemon_dir) + "\n" + policy_text(policy)
