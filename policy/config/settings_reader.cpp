// SettingsReader (see settings_reader.hpp). Messages say what was expected and, for a wrong
// type, what was found, since a quoted number or an unquoted duration is the usual slip.
#include "policy/config/settings_reader.hpp"

#include <sstream>

#include "policy/config/units.hpp"

namespace sluice::policy::config {
namespace {

using Type = libconfig::Setting::Type;

std::string describe(const libconfig::Setting& setting) {
    switch (setting.getType()) {
        case Type::TypeGroup:
            return "a group";
        case Type::TypeInt:
        case Type::TypeInt64:
            return "an integer";
        case Type::TypeFloat:
            return "a floating-point number";
        case Type::TypeString:
            return "a string";
        case Type::TypeBoolean:
            return "a boolean";
        case Type::TypeArray:
            return "an array";
        case Type::TypeList:
            return "a list";
        default:
            return "nothing";
    }
}

bool is_integer(const libconfig::Setting& setting) {
    return setting.getType() == Type::TypeInt || setting.getType() == Type::TypeInt64;
}

// libconfig only converts int to long long with auto-conversion on, which would also let
// floats through; so read each integer type as itself.
long long integer_value(const libconfig::Setting& setting) {
    if (setting.getType() == Type::TypeInt) {
        return static_cast<int>(setting);
    }
    return static_cast<long long>(setting);
}

std::string expected(std::string_view what, const libconfig::Setting& found) {
    return "expected " + std::string(what) + ", got " + describe(found);
}

std::string range_message(std::int64_t value, std::int64_t min, std::int64_t max) {
    // A limit that only comes from the field's width (2^32 - 1 and up) is not worth quoting.
    const bool natural_max = max >= std::int64_t{std::numeric_limits<std::uint32_t>::max()};
    std::string bounds = value < min && natural_max ? "must be at least " + std::to_string(min)
                                                    : "must be between " + std::to_string(min) +
                                                          " and " + std::to_string(max);
    return bounds + " (got " + std::to_string(value) + ")";
}

// 2, 1.5, 0.001: no trailing zeros.
std::string format_number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

}  // namespace

Group SettingsReader::root(const libconfig::Config& config, KnownKeys known) {
    Group group{&config.getRoot(), ""};
    check_keys(group, known);
    return group;
}

std::optional<Group> SettingsReader::section(const Group& parent, const char* key,
                                             KnownKeys known) {
    const libconfig::Setting* setting = find(parent, key, Presence::optional);
    Group group{setting != nullptr ? setting : &empty_.getRoot(), join_path(parent.path, key)};
    if (!group.setting->isGroup()) {
        report(group.path, expected("a group { ... }", *group.setting));
        return std::nullopt;
    }
    check_keys(group, known);
    return group;
}

std::optional<std::vector<std::optional<Group>>> SettingsReader::group_list(const Group& parent,
                                                                            const char* key,
                                                                            KnownKeys known,
                                                                            Presence presence) {
    std::vector<std::optional<Group>> groups;
    const libconfig::Setting* list = find(parent, key, presence);
    if (list == nullptr) {
        return groups;
    }
    const std::string path = join_path(parent.path, key);
    if (!list->isList()) {
        report(path, expected("a list of groups ( { ... }, ... )", *list));
        return std::nullopt;
    }
    for (int i = 0; i < list->getLength(); ++i) {
        Group element{&(*list)[i], element_path(path, i)};
        visit(*element.setting, element.path);
        if (!element.setting->isGroup()) {
            report(element.path, expected("a group { ... }", *element.setting));
            groups.emplace_back();
            continue;
        }
        check_keys(element, known);
        groups.push_back(std::move(element));
    }
    return groups;
}

std::vector<ListItem> SettingsReader::string_list(const Group& parent, const char* key) {
    std::vector<ListItem> items;
    const libconfig::Setting* list = find(parent, key, Presence::optional);
    if (list == nullptr) {
        return items;
    }
    const std::string path = join_path(parent.path, key);
    if (!list->isArray() && !list->isList()) {
        report(path, expected("an array of strings [ \"...\", ... ]", *list));
        return items;
    }
    for (int i = 0; i < list->getLength(); ++i) {
        std::string element = element_path(path, i);
        visit((*list)[i], element);
        if (auto value = string_value((*list)[i], element)) {
            items.push_back({std::move(*value), std::move(element)});
        }
    }
    return items;
}

bool SettingsReader::read_string(const Group& parent, const char* key, std::string& out,
                                 Presence presence, Emptiness emptiness) {
    const libconfig::Setting* setting = find(parent, key, presence);
    if (setting == nullptr) {
        return false;
    }
    auto value = string_value(*setting, join_path(parent.path, key), emptiness);
    if (!value) {
        return false;
    }
    out = std::move(*value);
    return true;
}

bool SettingsReader::read_integer(const Group& parent, const char* key, std::int64_t& out,
                                  Presence presence, std::int64_t min, std::int64_t max) {
    const libconfig::Setting* setting = find(parent, key, presence);
    if (setting == nullptr) {
        return false;
    }
    const std::string path = join_path(parent.path, key);
    if (!is_integer(*setting)) {
        report(path, expected("an integer", *setting));
        return false;
    }
    const long long value = integer_value(*setting);
    if (value < min || value > max) {
        report(path, range_message(value, min, max));
        return false;
    }
    out = value;
    return true;
}

bool SettingsReader::read_size(const Group& parent, const char* key, std::uint64_t& out,
                               std::uint64_t min) {
    const libconfig::Setting* setting = find(parent, key, Presence::optional);
    if (setting == nullptr) {
        return false;
    }
    const std::string path = join_path(parent.path, key);
    std::optional<std::uint64_t> size;
    if (is_integer(*setting)) {
        const long long value = integer_value(*setting);
        size = value >= 0 ? std::optional<std::uint64_t>(value) : std::nullopt;
    } else if (setting->getType() == Type::TypeString) {
        size = parse_size(setting->c_str());
    } else {
        report(path, expected("a size (bytes, or a string like \"64k\" or \"50M\")", *setting));
        return false;
    }
    if (!size) {
        report(path, "not a valid size (bytes, or a number followed by k, M, G or T)");
        return false;
    }
    if (*size < min) {
        report(path, "must be at least " + std::to_string(min) + " bytes");
        return false;
    }
    out = *size;
    return true;
}

bool SettingsReader::read_duration(const Group& parent, const char* key, Duration& out) {
    const libconfig::Setting* setting = find(parent, key, Presence::optional);
    if (setting == nullptr) {
        return false;
    }
    auto duration = duration_value(*setting, join_path(parent.path, key));
    if (!duration) {
        return false;
    }
    out = *duration;
    return true;
}

bool SettingsReader::read_number(const Group& parent, const char* key, double& out, double min,
                                 double max) {
    const libconfig::Setting* setting = find(parent, key, Presence::optional);
    if (setting == nullptr) {
        return false;
    }
    const std::string path = join_path(parent.path, key);
    double value = 0;
    if (is_integer(*setting)) {
        value = static_cast<double>(integer_value(*setting));
    } else if (setting->getType() == Type::TypeFloat) {
        value = static_cast<double>(*setting);
    } else {
        report(path, expected("a number", *setting));
        return false;
    }
    if (!(value >= min && value <= max)) {
        report(path, "must be between " + format_number(min) + " and " + format_number(max) +
                         " (got " + format_number(value) + ")");
        return false;
    }
    out = value;
    return true;
}

bool SettingsReader::read_bool(const Group& parent, const char* key, bool& out) {
    const libconfig::Setting* setting = find(parent, key, Presence::optional);
    if (setting == nullptr) {
        return false;
    }
    if (setting->getType() != Type::TypeBoolean) {
        report(join_path(parent.path, key), expected("true or false", *setting));
        return false;
    }
    out = static_cast<bool>(*setting);
    return true;
}

std::optional<std::vector<Duration>> SettingsReader::duration_list(const Group& parent,
                                                                   const char* key) {
    const libconfig::Setting* list = find(parent, key, Presence::optional);
    if (list == nullptr) {
        return std::nullopt;
    }
    const std::string path = join_path(parent.path, key);
    if (!list->isArray() && !list->isList()) {
        report(path, expected("an array of durations [ \"5m\", ... ]", *list));
        return std::nullopt;
    }
    std::vector<Duration> durations;
    bool all_valid = true;
    for (int i = 0; i < list->getLength(); ++i) {
        std::string element = element_path(path, i);
        visit((*list)[i], element);
        auto duration = duration_value((*list)[i], element);
        all_valid = all_valid && duration.has_value();
        durations.push_back(duration.value_or(Duration{}));
    }
    return all_valid ? std::optional(std::move(durations)) : std::nullopt;
}

void SettingsReader::report(std::string_view path, std::string message) {
    errors_.push_back(locations_.error(path, std::move(message)));
}

const libconfig::Setting* SettingsReader::find(const Group& parent, const char* key,
                                               Presence presence) {
    const std::string path = join_path(parent.path, key);
    if (!parent.setting->exists(key)) {
        if (presence == Presence::required) {
            report(path, "required setting is missing");
        }
        return nullptr;
    }
    const libconfig::Setting& setting = (*parent.setting)[key];
    visit(setting, path);
    return &setting;
}

void SettingsReader::visit(const libconfig::Setting& setting, const std::string& path) {
    locations_.record(path, setting.getSourceFile(), static_cast<int>(setting.getSourceLine()));
}

void SettingsReader::check_keys(const Group& group, KnownKeys known) {
    for (int i = 0; i < group.setting->getLength(); ++i) {
        const libconfig::Setting& child = (*group.setting)[i];
        std::string_view name = child.getName() != nullptr ? child.getName() : "";
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            const std::string path = join_path(group.path, name);
            visit(child, path);
            report(path, "unknown setting");
        }
    }
}

std::optional<std::string> SettingsReader::string_value(const libconfig::Setting& setting,
                                                        const std::string& path,
                                                        Emptiness emptiness) {
    if (setting.getType() != Type::TypeString) {
        report(path, expected("a string", setting));
        return std::nullopt;
    }
    std::string value = setting.c_str();
    if (value.empty() && emptiness == Emptiness::rejected) {
        report(path, "must not be empty");
        return std::nullopt;
    }
    return value;
}

std::optional<Duration> SettingsReader::duration_value(const libconfig::Setting& setting,
                                                       const std::string& path) {
    if (is_integer(setting)) {
        const long long value = integer_value(setting);
        report(path, "a duration needs a unit: write \"" + std::to_string(value) + "s\" for " +
                         std::to_string(value) + " seconds");
        return std::nullopt;
    }
    if (setting.getType() != Type::TypeString) {
        report(path, expected("a duration string like \"30s\" or \"5m\"", setting));
        return std::nullopt;
    }
    auto duration = parse_duration(setting.c_str());
    if (!duration) {
        report(path,
               "not a valid duration (numbers with units ms, s, m, h, d, w, largest "
               "first, like \"1h30m\")");
        return std::nullopt;
    }
    if (duration->count() <= 0) {
        report(path, "must be greater than zero");
        return std::nullopt;
    }
    return *duration;
}

}  // namespace sluice::policy::config
