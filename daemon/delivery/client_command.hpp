// What the outbound client says, and which replies can answer it (RFC 5321 §4.3.2): the check
// that keeps replies matched to commands. A reply whose code cannot answer the command it is
// read for (a 250 to DATA, a 354 to RCPT, a 220 to MAIL) means the server is not answering
// what the client asked (out of step, or broken): the session must end and nothing it said in
// the open transaction may be trusted. Pure; no state.
#pragma once

namespace sluice::daemon::delivery {

enum class ClientCommand {
    greeting,  // not a command: the server speaks first
    ehlo,
    helo,
    starttls,
    mail,
    rcpt,
    data,
    end_of_data,  // the content's final "." (or an empty message's lone ".")
    rset,
    quit,
};

// Whether a reply with `code` can answer `command`. Any 4xx or 5xx can (a refusal, or 421 at
// any time); of the positive codes only those RFC 5321 §4.3.2 lists: 220 to the greeting and
// STARTTLS (RFC 3207), 250 to EHLO, HELO, MAIL and RSET, 250/251 to RCPT, 354 to DATA, any 2xx
// to the end of data (it is read after the content, so it cannot be a shifted command reply)
// and to QUIT.
[[nodiscard]] bool can_answer(ClientCommand command, int code);

// "RCPT TO", "end of data"... for diagnostics.
[[nodiscard]] const char* to_string(ClientCommand command);

}  // namespace sluice::daemon::delivery
