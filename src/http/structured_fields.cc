// RFC 8941 Dictionaries: parsing (§4.2) and serialisation (§4.1); see structured_fields.h.
#include "src/http/structured_fields.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/http/message.h"
#include "src/util/encoding.h"

namespace accord::http::sf {
namespace {

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return IsLcAlpha(c) || (c >= 'A' && c <= 'Z'); }
bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}
bool IsStringChar(char c) { return c >= 0x20 && c <= 0x7e; }
// sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" )
bool IsTokenFirst(char c) { return IsAlpha(c) || c == '*'; }
bool IsTokenRest(char c) { return IsTokenChar(c) || c == ':' || c == '/'; }

// A cursor over one field value. Every method but Dictionary returns false on a syntax
// error, leaving error_ set to what was expected; ParseDictionary turns that into the
// status.
class Parser {
 public:
  Parser(std::string_view field_name, std::string_view input)
      : field_name_(field_name), in_(input) {}

  // §4.2.2, after §4.2's leading spaces; also consumes the trailing ones.
  absl::StatusOr<Dictionary> ParseDictionary() {
    Dictionary members;
    SkipSp();
    while (!AtEnd()) {
      DictionaryMember m;
      if (!Key(&m.key)) return Error();
      for (const DictionaryMember& other : members) {
        if (other.key == m.key) return Error(absl::StrCat("repeated key \"", m.key, "\""));
      }
      if (!MemberValue(&m.value)) return Error();
      members.push_back(std::move(m));
      SkipOws();
      if (AtEnd()) break;
      if (Peek() != ',') return Error("want \",\" between members");
      ++pos_;
      SkipOws();
      if (AtEnd()) return Error("trailing \",\"");
    }
    return members;
  }

 private:
  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return AtEnd() ? '\0' : in_[pos_]; }
  void SkipSp() {
    while (Peek() == ' ') ++pos_;
  }
  void SkipOws() {
    while (Peek() == ' ' || Peek() == '\t') ++pos_;
  }
  bool Fail(std::string_view what) {
    if (error_.empty()) error_ = std::string(what);
    return false;
  }
  absl::Status Error(std::string_view what = {}) {
    if (!what.empty()) error_ = std::string(what);
    return absl::InvalidArgumentError(
        absl::StrCat("malformed ", std::string(field_name_), " at offset ", pos_, ": ", error_));
  }

  // What follows a member's key: "=" and an inner list or an item, or parameters alone
  // (the value is then Boolean true).
  bool MemberValue(std::variant<Item, InnerList>* value) {
    if (Peek() == '=') {
      ++pos_;
      if (Peek() == '(') {
        InnerList list;
        if (!ParseInnerList(&list)) return false;
        *value = std::move(list);
        return true;
      }
      Item item;
      if (!ParseBareItem(&item.bare) || !ParseParameters(&item.params)) return false;
      *value = std::move(item);
      return true;
    }
    Item item;  // Boolean true
    if (!ParseParameters(&item.params)) return false;
    *value = std::move(item);
    return true;
  }

  bool Key(std::string* out) {
    const size_t start = pos_;
    if (!(IsLcAlpha(Peek()) || Peek() == '*')) return Fail("want a key");
    while (IsKeyChar(Peek())) ++pos_;
    *out = std::string(in_.substr(start, pos_ - start));
    return true;
  }

  bool ParseInnerList(InnerList* list) {
    ++pos_;  // '('
    while (!AtEnd()) {
      SkipSp();
      if (Peek() == ')') {
        ++pos_;
        return ParseParameters(&list->params);
      }
      Item item;
      if (!ParseBareItem(&item.bare) || !ParseParameters(&item.params)) return false;
      list->items.push_back(std::move(item));
      if (Peek() != ' ' && Peek() != ')') return Fail("want \" \" or \")\" in an inner list");
    }
    return Fail("unterminated inner list");
  }

  // Keys are unique here (RFC 8941 would let the last one win).
  bool ParseParameters(Parameters* params) {
    while (Peek() == ';') {
      ++pos_;
      SkipSp();
      std::string key;
      if (!Key(&key)) return false;
      for (const auto& [k, v] : *params) {
        if (k == key) return Fail(absl::StrCat("repeated parameter \"", key, "\""));
      }
      BareItem value;  // Boolean true unless "=" follows
      if (Peek() == '=') {
        ++pos_;
        if (!ParseBareItem(&value)) return false;
      }
      params->emplace_back(std::move(key), std::move(value));
    }
    return true;
  }

  bool ParseBareItem(BareItem* bare) {
    const char c = Peek();
    if (c == '-' || IsDigit(c)) return ParseInteger(bare);
    if (c == '"') return ParseString(bare);
    if (c == ':') return ParseByteSequence(bare);
    if (c == '?') return ParseBoolean(bare);
    if (IsTokenFirst(c)) return ParseToken(bare);
    return Fail("want an item");
  }

  bool ParseInteger(BareItem* bare) {
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    int64_t value = 0;
    int digits = 0;
    while (IsDigit(Peek())) {
      if (++digits > 15) return Fail("integer longer than 15 digits");
      value = value * 10 + (in_[pos_++] - '0');
    }
    if (digits == 0) return Fail("want a digit");
    if (Peek() == '.') return Fail("decimals are not supported");
    *bare = BareItem::Integer(negative ? -value : value);
    return true;
  }

  bool ParseString(BareItem* bare) {
    ++pos_;  // '"'
    std::string out;
    while (!AtEnd()) {
      const char c = in_[pos_++];
      if (c == '"') {
        *bare = BareItem::String(std::move(out));
        return true;
      }
      if (c == '\\') {
        const char next = Peek();
        if (next != '"' && next != '\\') return Fail("bad escape in a string");
        out.push_back(next);
        ++pos_;
      } else if (!IsStringChar(c)) {
        return Fail("non-printable byte in a string");
      } else {
        out.push_back(c);
      }
    }
    return Fail("unterminated string");
  }

  bool ParseToken(BareItem* bare) {
    const size_t start = pos_++;
    while (IsTokenRest(Peek())) ++pos_;
    *bare = BareItem::Token(std::string(in_.substr(start, pos_ - start)));
    return true;
  }

  bool ParseBoolean(BareItem* bare) {
    ++pos_;  // '?'
    if (Peek() != '0' && Peek() != '1') return Fail("want ?0 or ?1");
    *bare = BareItem::Boolean(in_[pos_++] == '1');
    return true;
  }

  // Canonical padded base64 only (RFC 8941 asks parsers to tolerate missing padding).
  bool ParseByteSequence(BareItem* bare) {
    const size_t end = in_.find(':', pos_ + 1);
    if (end == std::string_view::npos) return Fail("unterminated byte sequence");
    auto decoded = util::Base64Decode(in_.substr(pos_ + 1, end - pos_ - 1));
    if (!decoded) return Fail("byte sequence is not canonical padded base64");
    pos_ = end + 1;
    bare->type = BareItem::Type::kByteSequence;
    bare->bytes = std::move(*decoded);
    return true;
  }

  std::string_view field_name_;
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

BareItem BareItem::Integer(int64_t value) {
  BareItem b;
  b.type = Type::kInteger;
  b.integer = value;
  return b;
}

BareItem BareItem::String(std::string value) {
  BareItem b;
  b.type = Type::kString;
  b.text = std::move(value);
  return b;
}

BareItem BareItem::Token(std::string value) {
  BareItem b;
  b.type = Type::kToken;
  b.text = std::move(value);
  return b;
}

BareItem BareItem::ByteSequence(std::span<const uint8_t> value) {
  BareItem b;
  b.type = Type::kByteSequence;
  b.bytes.assign(value.begin(), value.end());
  return b;
}

BareItem BareItem::Boolean(bool value) {
  BareItem b;
  b.type = Type::kBoolean;
  b.boolean = value;
  return b;
}

const DictionaryMember* FindMember(const Dictionary& dictionary, std::string_view key) {
  for (const DictionaryMember& m : dictionary) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

bool IsValidKey(std::string_view key) {
  return !key.empty() && (IsLcAlpha(key[0]) || key[0] == '*') &&
         std::all_of(key.begin(), key.end(), IsKeyChar);
}

bool IsValidString(std::string_view text) {
  return std::all_of(text.begin(), text.end(), IsStringChar);
}

bool IsValidToken(std::string_view token) {
  return !token.empty() && IsTokenFirst(token[0]) &&
         std::all_of(token.begin() + 1, token.end(), IsTokenRest);
}

absl::StatusOr<Dictionary> ParseDictionary(std::string_view value, std::string_view field_name) {
  return Parser(field_name, value).ParseDictionary();
}

std::string SerializeString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string SerializeBareItem(const BareItem& bare) {
  switch (bare.type) {
    case BareItem::Type::kInteger:
      return absl::StrCat(bare.integer);
    case BareItem::Type::kString:
      return SerializeString(bare.text);
    case BareItem::Type::kToken:
      return bare.text;
    case BareItem::Type::kByteSequence:
      return absl::StrCat(":", util::Base64Encode(bare.bytes), ":");
    case BareItem::Type::kBoolean:
      break;
  }
  return bare.boolean ? "?1" : "?0";
}

std::string SerializeParameters(const Parameters& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    absl::StrAppend(&out, ";", key);
    // §4.1.1.2: a parameter that is Boolean true is its key alone.
    if (value != BareItem::Boolean(true)) absl::StrAppend(&out, "=", SerializeBareItem(value));
  }
  return out;
}

std::string SerializeItem(const Item& item) {
  return absl::StrCat(SerializeBareItem(item.bare), SerializeParameters(item.params));
}

std::string SerializeInnerList(const InnerList& list) {
  std::string out = "(";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out.push_back(' ');
    absl::StrAppend(&out, SerializeItem(list.items[i]));
  }
  absl::StrAppend(&out, ")", SerializeParameters(list.params));
  return out;
}

std::string SerializeDictionary(const Dictionary& dictionary) {
  std::string out;
  for (size_t i = 0; i < dictionary.size(); ++i) {
    const DictionaryMember& m = dictionary[i];
    if (i > 0) out += ", ";
    out += m.key;
    if (const auto* list = std::get_if<InnerList>(&m.value)) {
      absl::StrAppend(&out, "=", SerializeInnerList(*list));
      continue;
    }
    const Item& item = std::get<Item>(m.value);
    // §4.1.2: a member that is Boolean true is its key and parameters alone.
    if (item.bare == BareItem::Boolean(true)) {
      out += SerializeParameters(item.params);
    } else {
      absl::StrAppend(&out, "=", SerializeItem(item));
    }
  }
  return out;
}

}  // namespace accord::http::sf
