#include "src/note/text.h"

#include <gtest/gtest.h>

#include <string>

namespace accord::note {
namespace {

TEST(NoteText, DecodeRuneMatchesGo) {
  struct Case {
    std::string bytes;
    int rune;
    size_t size;
  } cases[] = {
      {"a", 'a', 1},
      {"\x7F", 0x7F, 1},
      {"\xC2\x80", 0x80, 2},
      {"\xDF\xBF", 0x7FF, 2},
      {"\xE0\xA0\x80", 0x800, 3},
      {"\xE2\x80\x94", 0x2014, 3},  // em dash
      {"\xED\x9F\xBF", 0xD7FF, 3},
      {"\xEF\xBF\xBD", 0xFFFD, 3},  // a real U+FFFD is valid
      {"\xF0\x90\x80\x80", 0x10000, 4},
      {"\xF4\x8F\xBF\xBF", 0x10FFFF, 4},
      // Invalid: each reports size 1, as Go's RuneError.
      {"\x80", -1, 1},              // lone continuation
      {"\xC0\x80", -1, 1},          // overlong NUL
      {"\xC1\xBF", -1, 1},          // overlong
      {"\xC2", -1, 1},              // truncated
      {"\xC2\x41", -1, 1},          // bad continuation
      {"\xE0\x80\x80", -1, 1},      // overlong 3-byte
      {"\xED\xA0\x80", -1, 1},      // surrogate U+D800
      {"\xE2\x80", -1, 1},          // truncated 3-byte
      {"\xF0\x80\x80\x80", -1, 1},  // overlong 4-byte
      {"\xF4\x90\x80\x80", -1, 1},  // above U+10FFFF
      {"\xF5\x80\x80\x80", -1, 1},
      {"\xFF", -1, 1},
  };
  for (const auto& c : cases) {
    DecodedRune d = DecodeRune(c.bytes);
    EXPECT_EQ(d.rune, c.rune) << ::testing::PrintToString(c.bytes);
    EXPECT_EQ(d.size, c.size) << ::testing::PrintToString(c.bytes);
  }
}

TEST(NoteText, KeyNames) {
  for (std::string_view ok :
       {"a", "PeterNeumann", "example.com/log", "oid/1.3.6.1", "caf\xC3\xA9", "x\x01y", "\x7F"}) {
    EXPECT_TRUE(IsValidKeyName(ok)) << ok;
  }
  for (std::string_view bad : {
           "",
           "a+b",
           "a b",
           "a\tb",
           "a\nb",
           "a\vb",
           "a\fb",
           "a\rb",
           "a\xC2\x85"   // NOLINT(bugprone-suspicious-missing-comma): "\x85b" would be one escape
           "b",          // NEL
           "a\xC2\xA0",  // NBSP
           "\xE1\x9A\x80",  // U+1680
           "\xE2\x80\x80",  // U+2000
           "\xE2\x80\x8A",  // U+200A
           "\xE2\x80\xA8",  // U+2028
           "\xE2\x80\xA9",  // U+2029
           "\xE2\x80\xAF",  // U+202F
           "\xE2\x81\x9F",  // U+205F
           "\xE3\x80\x80",  // U+3000
           "bad\xFF",
       }) {
    EXPECT_FALSE(IsValidKeyName(bad)) << ::testing::PrintToString(std::string(bad));
  }
  // Zero-width space (U+200B) is not white space in Go's sense.
  EXPECT_TRUE(IsValidKeyName("\xE2\x80\x8B"));
}

TEST(NoteText, NoteCharacters) {
  EXPECT_TRUE(CheckNoteCharacters("").ok());
  EXPECT_TRUE(CheckNoteCharacters("line\n\nmore \xE2\x80\x94 \x7F\xC2\x80\n").ok());
  auto tab = CheckNoteCharacters("ab\tc");
  EXPECT_EQ(tab.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(tab.message().find("U+0009 at byte 2"), absl::string_view::npos) << tab;
  EXPECT_FALSE(CheckNoteCharacters("\r\n").ok());
  EXPECT_FALSE(CheckNoteCharacters(std::string("a\0b", 3)).ok());
  auto utf8 = CheckNoteCharacters("ok\xE2\x80");
  EXPECT_NE(utf8.message().find("invalid UTF-8 at byte 2"), absl::string_view::npos) << utf8;
}

}  // namespace
}  // namespace accord::note
