// Test vectors shared by the note part's tests: the keys of Go's
// golang.org/x/mod/sumdb/note tests (note_test.go, example_test.go), so that accord's
// signed notes are checked against an implementation written elsewhere.
#ifndef ACCORD_NOTE_TESTING_H_
#define ACCORD_NOTE_TESTING_H_

#include <string_view>

namespace accord::note::testing {

inline constexpr std::string_view kPeterSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
inline constexpr std::string_view kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
inline constexpr std::string_view kEnochVkey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";

}  // namespace accord::note::testing

#endif  // ACCORD_NOTE_TESTING_H_
