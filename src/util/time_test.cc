#include "src/util/time.h"

#include <gtest/gtest.h>

namespace accord::util {
namespace {

TEST(Rfc3339Test, WritesUtcSecondsAndReadsItBack) {
  const absl::Time t = absl::FromUnixMillis(1764784900250);
  EXPECT_EQ(Rfc3339(t), "2025-12-03T18:01:40Z");
  EXPECT_EQ(ParseRfc3339("2025-12-03T18:01:40Z"), absl::FromUnixSeconds(1764784900));
  EXPECT_EQ(ParseRfc3339("2025-12-03T19:01:40.25+01:00"), t);
  EXPECT_EQ(Rfc3339(absl::FromCivil(absl::CivilSecond(999, 1, 1, 0, 0, 0), absl::UTCTimeZone())),
            "0999-01-01T00:00:00Z");  // four digits, always
  EXPECT_EQ(ParseRfc3339("2025-12-03 18:01:40Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339(""), std::nullopt);
}

}  // namespace
}  // namespace accord::util
