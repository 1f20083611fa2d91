// Fuzz target: the configuration loader (policy/config/load.hpp: libconfig++ text → model →
// validation) and the unit parsers it uses. Input: the text of a configuration file. Inputs
// that hold "@include" are skipped: an include reads another file (possibly a device that
// never ends), which is the admin's business, not something to fuzz. Invariants:
//  - no exception escapes; a Config is handed out if and only if there is no error;
//  - every error has a message and names the file it is about, and its one-line form holds no
//    line break (it goes to the log and to the terminal of `sluiced --check`);
//  - loading is deterministic: the same text gives the same errors (no hidden state);
//  - a duration or percentage the unit parsers accept is never negative, and a rate's period is
//    never zero (it is divided by).
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.hpp"
#include "policy/config/load.hpp"
#include "policy/config/units.hpp"

namespace config = sluice::policy::config;

namespace {

std::string joined_errors(const config::LoadResult& result) {
    std::string all;
    for (const config::ConfigError& error : result.errors) all += error.to_string() + "\n";
    return all;
}

void check_units(std::string_view text) {
    if (auto duration = config::parse_duration(text)) FUZZ_CHECK(duration->count() >= 0);
    if (auto percent = config::parse_percent(text)) FUZZ_CHECK(*percent >= 0.0);
    static_cast<void>(config::parse_size(text));
    if (auto rate = config::parse_rate(text)) FUZZ_CHECK(rate->per.count() > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (size < 64) check_units(text);
    if (text.find("@include") != std::string::npos) return 0;
    const config::LoadResult first = config::load_config_text(text, "fuzz.conf");
    FUZZ_CHECK((first.config != nullptr) == first.errors.empty());
    for (const config::ConfigError& error : first.errors) {
        FUZZ_CHECK(!error.message.empty() && error.file == "fuzz.conf");
        const std::string line = error.to_string();
        FUZZ_CHECK(line.find('\n') == std::string::npos && line.find('\r') == std::string::npos);
    }
    const config::LoadResult second = config::load_config_text(text, "fuzz.conf");
    FUZZ_CHECK(joined_errors(first) == joined_errors(second));
    return 0;
}
