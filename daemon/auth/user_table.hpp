// The users who may authenticate (SMTP AUTH) and their password hashes, from a text file of
// "name:hash" lines: hashes in crypt(5) form, "$6$salt$..." (SHA-512-crypt, as written by
// `openssl passwd -6`) or "$y$..." (yescrypt, as written by mkpasswd). Blank lines and lines
// starting with "#" are ignored. Built once, then const and shared by sessions; verification
// calls crypt_r(3) (thread-safe, no global state). Parsing errors name the line.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::daemon::auth {

class UserTable {
  public:
    // Parses the file's text; nullopt-like failure is a null pointer with `error` set
    // ("line 3: ...").
    [[nodiscard]] static std::shared_ptr<const UserTable> parse(std::string_view text,
                                                                std::string& error);
    // Reads and parses `path`; `error` names the file.
    [[nodiscard]] static std::shared_ptr<const UserTable> load(const std::string& path,
                                                               std::string& error);

    // True when `user` exists and `password` matches its hash. An unknown user costs the same
    // hashing work as a known one, so timing does not tell which names exist.
    [[nodiscard]] bool verify(std::string_view user, std::string_view password) const;

    [[nodiscard]] std::size_t size() const { return hashes_.size(); }

  private:
    std::map<std::string, std::string, std::less<>> hashes_;
};

}  // namespace sluice::daemon::auth
