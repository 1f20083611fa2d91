// Signing with RSA and Ed25519 keys made at test time, then verifying in-process: the test
// rebuilds the RFC 6376 §3.7 hash input from the signed message on its own (tags parsed from
// the DKIM-Signature field, b= removed) and checks the signature with OpenSSL's verify API.
// Also the folding of the field, key choice by From domain and pool, and key loading errors.
#include "daemon/dkim/signer.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "daemon/codec/base64.hpp"
#include "daemon/dkim/dns_record.hpp"
#include "daemon/dkim/key_loader.hpp"
#include "daemon/dkim/message_header.hpp"
#include "daemon/dkim/openssl_encoding.hpp"
#include "daemon/dkim/relaxed_canonicalizer.hpp"
#include "daemon/dkim/signature_header.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::dkim {
namespace {

using policy::config::DkimKey;

const std::string kMessage =
    "Received: from client by mx\r\n"
    "From: Ann <ann@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Subject: Hello\r\n"
    "  there\r\n"
    "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Hi Bob,  \r\n"
    "\r\n"
    "bye\r\n"
    "\r\n";

DkimKey key_settings(std::string domain, std::string selector) {
    DkimKey key;
    key.domain = std::move(domain);
    key.selector = std::move(selector);
    return key;
}

// The tags of a DKIM-Signature field (whitespace removed from values).
std::map<std::string, std::string> parse_tags(std::string_view field) {
    std::map<std::string, std::string> tags;
    std::string value(field.substr(field.find(':') + 1));
    std::stringstream stream(value);
    std::string item;
    while (std::getline(stream, item, ';')) {
        std::string compact;
        for (char c : item) {
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
        }
        const auto eq = compact.find('=');
        if (eq != std::string::npos) tags[compact.substr(0, eq)] = compact.substr(eq + 1);
    }
    return tags;
}

std::string decode_base64(const std::string& text) {
    std::string out(text.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    out.resize(static_cast<std::size_t>(n) - std::count(text.end() - 2, text.end(), '='));
    return out;
}

// Verifies the topmost DKIM-Signature of `message` with `key`'s public half; "" if it holds.
std::string verify(const std::string& message, const PrivateKey& key) {
    const MessageParts parts = split_message(message);
    if (parts.fields.empty() || !policy::text::iequals(parts.fields[0].name, "DKIM-Signature")) {
        return "no DKIM-Signature on top";
    }
    const std::string_view field = parts.fields[0].text;
    auto tags = parse_tags(field);
    if (tags["c"] != "relaxed/relaxed" || tags["v"] != "1") return "bad v= or c=";
    if (tags.count("l")) return "l= used";
    const std::string body_hash =
        codec::encode_base64(sha256(canonicalize_body_relaxed(parts.body)));
    if (tags["bh"] != body_hash) return "body hash mismatch";
    // The hash input: each h= name selects the next unused instance from the bottom.
    std::string data;
    std::map<std::string, int> used;
    std::stringstream names(tags["h"]);
    std::string name;
    while (std::getline(names, name, ':')) {
        int skip = used[name]++;
        for (auto it = parts.fields.rbegin(); it != parts.fields.rend(); ++it) {
            if (policy::text::iequals(it->name, name) && skip-- == 0) {
                data += canonicalize_header_relaxed(it->text);
                break;
            }
        }
    }
    // The signature field itself with b= emptied (b= is the last tag here).
    const std::string without_b(field.substr(0, field.rfind("b=") + 2));
    std::string own = canonicalize_header_relaxed(without_b);
    data += own.substr(0, own.size() - 2);

    const std::string der = decode_base64(key.public_key_base64());
    std::string signature = decode_base64(tags["b"]);
    EVP_PKEY* public_key = nullptr;
    if (key.type() == KeyType::rsa) {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        public_key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    } else {
        public_key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                 reinterpret_cast<const unsigned char*>(der.data()),
                                                 der.size());
        data = sha256(data);  // RFC 8463: Ed25519 over SHA-256 of the input
    }
    if (public_key == nullptr) return "bad public key";
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const int ok =
        EVP_DigestVerifyInit(ctx, nullptr, key.type() == KeyType::rsa ? EVP_sha256() : nullptr,
                             nullptr, public_key) == 1 &&
        EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                         data.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(public_key);
    return ok ? "" : "signature does not verify";
}

class SignerTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        rsa_ = new PrivateKey(generate_private_key(KeyType::rsa, 2048));
        ed25519_ = new PrivateKey(generate_private_key(KeyType::ed25519, 0));
    }
    static void TearDownTestSuite() {
        delete rsa_;
        delete ed25519_;
    }
    static PrivateKey* rsa_;
    static PrivateKey* ed25519_;
};
PrivateKey* SignerTest::rsa_ = nullptr;
PrivateKey* SignerTest::ed25519_ = nullptr;

TEST_F(SignerTest, RsaAndEd25519SignaturesVerify) {
    for (const PrivateKey* key : {rsa_, ed25519_}) {
        const Signer signer({{key_settings("example.com", "s1"), *key}});
        const SignResult result = signer.sign(kMessage, "", 1796000000);
        ASSERT_EQ(result.signatures, 1u) << key->algorithm();
        EXPECT_TRUE(result.failures.empty());
        EXPECT_TRUE(result.content.ends_with(kMessage));
        EXPECT_EQ(verify(result.content, *key), "") << key->algorithm() << "\n" << result.content;
        auto tags = parse_tags(split_message(result.content).fields[0].text);
        EXPECT_EQ(tags["a"], key->algorithm());
        EXPECT_EQ(tags["d"], "example.com");
        EXPECT_EQ(tags["s"], "s1");
        EXPECT_EQ(tags["t"], "1796000000");
        EXPECT_TRUE(tags["h"].starts_with("From:From:To:To:Cc:Subject:Subject:Date:Date:"))
            << tags["h"];
    }
}

TEST_F(SignerTest, ChangesTheVerifierMustCatch) {
    const Signer signer({{key_settings("example.com", "s1"), *ed25519_}});
    const std::string signed_message = signer.sign(kMessage, "", 1796000000).content;
    ASSERT_EQ(verify(signed_message, *ed25519_), "");
    // Relaxed canonicalization tolerates whitespace changes...
    std::string refolded =
        std::regex_replace(signed_message, std::regex("Subject: Hello"), "Subject:\tHello \r\n\t");
    refolded = std::regex_replace(refolded, std::regex("bye\r\n"), "bye \t\r\n\r\n");
    EXPECT_EQ(verify(refolded, *ed25519_), "");
    // ...but not a changed body, an added From, or another key.
    const std::string body_changed = std::regex_replace(signed_message, std::regex("bye"), "Bye");
    EXPECT_EQ(verify(body_changed, *ed25519_), "body hash mismatch");
    std::string extra_from = signed_message;
    extra_from.insert(extra_from.find("Received:"), "From: eve@evil.test\r\n");
    EXPECT_EQ(verify(extra_from, *ed25519_), "signature does not verify");
    EXPECT_EQ(verify(signed_message, generate_private_key(KeyType::ed25519, 0)),
              "signature does not verify");
}

TEST_F(SignerTest, FieldIsFoldedWithinWidth) {
    // This selector makes the tags of the first line end exactly where a ";" would overflow.
    const Signer signer({{key_settings("example.com", "rsa2026"), *rsa_}});
    const std::string content = signer.sign(kMessage, "", 1796000000).content;
    const std::string field(split_message(content).fields[0].text);
    std::size_t lines = 0;
    for (std::size_t pos = 0; pos <= field.size();) {
        std::size_t end = field.find("\r\n", pos);
        if (end == std::string::npos) end = field.size();
        std::string line = field.substr(pos, end - pos);
        const std::size_t width = line.starts_with('\t') ? line.size() + 7 : line.size();
        EXPECT_LE(width, kFoldWidth) << "line " << lines << ": " << line;
        EXPECT_TRUE(lines == 0 || line.starts_with('\t')) << line;
        ++lines;
        pos = end + 2;
    }
    EXPECT_GT(lines, 5u);
}

TEST_F(SignerTest, ChoosesKeysByFromDomainAndPool) {
    DkimKey parent = key_settings("example.com", "rsa");
    parent.subdomains = true;
    DkimKey exact = key_settings("example.com", "ed");
    DkimKey bulk_only = key_settings("example.com", "bulk");
    bulk_only.pools = {"bulk"};
    const Signer signer({{parent, *rsa_}, {exact, *ed25519_}, {bulk_only, *ed25519_}});

    EXPECT_EQ(signer.sign(kMessage, "", 1).signatures, 2u);
    EXPECT_EQ(signer.sign(kMessage, "bulk", 1).signatures, 3u);
    const std::string sub =
        std::regex_replace(kMessage, std::regex("ann@example.com"), "ann@news.example.com");
    EXPECT_EQ(signer.sign(sub, "", 1).signatures, 1u);  // only the subdomains key
    const std::string other =
        std::regex_replace(kMessage, std::regex("ann@example.com"), "ann@notexample.com");
    const SignResult unsigned_result = signer.sign(other, "", 1);
    EXPECT_EQ(unsigned_result.signatures, 0u);
    EXPECT_EQ(unsigned_result.content, other);
    // Several signatures: each verifies on its own (first key on top).
    const std::string two = signer.sign(kMessage, "", 1).content;
    EXPECT_EQ(verify(two, *rsa_), "");
    EXPECT_EQ(verify(two.substr(two.find("\r\nDKIM-Signature:") + 2), *ed25519_), "");
}

TEST(KeyApplies, DomainsAndPools) {
    DkimKey key = key_settings("example.com", "s");
    EXPECT_TRUE(key_applies(key, "example.com", ""));
    EXPECT_FALSE(key_applies(key, "a.example.com", ""));
    EXPECT_FALSE(key_applies(key, "example.co", ""));
    key.subdomains = true;
    EXPECT_TRUE(key_applies(key, "a.b.example.com", "x"));
    EXPECT_FALSE(key_applies(key, "badexample.com", ""));
    key.pools = {"bulk"};
    EXPECT_TRUE(key_applies(key, "example.com", "bulk"));
    EXPECT_FALSE(key_applies(key, "example.com", ""));
}

TEST(DnsRecord, SplitsLongTextInto255ByteStrings) {
    const std::string text = dkim_record_text("rsa", std::string(600, 'A'));
    const std::string line = dkim_txt_record("example.com", "s1", text);
    EXPECT_TRUE(line.starts_with("s1._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; p=AAA"));
    std::smatch match;
    std::string rest = line;
    std::string joined;
    std::size_t strings = 0;
    while (std::regex_search(rest, match, std::regex("\"([^\"]*)\""))) {
        EXPECT_LE(match[1].length(), 255);
        joined += match[1];
        ++strings;
        rest = match.suffix();
    }
    EXPECT_EQ(strings, 3u);
    EXPECT_EQ(joined, text);
}

// load_signer: key files that do not load are config errors at the private_key setting.
class KeyLoaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("sluice-dkim-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    DkimKey key_file(const std::string& name, int line) {
        DkimKey key = key_settings("example.com", name);
        key.private_key = (dir_ / name).string();
        key.private_key_place = {"t.conf", line, "keys.[0].private_key"};
        return key;
    }
    std::filesystem::path dir_;
};

TEST_F(KeyLoaderTest, LoadsGoodKeysAndNamesBadOnes) {
    ASSERT_EQ(generate_private_key(KeyType::ed25519, 0).write_pem_file((dir_ / "ed").string()), "");
    ASSERT_EQ(generate_private_key(KeyType::rsa, 1024).write_pem_file((dir_ / "small").string()),
              "");
    EXPECT_EQ(std::filesystem::status(dir_ / "ed").permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // Never over an existing file.
    EXPECT_NE(generate_private_key(KeyType::ed25519, 0).write_pem_file((dir_ / "ed").string()), "");
    std::ofstream(dir_ / "junk") << "-----BEGIN PRIVATE KEY-----\nnope\n";

    policy::config::Config config;
    config.keys = {key_file("ed", 4), key_file("small", 5)};
    auto good = load_signer(config);
    ASSERT_TRUE(good.signer) << good.errors.size();
    EXPECT_EQ(good.signer->keys().size(), 2u);
    ASSERT_EQ(good.warnings.size(), 1u);
    EXPECT_NE(good.warnings[0].find("t.conf:5: keys.[0].private_key:"), std::string::npos)
        << good.warnings[0];

    DkimKey wrong_type = key_file("ed", 6);
    wrong_type.algorithm = policy::config::DkimAlgorithm::rsa_sha256;
    config.keys = {key_file("missing", 7), key_file("junk", 8), wrong_type};
    auto bad = load_signer(config);
    EXPECT_FALSE(bad.signer);
    ASSERT_EQ(bad.errors.size(), 3u);
    EXPECT_EQ(bad.errors[0].line, 7);
    EXPECT_NE(bad.errors[0].to_string().find("No such file or directory"), std::string::npos)
        << bad.errors[0].to_string();
    EXPECT_NE(bad.errors[1].to_string().find("no usable unencrypted PEM private key"),
              std::string::npos)
        << bad.errors[1].to_string();
    EXPECT_NE(bad.errors[2].to_string().find("is not an RSA key"), std::string::npos)
        << bad.errors[2].to_string();
}

}  // namespace
}  // namespace sluice::daemon::dkim
