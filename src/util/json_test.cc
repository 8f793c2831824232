#include "src/util/json.h"

#include <gtest/gtest.h>

#include <string>

namespace accord::util {
namespace {

using nlohmann::json;

// The refusal of `text`: its pointer and message (empty if it was accepted).
JsonError Refusal(std::string_view text) {
  JsonError error;
  auto doc = ParseJson(text, &error);
  EXPECT_FALSE(doc.ok()) << "accepted: " << doc->dump();
  if (doc.ok()) return {};
  EXPECT_TRUE(absl::IsInvalidArgument(doc.status())) << doc.status();
  EXPECT_EQ(doc.status().message(),
            error.pointer.empty() ? error.message : error.pointer + ": " + error.message);
  return error;
}

TEST(ParseJsonTest, AcceptsJsonTextWithWhitespaceAround) {
  auto doc = ParseJson(" \t\r\n{\"a\":[1,\"\\u00e9\\ud83d\\ude00\",null,true]} \r\n\t");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ((*doc)["a"][1], "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(ParseJson("0").ok());
  EXPECT_TRUE(ParseJson("\"\\u0000\"").ok());  // an escaped NUL is a character of a string
  // The same name in different objects is no repetition.
  EXPECT_TRUE(ParseJson(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})").ok());
}

TEST(ParseJsonTest, RefusesANulByteAndWhatFollowsIt) {
  // nlohmann stops at a NUL and accepts the document before it; what followed would be
  // stored with it and read by others.
  for (const std::string& text : {std::string("{\"a\":1}\0{\"a\":2}", 15), std::string("{}\0", 3),
                                  std::string("[1,\0 2]", 7), std::string("\0", 1)}) {
    SCOPED_TRACE(text);
    const JsonError e = Refusal(text);
    EXPECT_EQ(e.pointer, "");
    EXPECT_EQ(e.message, "not JSON (byte " + std::to_string(text.find('\0')) + "): a NUL byte");
  }
}

TEST(ParseJsonTest, RefusesAByteOrderMark) {
  const JsonError e = Refusal("\xEF\xBB\xBF{}");
  EXPECT_EQ(e.pointer, "");
  EXPECT_EQ(e.message, "not JSON (byte 0): a UTF-8 byte order mark (RFC 8259 §8.1)");
  // Elsewhere it is a syntax error, or inside a string the character U+FEFF.
  EXPECT_EQ(Refusal("{}\xEF\xBB\xBF").message.substr(0, 13), "not JSON (byt");
  EXPECT_TRUE(ParseJson("\"\xEF\xBB\xBF\"").ok());
}

TEST(ParseJsonTest, RefusesAnythingAfterTheDocument) {
  for (const char* text : {"{} {}", "{}x", "1 2", "[] ,", "{}\f", "{}\v"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(Refusal(text).message.substr(0, 15), "not JSON (byte ");
  }
}

TEST(ParseJsonTest, RefusesInvalidUtf8AndLoneSurrogates) {
  for (const char* text : {
           "\"\xC3\x28\"",          // a truncated sequence
           "\"\xC0\xAF\"",          // overlong '/'
           "\"\xED\xA0\x80\"",      // a surrogate encoded in UTF-8
           "\"\xF4\x90\x80\x80\"",  // beyond U+10FFFF
           "\"\xFF\"",
           "\"\\ud800\"",         // a lone high surrogate
           "\"\\udc00\"",         // a lone low surrogate
           "\"\\ud800\\u0041\"",  // a high surrogate not followed by a low one
           "\xFF",                // outside a string
       }) {
    SCOPED_TRACE(text);
    const JsonError e = Refusal(text);
    EXPECT_EQ(e.pointer, "");
    EXPECT_EQ(e.message.substr(0, 15), "not JSON (byte ");
  }
}

TEST(ParseJsonTest, RefusesRepeatedMemberNamesWithTheirPointer) {
  EXPECT_EQ(Refusal(R"({"a":1,"a":1})").pointer, "/a");
  const JsonError e = Refusal(R"({"x":[{"ok":1},{"a/b~":1,"a/b~":2}]})");
  EXPECT_EQ(e.pointer, "/x/1/a~1b~0");
  EXPECT_EQ(e.message, "member name repeated");
  // Names are compared after unescaping: "\u0061" is "a".
  EXPECT_EQ(Refusal(R"({"a":1,"\u0061":2})").pointer, "/a");
}

TEST(ParseJsonTest, RefusesNestingDeeperThanTheLimit) {
  const std::string ok = std::string(32, '[') + std::string(32, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  const JsonError e = Refusal(std::string(33, '[') + std::string(33, ']'));
  EXPECT_EQ(e.message, "nesting deeper than 32 levels");
  EXPECT_EQ(e.pointer, "/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0");
  JsonError shallow;
  EXPECT_FALSE(ParseJson(R"({"a":{"b":[1]}})", &shallow, 2).ok());
  EXPECT_EQ(shallow.pointer, "/a/b");
  EXPECT_TRUE(ParseJson(R"({"a":{"b":[1]}})", nullptr, 3).ok());
  // Far beyond the limit: refused without exhausting the stack.
  EXPECT_FALSE(ParseJson(std::string(100'000, '[')).ok());
}

TEST(ParseJsonTest, RefusesNumbersBeyondDoubleRange) {
  EXPECT_EQ(Refusal("1e400").pointer, "");
  auto big = ParseJson("18446744073709551616");  // 2^64: a double, not an integer
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(big->is_number_integer());
}

TEST(ParseJsonTest, RefusesWhatIsNotJson) {
  for (const char* text : {"", " ", "{", "{\"a\"}", "[1,]", "{\"a\":1,}", "'a'", "nul", "01",
                           "/* c */ {}", "NaN", "{a:1}"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(Refusal(text).message.substr(0, 15), "not JSON (byte ");
  }
}

TEST(ParseJsonTest, TheErrorOutParameterIsOptional) {
  auto doc = ParseJson(R"({"a":1,"a":2})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(), "/a: member name repeated");
}

TEST(JsonPointerTokenTest, EscapesTildeAndSlash) {
  EXPECT_EQ(JsonPointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(JsonPointerToken(""), "");
}

}  // namespace
}  // namespace accord::util
