#include "src/util/encoding.h"

#include <gtest/gtest.h>

namespace accord::util {
namespace {

std::string Decoded(std::string_view b64) {
  auto d = Base64Decode(b64);
  return d ? std::string(AsChars(*d)) : std::string("<invalid>");
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, enc] : vectors) {
    EXPECT_EQ(Base64Encode(plain), enc);
    EXPECT_EQ(Decoded(enc), plain);
  }
}

TEST(Base64, RejectsNonCanonicalAndMalformed) {
  for (std::string_view bad : {"Zg", "Zg=", "Zh==", "Zm9=", "Zm9v=", "Z===", "Zm9v\n", "Zm-v",
                               "Zm_v", "====", "Zg==Zg=="}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(Hex, RoundTripAndErrors) {
  const uint8_t bytes[] = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), std::vector<uint8_t>(std::begin(bytes), std::end(bytes)));
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

}  // namespace
}  // namespace accord::util
