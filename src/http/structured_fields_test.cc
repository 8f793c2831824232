#include "src/http/structured_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::http::sf {
namespace {

using ::testing::HasSubstr;

Dictionary Parse(std::string_view value) {
  auto d = ParseDictionary(value, "Example");
  EXPECT_TRUE(d.ok()) << value << ": " << d.status();
  return d.ok() ? *std::move(d) : Dictionary();
}

// The message of the refusal of `value`, which must be refused with InvalidArgument.
std::string Refusal(std::string_view value) {
  auto d = ParseDictionary(value, "Example");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << value;
  return std::string(d.status().message());
}

const Item& ItemOf(const Dictionary& d, std::string_view key) {
  const DictionaryMember* m = FindMember(d, key);
  EXPECT_NE(m, nullptr) << key;
  static const Item kNone;
  if (m == nullptr || !std::holds_alternative<Item>(m->value)) return kNone;
  return std::get<Item>(m->value);
}

Item Bare(BareItem b) { return Item{std::move(b), {}}; }

TEST(HttpStructuredFields, ParsesEachKindOfBareItem) {
  const Dictionary d = Parse("i=-42, s=\"a b\", t=*tok/en:x, b=:AQID:, f=?0, yes");
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(ItemOf(d, "i"), Bare(BareItem::Integer(-42)));
  EXPECT_EQ(ItemOf(d, "s"), Bare(BareItem::String("a b")));
  EXPECT_EQ(ItemOf(d, "t"), Bare(BareItem::Token("*tok/en:x")));
  const std::vector<uint8_t> bytes = {1, 2, 3};
  EXPECT_EQ(ItemOf(d, "b"), Bare(BareItem::ByteSequence(bytes)));
  EXPECT_EQ(ItemOf(d, "f"), Bare(BareItem::Boolean(false)));
  EXPECT_EQ(ItemOf(d, "yes"), Bare(BareItem::Boolean(true)));  // a key alone is true
  // Members keep the order they came in.
  std::vector<std::string> keys;
  for (const DictionaryMember& m : d) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"i", "s", "t", "b", "f", "yes"}));
  EXPECT_EQ(FindMember(d, "absent"), nullptr);
}

TEST(HttpStructuredFields, ParsesInnerListsAndParameters) {
  const Dictionary d = Parse("l=( \"x\";p  tok  7 );q=\"v\";r=?0, e=(), k;a=1;b");
  ASSERT_EQ(d.size(), 3u);
  const auto* list = std::get_if<InnerList>(&d[0].value);
  ASSERT_NE(list, nullptr);
  const InnerList want{{{BareItem::String("x"), {{"p", BareItem::Boolean(true)}}},
                        Bare(BareItem::Token("tok")),
                        Bare(BareItem::Integer(7))},
                       {{"q", BareItem::String("v")}, {"r", BareItem::Boolean(false)}}};
  EXPECT_EQ(*list, want);
  EXPECT_EQ(std::get<InnerList>(d[1].value), InnerList{});
  EXPECT_EQ(ItemOf(d, "k"), (Item{BareItem::Boolean(true),
                                  {{"a", BareItem::Integer(1)}, {"b", BareItem::Boolean(true)}}}));
  // A space may follow ";" (RFC 8941 §4.2.3.2 discards it).
  EXPECT_EQ(ItemOf(Parse("k=1; a=2"), "k"),
            (Item{BareItem::Integer(1), {{"a", BareItem::Integer(2)}}}));
}

TEST(HttpStructuredFields, SpacesAroundMembers) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("   ").empty());
  EXPECT_EQ(Parse("  a=1 ,\tb=2\t,c=3  ").size(), 3u);
  EXPECT_EQ(Parse("a=1,b=2").size(), 2u);
  Refusal("\ta=1");  // only SP may lead a field value
  Refusal("a =1");
  Refusal("a= 1");
}

TEST(HttpStructuredFields, IntegersHaveAtMostFifteenDigits) {
  EXPECT_EQ(ItemOf(Parse("a=999999999999999"), "a").bare.integer, kMaxInteger);
  EXPECT_EQ(ItemOf(Parse("a=-999999999999999"), "a").bare.integer, -kMaxInteger);
  EXPECT_EQ(ItemOf(Parse("a=-0"), "a").bare.integer, 0);
  EXPECT_EQ(ItemOf(Parse("a=007"), "a").bare.integer, 7);
  EXPECT_THAT(Refusal("a=1000000000000000"), HasSubstr("longer than 15 digits"));
  EXPECT_THAT(Refusal("a=-1000000000000000"), HasSubstr("longer than 15 digits"));
  EXPECT_THAT(Refusal("a=-"), HasSubstr("want a digit"));
  EXPECT_THAT(Refusal("a=-x"), HasSubstr("want a digit"));
  EXPECT_THAT(Refusal("a=1.5"), HasSubstr("decimals are not supported"));
  EXPECT_THAT(Refusal("a=1;p=2.0"), HasSubstr("decimals are not supported"));
  Refusal("a=1x");
}

TEST(HttpStructuredFields, StringsArePrintableAsciiWithTwoEscapes) {
  EXPECT_EQ(ItemOf(Parse(R"(a="q\"b\\s")"), "a").bare.text, "q\"b\\s");
  EXPECT_EQ(ItemOf(Parse("a=\"\""), "a").bare, BareItem::String(""));
  EXPECT_EQ(ItemOf(Parse("a=\" ~\""), "a").bare.text, " ~");
  EXPECT_THAT(Refusal(R"(a="\n")"), HasSubstr("bad escape"));
  EXPECT_THAT(Refusal(R"(a="\)"), HasSubstr("bad escape"));
  EXPECT_THAT(Refusal("a=\"abc"), HasSubstr("unterminated string"));
  EXPECT_THAT(Refusal("a=(\"abc)"), HasSubstr("unterminated string"));
  for (std::string_view bad : {std::string_view("a=\"x\x01\""), std::string_view("a=\"\t\""),
                               std::string_view("a=\"\x7f\""), std::string_view("a=\"\xc3\xa9\""),
                               std::string_view("a=\"\0\"", 5)}) {
    EXPECT_THAT(Refusal(bad), HasSubstr("non-printable byte")) << bad;
  }
}

TEST(HttpStructuredFields, TokensStartWithALetterOrStar) {
  EXPECT_EQ(ItemOf(Parse("a=Foo.Bar!#$%&'*+-^_`|~:/9"), "a").bare,
            BareItem::Token("Foo.Bar!#$%&'*+-^_`|~:/9"));
  EXPECT_EQ(ItemOf(Parse("a=*"), "a").bare, BareItem::Token("*"));
  EXPECT_THAT(Refusal("a=/x"), HasSubstr("want an item"));
  EXPECT_THAT(Refusal("a=\xc3\xa9"), HasSubstr("want an item"));
  Refusal("a=to ken");
  Refusal("a=tok\"en\"");
}

TEST(HttpStructuredFields, ByteSequencesAreCanonicalPaddedBase64) {
  EXPECT_EQ(ItemOf(Parse("a=::"), "a").bare, BareItem::ByteSequence({}));
  const std::vector<uint8_t> one = {0x01};
  EXPECT_EQ(ItemOf(Parse("a=:AQ==:"), "a").bare, BareItem::ByteSequence(one));
  EXPECT_THAT(Refusal("a=:AQID"), HasSubstr("unterminated byte sequence"));
  EXPECT_THAT(Refusal("a=:"), HasSubstr("unterminated byte sequence"));
  for (std::string_view bad :
       {"a=:AQ:", "a=:AR==:", "a=:AQ=:", "a=:A!ID:", "a=:AQ-_:", "a=: AQID:", "a=:AQ==AQ==:"}) {
    EXPECT_THAT(Refusal(bad), HasSubstr("not canonical padded base64")) << bad;
  }
}

TEST(HttpStructuredFields, BooleansAreQuestionMarkZeroOrOne) {
  EXPECT_EQ(ItemOf(Parse("a=?1"), "a").bare, BareItem::Boolean(true));
  EXPECT_EQ(ItemOf(Parse("a=?0"), "a").bare, BareItem::Boolean(false));
  for (std::string_view bad : {"a=?", "a=?2", "a=?true", "a;p=?"}) {
    EXPECT_THAT(Refusal(bad), HasSubstr("want ?0 or ?1")) << bad;
  }
  Refusal("a=?10");
}

TEST(HttpStructuredFields, KeysAreLowerCase) {
  EXPECT_EQ(Parse("*a-b_c.d*9=1")[0].key, "*a-b_c.d*9");
  EXPECT_EQ(Parse("a;*p-q.r_9=1").size(), 1u);
  for (std::string_view bad : {"A=1", "1a=1", "-a=1", "_a=1", ".a=1", "=1", "a=1, B=2", "a;P=1",
                               "a;1=1", "a;=1", "a=1;", "a=();"}) {
    EXPECT_THAT(Refusal(bad), HasSubstr("want a key")) << bad;
  }
  Refusal("aB=1");  // the key ends at "B", which then separates nothing
  Refusal("a\xc3\xa9=1");
}

TEST(HttpStructuredFields, RepeatedKeysAreRefused) {
  // RFC 8941 would keep the last value; two readers could then disagree.
  EXPECT_THAT(Refusal("a=1, b=2, a=3"), HasSubstr("repeated key \"a\""));
  EXPECT_THAT(Refusal("a, a"), HasSubstr("repeated key \"a\""));
  EXPECT_THAT(Refusal("a=1;p=1;p=2"), HasSubstr("repeated parameter \"p\""));
  EXPECT_THAT(Refusal("a=(1;p 2);q;q"), HasSubstr("repeated parameter \"q\""));
  // The same key in different places is fine.
  EXPECT_EQ(Parse("a=(1;p 2;p);p, p;p").size(), 2u);
}

TEST(HttpStructuredFields, InnerListsAreClosedAndSpaceSeparated) {
  EXPECT_THAT(Refusal("a=(1 2"), HasSubstr("want \" \" or \")\""));
  EXPECT_THAT(Refusal("a=("), HasSubstr("unterminated inner list"));
  EXPECT_THAT(Refusal("a=(1 "), HasSubstr("want an item"));
  EXPECT_THAT(Refusal("a=(\"x\"\"y\")"), HasSubstr("want \" \" or \")\""));
  EXPECT_THAT(Refusal("a=(1,2)"), HasSubstr("want \" \" or \")\""));
  EXPECT_THAT(Refusal("a=(1\t2)"), HasSubstr("want \" \" or \")\""));
  EXPECT_THAT(Refusal("a=((1))"), HasSubstr("want an item"));  // no nesting
}

TEST(HttpStructuredFields, MembersAreCommaSeparatedWithNothingAfter) {
  EXPECT_THAT(Refusal("a=1,"), HasSubstr("trailing \",\""));
  EXPECT_THAT(Refusal("a=1, "), HasSubstr("trailing \",\""));
  EXPECT_THAT(Refusal("a=1 b=2"), HasSubstr("want \",\" between members"));
  EXPECT_THAT(Refusal("a=1;b=2 x"), HasSubstr("want \",\" between members"));
  EXPECT_THAT(Refusal("a=1\x7f"), HasSubstr("want \",\" between members"));
  EXPECT_THAT(Refusal("a=1,,b=2"), HasSubstr("want a key"));
  EXPECT_THAT(Refusal(",a=1"), HasSubstr("want a key"));
}

TEST(HttpStructuredFields, ErrorsNameTheFieldAndOffset) {
  const absl::Status s = ParseDictionary("a=1, b=\"x", "Content-Digest").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()), "malformed Content-Digest at offset 9: unterminated string");
  EXPECT_EQ(std::string(ParseDictionary("a=1, a=2", "Signature").status().message()),
            "malformed Signature at offset 6: repeated key \"a\"");
}

TEST(HttpStructuredFields, SerialisesCanonically) {
  const std::vector<uint8_t> bytes = {0xff, 0x00, 0x10};
  const Dictionary d = {
      {"i", Bare(BareItem::Integer(-kMaxInteger))},
      {"s", Bare(BareItem::String("say \"hi\" \\o/"))},
      {"t", Bare(BareItem::Token("text/plain"))},
      {"b", Bare(BareItem::ByteSequence(bytes))},
      {"no", Bare(BareItem::Boolean(false))},
      {"yes", Bare(BareItem::Boolean(true))},
      {"p", Item{BareItem::Boolean(true), {{"x", BareItem::Boolean(true)}}}},
      {"l", InnerList{{Bare(BareItem::String("a")),
                       Item{BareItem::Integer(1), {{"q", BareItem::Boolean(false)}}}},
                      {{"n", BareItem::Integer(2)}, {"f", BareItem::Boolean(true)}}}},
      {"e", InnerList{}},
  };
  EXPECT_EQ(SerializeDictionary(d),
            "i=-999999999999999, s=\"say \\\"hi\\\" \\\\o/\", t=text/plain, b=:/wAQ:, no=?0, "
            "yes, p;x, l=(\"a\" 1;q=?0);n=2;f, e=()");
  EXPECT_EQ(SerializeDictionary({}), "");
  EXPECT_EQ(SerializeString(""), "\"\"");
  EXPECT_EQ(SerializeBareItem(BareItem::Boolean(true)), "?1");
  EXPECT_EQ(SerializeItem(Item{BareItem::Integer(5), {{"a", BareItem::Token("b")}}}), "5;a=b");
  EXPECT_EQ(SerializeParameters({{"a", BareItem::Boolean(false)}, {"b", BareItem::Boolean(true)}}),
            ";a=?0;b");
  EXPECT_EQ(SerializeInnerList(InnerList{{Bare(BareItem::Integer(1))}, {}}), "(1)");
  // What is serialised parses back to the same dictionary.
  EXPECT_EQ(Parse(SerializeDictionary(d)), d);
}

TEST(HttpStructuredFields, CanonicalTextRoundTrips) {
  for (std::string_view text :
       {"a=1", "a, b;c=?0", "sig=:AAECAw==:", "a=(), b=(1 2)",
        "x=(\"@method\" \"@path\");created=1;keyid=\"k\"", "*k=*t;*p=\"\\\\\""}) {
    EXPECT_EQ(SerializeDictionary(Parse(text)), text);
  }
  // Non-canonical spellings come back canonical.
  EXPECT_EQ(SerializeDictionary(Parse("a=?1;p=?1 ,\tb=( 1  2 );  q=-0")), "a;p, b=(1 2);q=0");
}

TEST(HttpStructuredFields, Validators) {
  EXPECT_TRUE(IsValidKey("a"));
  EXPECT_TRUE(IsValidKey("*"));
  EXPECT_TRUE(IsValidKey("sha-256"));
  EXPECT_FALSE(IsValidKey(""));
  EXPECT_FALSE(IsValidKey("Sha"));
  EXPECT_FALSE(IsValidKey("9a"));
  EXPECT_FALSE(IsValidKey("a b"));
  EXPECT_TRUE(IsValidString(""));
  EXPECT_TRUE(IsValidString(" \"\\~"));
  EXPECT_FALSE(IsValidString("\n"));
  EXPECT_FALSE(IsValidString("\x7f"));
  EXPECT_FALSE(IsValidString("\xc3\xa9"));
  EXPECT_TRUE(IsValidToken("a"));
  EXPECT_TRUE(IsValidToken("*/:"));
  EXPECT_TRUE(IsValidToken("Text/Plain"));
  EXPECT_FALSE(IsValidToken(""));
  EXPECT_FALSE(IsValidToken("1a"));
  EXPECT_FALSE(IsValidToken("a b"));
  EXPECT_FALSE(IsValidToken("a\"b"));
}

// Random valid dictionaries survive serialisation and parsing unchanged.
class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  Dictionary MakeDictionary() {
    Dictionary d;
    const int n = Below(5);
    for (int i = 0; i < n; ++i) {
      DictionaryMember m{MakeKey(i), Item{}};
      if (Below(3) == 0) {
        InnerList list;
        const int items = Below(4);
        for (int j = 0; j < items; ++j) list.items.push_back(MakeItem());
        list.params = MakeParameters();
        m.value = std::move(list);
      } else {
        m.value = MakeItem();
      }
      d.push_back(std::move(m));
    }
    return d;
  }

 private:
  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Pick(std::string_view alphabet, int min, int max) {
    std::string s;
    const int n = min + Below(max - min + 1);
    for (int i = 0; i < n; ++i) s.push_back(alphabet[Below(static_cast<int>(alphabet.size()))]);
    return s;
  }
  // Unique within its container: the index makes it so.
  std::string MakeKey(int index) {
    return absl::StrCat(Pick("abcz*", 1, 1), Pick("az09_-.*", 0, 3), index);
  }
  BareItem MakeBareItem() {
    switch (Below(5)) {
      case 0:
        return BareItem::Integer(
            std::uniform_int_distribution<int64_t>(-kMaxInteger, kMaxInteger)(rng_));
      case 1: {
        std::string s;
        const int n = Below(8);
        for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(0x20 + Below(0x7f - 0x20)));
        return BareItem::String(std::move(s));
      }
      case 2:
        return BareItem::Token(
            absl::StrCat(Pick("aZ*", 1, 1), Pick("aZ09!#$%&'*+-.^_`|~:/", 0, 6)));
      case 3: {
        std::vector<uint8_t> bytes(Below(7));
        for (uint8_t& b : bytes) b = static_cast<uint8_t>(Below(256));
        return BareItem::ByteSequence(bytes);
      }
      default:
        return BareItem::Boolean(Below(2) == 0);
    }
  }
  Parameters MakeParameters() {
    Parameters params;
    const int n = Below(3);
    for (int i = 0; i < n; ++i) params.emplace_back(MakeKey(i), MakeBareItem());
    return params;
  }
  Item MakeItem() { return Item{MakeBareItem(), MakeParameters()}; }

  std::mt19937 rng_;
};

TEST(HttpStructuredFields, RandomDictionariesRoundTrip) {
  Generator g(8941);
  for (int i = 0; i < 2000; ++i) {
    const Dictionary d = g.MakeDictionary();
    const std::string text = SerializeDictionary(d);
    auto parsed = ParseDictionary(text, "Example");
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, d) << text;
    EXPECT_EQ(SerializeDictionary(*parsed), text);
  }
}

}  // namespace
}  // namespace accord::http::sf
