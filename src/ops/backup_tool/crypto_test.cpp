#include "ops/backup_tool/crypto.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace quiver::ops::backup {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void Write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("crypto-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    key_ = ParseEncryptionKey(std::string(64, 'a')).value();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  EncryptionKey key_;
};

TEST_F(CryptoTest, RoundTripAndLayout) {
  std::string plain(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i * 31);
  Write(dir_ / "p", plain);
  auto sum = EncryptFile(dir_ / "p", dir_ / "e", key_, "ID/node-0/collection-0.snapshot.enc");
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  std::string enc = Read(dir_ / "e");
  ASSERT_EQ(enc.size(), plain.size() + 8 + 12 + 16);
  EXPECT_EQ(enc.substr(0, 8), "QVBKENC1");
  EXPECT_EQ(*sum, Sha256Hex(enc));
  EXPECT_EQ(enc.find(plain.substr(1000, 64)), std::string::npos);  // not plaintext
  ASSERT_TRUE(
      DecryptFile(dir_ / "e", dir_ / "d", key_, "ID/node-0/collection-0.snapshot.enc").ok());
  EXPECT_EQ(Read(dir_ / "d"), plain);
}

TEST_F(CryptoTest, WrongKeyFlippedByteOrOtherObjectKeyFail) {
  Write(dir_ / "p", "hello snapshot");
  ASSERT_TRUE(EncryptFile(dir_ / "p", dir_ / "e", key_, "k1").ok());
  EncryptionKey other = ParseEncryptionKey(std::string(64, 'b')).value();
  auto st = DecryptFile(dir_ / "e", dir_ / "d", other, "k1");
  EXPECT_EQ(st.code(), base::StatusCode::kCorruption);
  EXPECT_FALSE(fs::exists(dir_ / "d"));  // no unauthenticated plaintext left behind
  EXPECT_EQ(DecryptFile(dir_ / "e", dir_ / "d", key_, "k2").code(), base::StatusCode::kCorruption);
  std::string enc = Read(dir_ / "e");
  for (size_t pos : {size_t{3}, size_t{10}, size_t{25}, enc.size() - 1}) {
    std::string bad = enc;
    bad[pos] ^= 1;
    Write(dir_ / "b", bad);
    EXPECT_FALSE(DecryptFile(dir_ / "b", dir_ / "d", key_, "k1").ok()) << pos;
  }
  Write(dir_ / "t", enc.substr(0, 30));
  EXPECT_EQ(DecryptFile(dir_ / "t", dir_ / "d", key_, "k1").code(), base::StatusCode::kCorruption);
}

TEST_F(CryptoTest, KeyLoadingFailsClosed) {
  EXPECT_FALSE(LoadEncryptionKey((dir_ / "missing").string(), "").ok());
  Write(dir_ / "short", "abcd");
  EXPECT_FALSE(LoadEncryptionKey((dir_ / "short").string(), "").ok());
  Write(dir_ / "nothex", std::string(64, 'z'));
  EXPECT_FALSE(LoadEncryptionKey((dir_ / "nothex").string(), "").ok());
  Write(dir_ / "hex", std::string(64, 'a') + "\n");
  auto k = LoadEncryptionKey((dir_ / "hex").string(), "");
  ASSERT_TRUE(k.ok() && k->has_value());
  EXPECT_EQ(KeyId(**k), KeyId(key_));
  Write(dir_ / "raw", std::string(32, '\x07'));
  EXPECT_TRUE(LoadEncryptionKey((dir_ / "raw").string(), "")->has_value());
  ::setenv("QUIVER_TEST_KEY", "not a key", 1);
  EXPECT_FALSE(LoadEncryptionKey("", "QUIVER_TEST_KEY").ok());
  ::setenv("QUIVER_TEST_KEY", std::string(64, 'b').c_str(), 1);
  EXPECT_TRUE(LoadEncryptionKey("", "QUIVER_TEST_KEY")->has_value());
  ::unsetenv("QUIVER_TEST_KEY");
  EXPECT_FALSE(LoadEncryptionKey("", "QUIVER_TEST_KEY")->has_value());  // not configured
  EXPECT_NE(KeyId(key_), KeyId(ParseEncryptionKey(std::string(64, 'b')).value()));
}

}  // namespace
}  // namespace quiver::ops::backup
