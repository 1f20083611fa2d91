#include "daemon/delivery/client_command.hpp"

namespace sluice::daemon::delivery {

bool can_answer(ClientCommand command, int code) {
    const int klass = code / 100;
    if (klass == 4 || klass == 5) return true;
    switch (command) {
        case ClientCommand::greeting:
        case ClientCommand::starttls:
            return code == 220;
        case ClientCommand::ehlo:
        case ClientCommand::helo:
        case ClientCommand::mail:
        case ClientCommand::rset:
            return code == 250;
        case ClientCommand::rcpt:
            return code == 250 || code == 251;
        case ClientCommand::data:
            return code == 354;
        case ClientCommand::end_of_data:
        case ClientCommand::quit:
            return klass == 2;
    }
    return false;
}

const char* to_string(ClientCommand command) {
    switch (command) {
        case ClientCommand::greeting:
            return "the greeting";
        case ClientCommand::ehlo:
            return "EHLO";
        case ClientCommand::helo:
            return "HELO";
        case ClientCommand::starttls:
            return "STARTTLS";
        case ClientCommand::mail:
            return "MAIL FROM";
        case ClientCommand::rcpt:
            return "RCPT TO";
        case ClientCommand::data:
            return "DATA";
        case ClientCommand::end_of_data:
            return "end of data";
        case ClientCommand::rset:
            return "RSET";
        case ClientCommand::quit:
            return "QUIT";
    }
    return "a command";
}

}  // namespace sluice::daemon::delivery
