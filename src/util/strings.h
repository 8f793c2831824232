// Small string helpers over std::string_view (Debian's abseil has its own
// absl::string_view, which does not convert from std::string_view).
#ifndef ACCORD_UTIL_STRINGS_H_
#define ACCORD_UTIL_STRINGS_H_

#include <string_view>

namespace accord::util {

// `s` without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
inline std::string_view StripWhitespace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace accord::util

#endif  // ACCORD_UTIL_STRINGS_H_
