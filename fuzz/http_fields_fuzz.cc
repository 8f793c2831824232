// Fuzzes the HTTP part's parsers of single values (src/http): RFC 8941 dictionaries
// (sf::ParseDictionary), RFC 9421 Signature-Input and Signature (ParseSignature), RFC
// 9530 Content-Digest
// (CheckContentDigest), request targets (ParseTarget), percent-decoding (PercentDecode)
// and peer URLs from the directory (ParseUrl). The input is up to three lines: a
// Signature-Input value, a Signature value, and a third value used as Content-Digest,
// target and URL alike (the first line is also the body the digest is checked against).
//
// Invariants: a parsed dictionary serialises (sf::SerializeDictionary) to a field that
// parses to the same dictionary and serialises to the same bytes; a parsed signature
// serialises (SignatureParams::Serialize) to fields that
// parse to the same parameters and bytes; a decoded target, re-encoded with
// PercentEncode, decodes to the same path and query; PercentDecode inverts PercentEncode;
// a parsed URL prints (Url::ToString) to a URL that parses to the same URL.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "fuzz/fuzz_support.h"
#include "src/http/client.h"
#include "src/http/message.h"
#include "src/http/signature.h"
#include "src/http/structured_fields.h"
#include "src/util/encoding.h"

namespace accord::fuzz {
namespace {

bool SameParams(const http::SignatureParams& a, const http::SignatureParams& b) {
  return a.components == b.components && a.created == b.created && a.expires == b.expires &&
         a.keyid == b.keyid && a.alg == b.alg && a.nonce == b.nonce && a.tag == b.tag &&
         a.order == b.order;
}

void CheckDictionary(std::string_view text) {
  auto parsed = http::sf::ParseDictionary(text, "fuzzed");
  if (!parsed.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(parsed.status()), parsed.status().ToString());
    return;
  }
  const std::string printed = http::sf::SerializeDictionary(*parsed);
  auto again = http::sf::ParseDictionary(printed, "fuzzed");
  ACCORD_FUZZ_CHECK(again.ok(), "a serialised dictionary does not parse: ", printed, " ",
                    again.status().ToString());
  ACCORD_FUZZ_CHECK(*again == *parsed, "a dictionary changes in a round trip: ", printed);
  ACCORD_FUZZ_CHECK(http::sf::SerializeDictionary(*again) == printed);
}

void CheckSignature(std::string_view input, std::string_view signature) {
  auto parsed = http::ParseSignature(input, signature, http::kSignatureLabel);
  if (!parsed.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsUnauthenticated(parsed.status()), parsed.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(parsed->params.components.size() <= http::kMaxCoveredComponents);
  const std::string input2 = absl::StrCat("accord=", parsed->params.Serialize());
  const std::string signature2 =
      absl::StrCat("accord=:", util::Base64Encode(parsed->signature), ":");
  auto again = http::ParseSignature(input2, signature2, http::kSignatureLabel);
  ACCORD_FUZZ_CHECK(again.ok(), "serialised signature fields do not parse: ", input2, " ",
                    again.status().ToString());
  ACCORD_FUZZ_CHECK(SameParams(parsed->params, again->params),
                    "signature parameters change in a round trip: ", input2);
  ACCORD_FUZZ_CHECK(parsed->signature == again->signature);
  ACCORD_FUZZ_CHECK(again->params.Serialize() == parsed->params.Serialize());
}

void CheckTarget(std::string_view text) {
  auto target = http::ParseTarget(text);
  if (!target.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(target.status()));
    return;
  }
  ACCORD_FUZZ_CHECK(!target->path.empty() && target->path[0] == '/');
  ACCORD_FUZZ_CHECK(http::IsValidUtf8(target->path));
  ACCORD_FUZZ_CHECK(target->path.find('\0') == std::string::npos);
  std::vector<std::string> segments;
  const std::string after_slash = target->path.substr(1);
  const std::vector<std::string> raw_segments = absl::StrSplit(after_slash, '/');
  for (const std::string& segment : raw_segments) {
    ACCORD_FUZZ_CHECK(segment != "." && segment != "..", "a dot segment in ", target->path);
    segments.push_back(http::PercentEncode(segment));
  }
  std::string encoded = absl::StrCat("/", absl::StrJoin(segments, "/"));
  std::vector<std::string> pairs;
  for (const auto& [key, value] : target->query.params()) {
    ACCORD_FUZZ_CHECK(http::IsValidUtf8(key) && http::IsValidUtf8(value));
    pairs.push_back(absl::StrCat(http::PercentEncode(key), "=", http::PercentEncode(value)));
  }
  if (!pairs.empty()) absl::StrAppend(&encoded, "?", absl::StrJoin(pairs, "&"));
  auto again = http::ParseTarget(encoded);
  ACCORD_FUZZ_CHECK(again.ok(), "a re-encoded target does not parse: ", encoded);
  ACCORD_FUZZ_CHECK(again->path == target->path, "the path changes in a round trip: ", encoded);
  ACCORD_FUZZ_CHECK(again->query.params() == target->query.params(),
                    "the query changes in a round trip: ", encoded);
}

void CheckPercent(std::string_view text) {
  for (bool plus : {false, true}) {
    auto decoded = http::PercentDecode(text, plus);
    if (!decoded.ok()) continue;
    ACCORD_FUZZ_CHECK(http::IsValidUtf8(*decoded));
    // Only an encoded NUL is refused; a raw one (ParseTarget refuses it first) stays.
    ACCORD_FUZZ_CHECK(decoded->find('\0') == std::string::npos ||
                      text.find('\0') != std::string_view::npos);
  }
  if (http::IsValidUtf8(text) && text.find('\0') == std::string_view::npos) {
    auto back = http::PercentDecode(http::PercentEncode(text));
    ACCORD_FUZZ_CHECK(back.ok() && *back == text, "PercentDecode does not invert PercentEncode");
  }
}

void CheckUrl(std::string_view text) {
  auto url = http::ParseUrl(text);
  if (!url.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(url.status()) || absl::IsUnimplemented(url.status()));
    return;
  }
  ACCORD_FUZZ_CHECK(!url->host.empty() && url->port != 0);
  ACCORD_FUZZ_CHECK(url->prefix.empty() || (url->prefix[0] == '/' && url->prefix.back() != '/'),
                    "prefix \"", url->prefix, "\"");
  const std::string printed = url->ToString();
  auto again = http::ParseUrl(printed);
  ACCORD_FUZZ_CHECK(again.ok(), "a printed URL does not parse: ", printed);
  ACCORD_FUZZ_CHECK(
      again->host == url->host && again->port == url->port && again->prefix == url->prefix,
      "a URL changes in a round trip: ", printed);
  (void)http::NormalizeAuthority("http", url->HostPort());
}

}  // namespace
}  // namespace accord::fuzz

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  const auto lines = Split(AsString(data, size), "\n", 3);
  const std::string_view first = lines[0];
  const std::string_view second = lines.size() > 1 ? lines[1] : std::string_view();
  const std::string_view third = lines.size() > 2 ? lines[2] : std::string_view();
  CheckDictionary(first);
  CheckSignature(first, second);
  (void)accord::http::CheckContentDigest(third, first);
  CheckTarget(third);
  CheckPercent(third);
  CheckUrl(third);
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
