// The character rules of C2SP signed notes (c2sp.org/signed-note, "Format"), decided
// exactly as Go's golang.org/x/mod/sumdb/note decides them, so that accord and Go accept
// and reject the same notes and key names.
//
//  - A note (text and signature lines) MUST be valid UTF-8 and MUST NOT contain ASCII
//    control characters (below U+0020) other than newline. Valid UTF-8 here is Go's
//    unicode/utf8: shortest form, no surrogates (U+D800..U+DFFF), nothing above
//    U+10FFFF. DEL (U+007F) and the C1 controls (U+0080..U+009F) are allowed.
//  - A key name MUST be non-empty, valid UTF-8, and contain neither '+' nor any Unicode
//    white space (Go's unicode.IsSpace: U+0009..U+000D, U+0020, U+0085, U+00A0, U+1680,
//    U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
#ifndef ACCORD_NOTE_TEXT_H_
#define ACCORD_NOTE_TEXT_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace accord::note {

// One decoded code point: `rune` is -1 when the bytes at the start of the input are not
// valid UTF-8, in which case `size` is 1 (as Go's utf8.DecodeRune reports RuneError).
// REQUIRES: the input is non-empty.
struct DecodedRune {
  int rune;
  size_t size;
};
DecodedRune DecodeRune(std::string_view s);

// Go's unicode.IsSpace.
bool IsUnicodeSpace(int rune);

// Reports whether `name` is a valid key name (see above).
bool IsValidKeyName(std::string_view name);

// OK if `s` is valid UTF-8 without control characters other than '\n'; otherwise
// InvalidArgument naming the byte offset of the first offending character. This is the
// rule for a whole signed note, and so for a note's text.
absl::Status CheckNoteCharacters(std::string_view s);

}  // namespace accord::note

#endif  // ACCORD_NOTE_TEXT_H_
