// Hashes and MACs (hash.h): BLAKE2b, SHA-2, HMAC-SHA-256/512 (RFC 4231) and
// HMAC-BLAKE2b-512.
#include "attune/crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

#include "attune/crypto/util.h"

namespace attune::crypto {
namespace {

Bytes Repeat(uint8_t byte, size_t n) { return Bytes(n, byte); }

class HashTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Init().ok()); }
};

// RFC 7693 appendix A.
TEST_F(HashTest, Blake2b512Abc) {
  EXPECT_EQ(ToHex(Blake2b512(AsBytes("abc"))),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

// Expected values from Python's hashlib.blake2b (an independent implementation).
TEST_F(HashTest, Blake2b256EmptyAndKeyed) {
  EXPECT_EQ(ToHex(Blake2b256(ByteView())),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  Bytes key(64);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  ByteArray<32> out;
  Blake2b(out, AsBytes("attune message"), key);
  EXPECT_EQ(ToHex(out), "cd910bc505d1702d049e61b43ace677e5b345f6bc495f5032ce980d4694ddade");
}

TEST_F(HashTest, HasherInPiecesEqualsOneShot) {
  const std::string data(1000, 'x');
  for (size_t out_len : {size_t{16}, size_t{32}, size_t{64}}) {
    for (const Bytes& key : {Bytes{}, Bytes(64, 0x42)}) {
      Bytes one_shot(out_len);
      Blake2b(one_shot, AsBytes(data), key);

      Blake2bHasher h(out_len, key);
      const ByteView all = AsBytes(data);
      h.Update(all.first(1)).Update(all.subspan(1, 127)).Update(all.subspan(128, 0));
      h.Update(all.subspan(128, 500)).Update(all.subspan(628));
      Bytes pieces(out_len);
      h.Final(pieces);
      EXPECT_EQ(ToHex(pieces), ToHex(one_shot)) << "out_len " << out_len << " key " << key.size();
    }
  }
}

TEST_F(HashTest, OutputLengthIsPartOfBlake2b) {
  // BLAKE2b-256 is not a prefix of BLAKE2b-512 (the length is in the IV).
  const auto h256 = Blake2b256(AsBytes("abc"));
  const auto h512 = Blake2b512(AsBytes("abc"));
  EXPECT_NE(ToHex(h256), ToHex(ByteView(h512).first(32)));
}

TEST_F(HashTest, Sha2Abc) {
  EXPECT_EQ(ToHex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha512(AsBytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

struct HmacCase {
  const char* name = nullptr;
  Bytes key{};
  Bytes data{};
  const char* sha256 = nullptr;  // RFC 4231 case 5 is truncated to 128 bits
  const char* sha512 = nullptr;
};

// RFC 4231 section 4, test cases 1 to 7.
std::vector<HmacCase> Rfc4231Cases() {
  Bytes key4;
  for (uint8_t i = 1; i <= 25; ++i) key4.push_back(i);
  auto text = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
  return {
      {"case 1", Repeat(0x0b, 20), text("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {"case 2", text("Jefe"), text("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {"case 3", Repeat(0xaa, 20), Repeat(0xdd, 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
       "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
      {"case 4", key4, Repeat(0xcd, 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
       "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
      {"case 5", Repeat(0x0c, 20), text("Test With Truncation"), "a3b6167473100ee06e0c796c2955552b",
       "415fad6271580a531d4179bc891d87a6"},
      {"case 6", Repeat(0xaa, 131), text("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
      {"case 7", Repeat(0xaa, 131),
       text("This is a test using a larger than block-size key and a larger than block-size "
            "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
       "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
  };
}

TEST_F(HashTest, HmacSha256Rfc4231) {
  for (const auto& c : Rfc4231Cases()) {
    ByteArray<32> mac;
    HmacSha256(c.key, c.data, mac);
    const std::string expected = c.sha256;
    EXPECT_EQ(ToHex(mac).substr(0, expected.size()), expected) << c.name;
  }
}

TEST_F(HashTest, HmacSha512Rfc4231) {
  for (const auto& c : Rfc4231Cases()) {
    ByteArray<64> mac;
    HmacSha512(c.key, c.data, mac);
    const std::string expected = c.sha512;
    EXPECT_EQ(ToHex(mac).substr(0, expected.size()), expected) << c.name;
  }
}

// An empty key is legal (RFC 2104 pads it with zeros) and must not hand
// libsodium a null pointer (UBSan checks this in the asan preset). Expected
// values from Python's hmac.
TEST_F(HashTest, HmacSha2EmptyKey) {
  ByteArray<32> mac256;
  HmacSha256(ByteView(), AsBytes("attune"), mac256);
  EXPECT_EQ(ToHex(mac256), "f183794bfd42befdf91bca5828ab6d26e6cae3bf5e5320a4521fbb1decd6f20b");
  ByteArray<64> mac512;
  HmacSha512(ByteView(), AsBytes("attune"), mac512);
  EXPECT_EQ(ToHex(mac512),
            "bf2aa6fc048d95fd319fa0e62701928e0b61a6eae8b78fe28b7b47731799848"
            "186540579ffcc6a49ae327a5b9a2c5836437722725a3018ced283e50ad21f5bf5");
}

// Expected values from Python's hmac.new(key, msg, hashlib.blake2b), which is
// RFC 2104 with BLAKE2b-512 and a 128-byte block: the Noise HMAC-BLAKE2b.
TEST_F(HashTest, HmacBlake2b512KnownAnswers) {
  struct Case {
    Bytes key{};
    std::string_view data{};
    const char* expected = nullptr;
  };
  Bytes key128(128), key200(200);
  for (size_t i = 0; i < key200.size(); ++i) key200[i] = static_cast<uint8_t>(i);
  for (size_t i = 0; i < key128.size(); ++i) key128[i] = static_cast<uint8_t>(i);
  const Case cases[] = {
      {Bytes{}, "",
       "198cd2006f66ff83fbbd913f78aca2251caf4f19fe9475aade8cf2091b99a684"
       "66775177424f58286886cbae8229644cec747237d4b721735485e17372fdf59c"},
      {Bytes{'k', 'e', 'y'}, "The quick brown fox jumps over the lazy dog",
       "92294f92c0dfb9b00ec9ae8bd94d7e7d8a036b885a499f149dfe2fd2199394aa"
       "af6b8894a1730cccb2cd050f9bcf5062a38b51b0dab33207f8ef35ae2c9df51b"},
      {key128, "block-size key",
       "7cc76b10c2f5fe16e4ef0d4e6d90ab061ae3f8e676ee31e3e968f2c9c20cad76"
       "af4e6017ef8fac48734a1f656d09d3c8fcb6559e6be92833c46930ec9ae93a1c"},
      {key200, "attune",
       "8e2509cc5794c6692e02c24c99984a6155f96756923bf410f13a1be6d9a62c63"
       "484fa154a7c95a0edce3c774e2cfdb024b9db75a9faac92b80f18c32086d2559"},
  };
  for (const auto& c : cases) {
    ByteArray<64> mac;
    HmacBlake2b512(c.key, AsBytes(c.data), mac);
    EXPECT_EQ(ToHex(mac), c.expected) << "key length " << c.key.size();
  }
}

// RFC 2104 spelled out with Blake2bHasher, for keys on both sides of the
// 128-byte block size.
ByteArray<64> ManualHmacBlake2b(ByteView key, ByteView data) {
  Bytes k0(128, 0);
  if (key.size() > 128) {
    const auto hashed = Blake2b512(key);
    std::copy(hashed.begin(), hashed.end(), k0.begin());
  } else {
    std::copy(key.begin(), key.end(), k0.begin());
  }
  Bytes ipad(128), opad(128);
  for (size_t i = 0; i < 128; ++i) {
    ipad[i] = k0[i] ^ 0x36;
    opad[i] = k0[i] ^ 0x5c;
  }
  ByteArray<64> inner, outer;
  Blake2bHasher(64).Update(ipad).Update(data).Final(inner);
  Blake2bHasher(64).Update(opad).Update(inner).Final(outer);
  return outer;
}

TEST_F(HashTest, HmacBlake2b512MatchesManualComposition) {
  const Bytes data(300, 0x5a);
  for (size_t key_len : {0, 1, 64, 127, 128, 129, 200, 1000}) {
    Bytes key(key_len);
    for (size_t i = 0; i < key_len; ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    ByteArray<64> mac;
    HmacBlake2b512(key, data, mac);
    EXPECT_EQ(ToHex(mac), ToHex(ManualHmacBlake2b(key, data))) << "key length " << key_len;
  }
}

TEST_F(HashTest, HmacBlake2b512HashesLongKeysFirst) {
  Bytes long_key(129);
  for (size_t i = 0; i < long_key.size(); ++i) long_key[i] = static_cast<uint8_t>(i);
  const auto hashed = Blake2b512(long_key);
  ByteArray<64> a, b;
  HmacBlake2b512(long_key, AsBytes("data"), a);
  HmacBlake2b512(hashed, AsBytes("data"), b);
  EXPECT_EQ(ToHex(a), ToHex(b));
  // A 128-byte key is used as is, not hashed.
  const ByteView block_key = ByteView(long_key).first(128);
  HmacBlake2b512(block_key, AsBytes("data"), a);
  HmacBlake2b512(Blake2b512(block_key), AsBytes("data"), b);
  EXPECT_NE(ToHex(a), ToHex(b));
}

}  // namespace
}  // namespace attune::crypto
