#include "src/crypto/box.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/util/encoding.h"

namespace accord::crypto {
namespace {

// RFC 7748 section 6.1: Alice's X25519 private key and the public key it gives.
TEST(Box, PublicKeyFromSecretMatchesRfc7748) {
  auto secret = util::HexDecode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  ASSERT_TRUE(secret.has_value());
  auto keys = BoxKeyPair::FromSecret(*secret);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(util::HexEncode(keys->public_key()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

TEST(Box, SecretOfTheWrongLengthIsRefused) {
  const std::vector<uint8_t> short_secret(31, 7);
  EXPECT_EQ(BoxKeyPair::FromSecret(short_secret).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Box, OnlyTheRecipientOpensAnUnalteredBox) {
  const BoxKeyPair recipient = BoxKeyPair::Generate();
  const BoxKeyPair other = BoxKeyPair::Generate();
  const std::string message = "preserve the traffic data of 192.0.2.7";
  auto sealed = SealBox(message, recipient.public_key());
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), message.size() + kSealOverheadBytes);
  auto again = SealBox(message, recipient.public_key());
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*sealed, *again) << "sealing is randomised";

  auto opened = OpenBox(*sealed, recipient);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, message);

  EXPECT_EQ(OpenBox(*sealed, other).status().code(), absl::StatusCode::kInvalidArgument);
  for (size_t i : {size_t{0}, kSealOverheadBytes - 1, sealed->size() - 1}) {
    std::string altered = *sealed;
    altered[i] = static_cast<char>(altered[i] ^ 1);
    EXPECT_EQ(OpenBox(altered, recipient).status().code(), absl::StatusCode::kInvalidArgument)
        << "byte " << i;
  }
  EXPECT_EQ(OpenBox(sealed->substr(0, kSealOverheadBytes - 1), recipient).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBox(sealed->substr(0, sealed->size() - 1), recipient).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Box, EmptyPlaintextRoundTrips) {
  const BoxKeyPair recipient = BoxKeyPair::Generate();
  auto sealed = SealBox("", recipient.public_key());
  ASSERT_TRUE(sealed.ok());
  auto opened = OpenBox(*sealed, recipient);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(opened->empty());
}

TEST(Box, PublicKeysFormatAndParse) {
  const BoxKeyPair k = BoxKeyPair::Generate();
  auto parsed = ParseBoxPublicKey(FormatBoxPublicKey(k.public_key()));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, k.public_key());
  EXPECT_FALSE(ParseBoxPublicKey(util::Base64Encode(std::string(31, 'a'))).ok());
  EXPECT_FALSE(ParseBoxPublicKey("not base64").ok());
  auto again = BoxKeyPair::FromSecret(k.secret_key());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), k.public_key());
  EXPECT_FALSE(BoxKeyPair::FromSecret(std::vector<uint8_t>(31)).ok());
}

}  // namespace
}  // namespace accord::crypto
