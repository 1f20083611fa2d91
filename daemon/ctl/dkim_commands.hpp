// `sluicectl dkim-keygen`: makes a DKIM key for sluice.conf's "keys" and prints the DNS record
// to publish.
//   dkim-keygen --type rsa|ed25519 [--bits N] --domain D --selector S --out FILE.pem
// The key is written as PKCS#8 PEM with mode 0600 to a file that must not exist yet; the TXT
// record goes to standard output. Needs no configuration and no running daemon.
#pragma once

#include "daemon/ctl/command_group.hpp"

namespace sluice::daemon::ctl {

[[nodiscard]] CommandGroup dkim_keygen_command_group();

}  // namespace sluice::daemon::ctl
