// RFC 3339 times as accord writes them: UTC, "YYYY-MM-DDTHH:MM:SSZ" (statements,
// problems, reports, lock files). One place, so that every part writes the same form
// (four-digit years, "Z", no offset) and parses it the same way.
#ifndef ACCORD_UTIL_TIME_H_
#define ACCORD_UTIL_TIME_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace accord::util {

// "2026-12-03T18:01:40Z": whole seconds (fractions are dropped), UTC.
std::string Rfc3339(absl::Time t);
// Any RFC 3339 time (fractions and offsets allowed); nullopt if `text` is not one.
std::optional<absl::Time> ParseRfc3339(std::string_view text);

}  // namespace accord::util

#endif  // ACCORD_UTIL_TIME_H_
