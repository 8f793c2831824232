#include "src/http/signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/http/client.h"
#include "src/http/server.h"
#include "src/http/testing.h"
#include "src/util/encoding.h"

namespace accord::http {
namespace {

using ::testing::HasSubstr;

// --- RFC 9421 Appendix B: the test key (B.1.4), the test request (B.2), B.2.6 -----------

constexpr std::string_view kRfcSeedHex =
    "9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5";
constexpr std::string_view kRfcPublicKeyBase64 = "JrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
constexpr std::string_view kRfcBody = "{\"hello\": \"world\"}";
constexpr std::string_view kRfcB26Base =
    "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
    "\"@method\": POST\n"
    "\"@path\": /foo\n"
    "\"@authority\": example.com\n"
    "\"content-type\": application/json\n"
    "\"content-length\": 18\n"
    "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
    "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
constexpr std::string_view kRfcB26Input =
    "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
    "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
constexpr std::string_view kRfcB26Signature =
    "sig-b26=:"
    "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw"
    "==:";

crypto::Ed25519PrivateKey RfcKey() {
  auto seed = util::HexDecode(kRfcSeedHex);
  return *crypto::Ed25519PrivateKey::FromSeedBytes(*seed);
}

Request RfcTestRequest() {
  Request r;
  r.method = "POST";
  r.target = "/foo?param=Value&Pet=dog";
  r.path = "/foo";
  r.headers.Add("Host", "example.com");
  r.headers.Add("Date", "Tue, 20 Apr 2021 02:07:55 GMT");
  r.headers.Add("Content-Type", "application/json");
  r.headers.Add("Content-Digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyeal"
                "dVLvRwEmTHWXvJwew==:");
  r.headers.Add("Content-Length", "18");
  r.body = std::string(kRfcBody);
  return r;
}

SignatureParams RfcB26Params() {
  SignatureParams p;
  p.components = {"date", "@method", "@path", "@authority", "content-type", "content-length"};
  p.created = 1618884473;
  p.keyid = "test-key-ed25519";
  return p;
}

VerifyOptions RfcVerifyOptions() {
  VerifyOptions o;
  o.label = "sig-b26";
  o.required_components = {"@method", "@authority", "@path"};
  o.require_content_digest = false;
  o.required_tag.reset();
  o.require_alg = false;
  o.require_nonce = false;
  o.require_expires = false;
  o.now = [] { return absl::FromUnixSeconds(1618884473 + 10); };
  return o;
}

KeyLookup LookupOne(const std::string& keyid, crypto::Ed25519PublicKey key) {
  return [keyid, key](std::string_view id) -> absl::StatusOr<crypto::Ed25519PublicKey> {
    if (id != keyid) return absl::NotFoundError("no such key");
    return key;
  };
}

TEST(HttpSignatureRfc9421, TestKeyMatchesAppendixB14) {
  const crypto::Ed25519PublicKey pub = RfcKey().public_key();
  EXPECT_EQ(util::Base64Encode(pub), kRfcPublicKeyBase64);
}

TEST(HttpSignatureRfc9421, SignerReproducesB26ByteForByte) {
  auto components = ComponentsOf(RfcTestRequest());
  ASSERT_TRUE(components.ok()) << components.status();
  auto base = SignatureBase(*components, RfcB26Params());
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(*base, kRfcB26Base);
  auto fields = SignComponents(*components, RfcB26Params(), "sig-b26", RfcKey());
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(fields->signature_input, kRfcB26Input);
  EXPECT_EQ(fields->signature, kRfcB26Signature);
}

TEST(HttpSignatureRfc9421, VerifierAcceptsB26) {
  Request r = RfcTestRequest();
  r.headers.Add("Signature-Input", std::string(kRfcB26Input));
  r.headers.Add("Signature", std::string(kRfcB26Signature));
  RequestVerifier verifier(LookupOne("test-key-ed25519", RfcKey().public_key()), nullptr,
                           RfcVerifyOptions());
  auto v = verifier.Verify(r);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->keyid, "test-key-ed25519");
  EXPECT_EQ(v->params.Serialize(), kRfcB26Input.substr(std::string_view("sig-b26=").size()));

  // The same with accord's policy fails for want of alg, nonce, tag, @query.
  VerifyOptions strict;
  strict.label = "sig-b26";
  MemoryNonceCache nonces;
  RequestVerifier accord_verifier(LookupOne("test-key-ed25519", RfcKey().public_key()), &nonces,
                                  strict);
  EXPECT_EQ(accord_verifier.Verify(r).status().code(), absl::StatusCode::kUnauthenticated);

  // One changed byte in a covered field breaks it.
  r.headers.Set("Content-Type", "application/json ");  // trimmed: still the same value
  EXPECT_TRUE(verifier.Verify(r).ok());
  r.headers.Set("Content-Length", "19");
  EXPECT_THAT(std::string(verifier.Verify(r).status().message()), HasSubstr("does not verify"));
}

TEST(HttpSignatureRfc9421, DerivedComponentsOfTheTestRequest) {
  auto c = ComponentsOf(RfcTestRequest());
  ASSERT_TRUE(c.ok());
  SignatureParams p;
  p.components = {"@method",         "@target-uri", "@authority", "@scheme",
                  "@request-target", "@path",       "@query"};
  auto base = SignatureBase(*c, p);
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(*base,
            "\"@method\": POST\n"
            "\"@target-uri\": http://example.com/foo?param=Value&Pet=dog\n"
            "\"@authority\": example.com\n"
            "\"@scheme\": http\n"
            "\"@request-target\": /foo?param=Value&Pet=dog\n"
            "\"@path\": /foo\n"
            "\"@query\": ?param=Value&Pet=dog\n"
            "\"@signature-params\": (\"@method\" \"@target-uri\" \"@authority\" \"@scheme\" "
            "\"@request-target\" \"@path\" \"@query\")");
}

TEST(HttpSignatureRfc9421, ContentDigest) {
  // RFC 9530's sha-256 example body {"hello": "world"}.
  EXPECT_EQ(ContentDigestSha256(kRfcBody),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
  EXPECT_TRUE(CheckContentDigest(ContentDigestSha256(kRfcBody), kRfcBody).ok());
  EXPECT_TRUE(
      CheckContentDigest(absl::StrCat("sha-512=:AAAA:, ", ContentDigestSha256(kRfcBody)), kRfcBody)
          .ok());
  // The RFC's test request carries only sha-512, which accord does not check.
  EXPECT_THAT(
      std::string(
          CheckContentDigest(*RfcTestRequest().headers.Get("Content-Digest"), kRfcBody).message()),
      HasSubstr("no sha-256"));
  for (std::string_view bad :
       {"", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "sha-256=abc",
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:", "sha-256",
        "sha-256=:!!:", "sha-256=(:AAAA:)", "sha-256=:AAAA:;x=1"}) {
    EXPECT_EQ(CheckContentDigest(bad, "other body").code(), absl::StatusCode::kUnauthenticated)
        << bad;
  }
}

TEST(HttpSignature, NormalizeAuthority) {
  EXPECT_EQ(NormalizeAuthority("http", "Example.COM:80"), "example.com");
  EXPECT_EQ(NormalizeAuthority("http", "example.com:8080"), "example.com:8080");
  EXPECT_EQ(NormalizeAuthority("http", "example.com:443"), "example.com:443");
  EXPECT_EQ(NormalizeAuthority("https", "example.com:443"), "example.com");
  EXPECT_EQ(NormalizeAuthority("http", "[::1]:80"), "[::1]");
  EXPECT_EQ(NormalizeAuthority("http", "[::1]"), "[::1]");
  EXPECT_EQ(NormalizeAuthority("http", "[::1]:9000"), "[::1]:9000");
  EXPECT_EQ(NormalizeAuthority("http", "h:"), "h");
}

TEST(HttpSignature, ComponentsOfServerRequests) {
  Request r;
  r.method = "GET";
  r.target = "http://Node.Example:80/a%2Fb?x=1";
  auto c = ComponentsOf(r);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->authority, "node.example");
  EXPECT_EQ(c->target, "/a%2Fb?x=1");
  r.target = "http://h?q";
  EXPECT_EQ(ComponentsOf(r)->target, "/?q");
  r.target = "/x";
  EXPECT_EQ(ComponentsOf(r).status().code(), absl::StatusCode::kUnauthenticated);  // no Host
  r.headers.Add("Host", "a");
  r.headers.Add("Host", "b");
  EXPECT_EQ(ComponentsOf(r).status().code(), absl::StatusCode::kUnauthenticated);
  r.target = "*";
  EXPECT_EQ(ComponentsOf(r).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(HttpSignature, SignatureBaseRefusesBadComponents) {
  RequestComponents c = *ComponentsOf(RfcTestRequest());
  c.headers.Add("X-Evil", "a\nb");
  c.headers.Add("X-Multi", " one ");
  c.headers.Add("X-Multi", "two\t");
  SignatureParams p;
  p.components = {"x-multi"};
  EXPECT_EQ(*SignatureBase(c, p), "\"x-multi\": one, two\n\"@signature-params\": (\"x-multi\")");
  for (std::vector<std::string> components :
       std::vector<std::vector<std::string>>{{"x-evil"},
                                             {"@query-param"},
                                             {"@status"},
                                             {"@signature-params"},
                                             {"@bogus"},
                                             {"Content-Type"},
                                             {"x-absent"},
                                             {"date", "date"},
                                             {"bad name"},
                                             {""}}) {
    p.components = components;
    EXPECT_EQ(SignatureBase(c, p).status().code(), absl::StatusCode::kInvalidArgument)
        << components[0];
  }
  p.components = {"@method"};
  p.keyid = "bad\x01key";
  EXPECT_EQ(SignatureBase(c, p).status().code(), absl::StatusCode::kInvalidArgument);
  p.keyid = "quote\"and\\backslash";
  EXPECT_EQ(*SignatureBase(c, p),
            "\"@method\": POST\n\"@signature-params\": (\"@method\");"
            "keyid=\"quote\\\"and\\\\backslash\"");
  EXPECT_EQ(SignComponents(c, p, "Bad-Label", RfcKey()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- accord's signer and verifier ------------------------------------------------------

constexpr std::string_view kKeyId = "cert.a.example+1a2b3c4d";
constexpr int64_t kNow = 1'700'000'000;

absl::Time FixedNow() { return absl::FromUnixSeconds(kNow); }

struct Fixture {
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  Url url = *ParseUrl("http://Node.B.example:8080/api");
  MemoryNonceCache nonces;
  std::function<absl::Time()> verifier_now = FixedNow;

  RequestSigner Signer(SignOptions options = {}) const {
    options.now = FixedNow;
    return RequestSigner(std::string(kKeyId), key, std::move(options));
  }
  RequestVerifier Verifier(VerifyOptions options = {}) {
    options.now = [this] { return verifier_now(); };
    return RequestVerifier(LookupOne(std::string(kKeyId), key.public_key()), &nonces, options);
  }
  // The request a server receives when Client sends `request` to `url`.
  Request Received(const ClientRequest& request) const {
    Request r;
    r.method = request.method;
    r.target = url.prefix + request.target;
    r.headers = request.headers;
    r.headers.Add("Host", url.HostPort());
    r.body = request.body;
    return r;
  }
  ClientRequest Post() const {
    ClientRequest q;
    q.method = "POST";
    q.target = "/v1/bodies/ab%2Fcd?for=cert.b.example&x=1";
    q.headers.Add("Content-Type", "application/json");
    q.body = R"({"want":"body"})";
    return q;
  }
  Request SignedPost(SignOptions options = {}) const {
    ClientRequest q = Post();
    EXPECT_TRUE(Signer(std::move(options)).Sign(url, q).ok());
    return Received(q);
  }
};

TEST(HttpSignature, SignsWhatTheHeaderPromises) {
  Fixture f;
  ClientRequest q = f.Post();
  ASSERT_TRUE(f.Signer().Sign(f.url, q).ok());
  EXPECT_EQ(*q.headers.Get("Content-Digest"), ContentDigestSha256(q.body));
  const std::string input(*q.headers.Get("Signature-Input"));
  EXPECT_THAT(input,
              HasSubstr(absl::StrCat("accord=(\"@method\" \"@authority\" \"@path\" \"@query\" "
                                     "\"content-digest\");created=",
                                     kNow, ";expires=", kNow + 60, ";keyid=\"", std::string(kKeyId),
                                     "\";alg=\"ed25519\";nonce=\"")));
  EXPECT_THAT(input, HasSubstr("\";tag=\"accord\""));
  EXPECT_EQ(q.headers.Get("Signature")->substr(0, 8), "accord=:");
  // Signing again replaces the fields and draws a fresh nonce.
  ASSERT_TRUE(f.Signer().Sign(f.url, q).ok());
  EXPECT_EQ(q.headers.GetAll("Signature-Input").size(), 1u);
  EXPECT_NE(*q.headers.Get("Signature-Input"), input);

  ClientRequest get;
  get.target = "/v1/x";
  ASSERT_TRUE(f.Signer().Sign(f.url, get).ok());
  EXPECT_FALSE(get.headers.Has("Content-Digest"));

  SignOptions covering;
  covering.covered_fields = {"x-absent"};
  EXPECT_EQ(f.Signer(covering).Sign(f.url, get).code(), absl::StatusCode::kInvalidArgument);
  RequestSigner bad_keyid("bad\nkeyid", f.key, SignOptions{.now = FixedNow});
  EXPECT_EQ(bad_keyid.Sign(f.url, get).code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpSignature, RoundTrip) {
  Fixture f;
  auto verifier = f.Verifier();
  auto v = verifier.Verify(f.SignedPost());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->keyid, kKeyId);
  EXPECT_EQ(v->params.alg, "ed25519");
  EXPECT_EQ(f.nonces.size(), 1u);

  ClientRequest get;
  get.target = "/v1/x";  // no query: "@query" is "?"
  ASSERT_TRUE(f.Signer().Sign(f.url, get).ok());
  EXPECT_TRUE(verifier.Verify(f.Received(get)).ok());

  // Clocks apart by up to the skew, and the last seconds of validity, are fine.
  f.verifier_now = [] { return FixedNow() - absl::Seconds(30); };
  EXPECT_TRUE(verifier.Verify(f.SignedPost()).ok());
  f.verifier_now = [] { return FixedNow() + absl::Seconds(90); };
  EXPECT_TRUE(verifier.Verify(f.SignedPost()).ok());

  // Another label beside accord's, and the fields split over two lines, are fine.
  f.verifier_now = FixedNow;
  Request r = f.SignedPost();
  r.headers.Set("Signature-Input", absl::StrCat("proxy=(\"@method\");created=1;x=?1, ",
                                                std::string(*r.headers.Get("Signature-Input"))));
  r.headers.Add("Signature", "proxy=:AAAA:");
  EXPECT_TRUE(verifier.Verify(r).ok()) << verifier.Verify(r).status();
}

struct Tamper {
  std::string name;
  std::function<void(Request&)> change;
  std::string reason;  // expected in the message
};

TEST(HttpSignature, EveryTamperingIsRefused) {
  const std::vector<Tamper> cases = {
      {"method", [](Request& r) { r.method = "PUT"; }, "does not verify"},
      {"path", [](Request& r) { r.target = "/api/v1/bodies/ab%2Fce?for=cert.b.example&x=1"; },
       "does not verify"},
      {"path decoding",
       [](Request& r) { r.target = "/api/v1/bodies/ab/cd?for=cert.b.example&x=1"; },
       "does not verify"},
      {"prefix", [](Request& r) { r.target = "/v1/bodies/ab%2Fcd?for=cert.b.example&x=1"; },
       "does not verify"},
      {"query", [](Request& r) { r.target = "/api/v1/bodies/ab%2Fcd?for=cert.c.example&x=1"; },
       "does not verify"},
      {"query dropped", [](Request& r) { r.target = "/api/v1/bodies/ab%2Fcd"; }, "does not verify"},
      {"query appended",
       [](Request& r) { r.target = "/api/v1/bodies/ab%2Fcd?for=cert.b.example&x=1&y"; },
       "does not verify"},
      {"authority", [](Request& r) { r.headers.Set("Host", "node.c.example:8080"); },
       "does not verify"},
      {"authority port", [](Request& r) { r.headers.Set("Host", "node.b.example:8081"); },
       "does not verify"},
      {"body", [](Request& r) { r.body = R"({"want":"more"})"; }, "does not match the body"},
      {"body emptied", [](Request& r) { r.body.clear(); }, "does not match the body"},
      {"body and digest",
       [](Request& r) {
         r.body = R"({"want":"more"})";
         r.headers.Set("Content-Digest", ContentDigestSha256(r.body));
       },
       "does not verify"},
      {"digest removed", [](Request& r) { r.headers.Remove("Content-Digest"); },
       "Content-Digest is absent"},
      {"covered field", [](Request& r) { r.headers.Set("Content-Type", "text/plain"); },
       "does not verify"},
      {"covered field removed", [](Request& r) { r.headers.Remove("Content-Type"); }, "is absent"},
      {"covered field repeated", [](Request& r) { r.headers.Add("Content-Type", "text/plain"); },
       "does not verify"},
      {"no Signature-Input", [](Request& r) { r.headers.Remove("Signature-Input"); },
       "no Signature-Input"},
      {"no Signature", [](Request& r) { r.headers.Remove("Signature"); }, "no Signature field"},
      {"signature bytes",
       [](Request& r) {
         std::string s(*r.headers.Get("Signature"));
         s[10] = s[10] == 'A' ? 'B' : 'A';
         r.headers.Set("Signature", s);
       },
       "does not verify"},
      {"params edited",
       [](Request& r) {
         std::string s(*r.headers.Get("Signature-Input"));
         s.replace(s.find("tag=\"accord\""), 12, "tag=\"accord\";expires=1");
         r.headers.Set("Signature-Input", s);
       },
       "repeated parameter"},
      {"expires edited",
       [](Request& r) {
         std::string s(*r.headers.Get("Signature-Input"));
         s.replace(s.find("expires="), 18, absl::StrCat("expires=", kNow + 61));
         r.headers.Set("Signature-Input", s);
       },
       "does not verify"},
      {"component dropped",
       [](Request& r) {
         std::string s(*r.headers.Get("Signature-Input"));
         s.replace(s.find(" \"content-type\""), 15, "");
         r.headers.Set("Signature-Input", s);
       },
       "does not verify"},
      {"component repeated",
       [](Request& r) {
         std::string s(*r.headers.Get("Signature-Input"));
         s.replace(s.find("\"@method\""), 9, "\"@method\" \"@method\"");
         r.headers.Set("Signature-Input", s);
       },
       "covered twice"},
      {"label renamed",
       [](Request& r) {
         r.headers.Set("Signature",
                       absl::StrCat("other", std::string(r.headers.Get("Signature")->substr(6))));
       },
       "no signature labelled \"accord\" in Signature"},
  };
  for (const Tamper& t : cases) {
    Fixture f;
    auto verifier = f.Verifier();
    Request r = f.SignedPost(SignOptions{.covered_fields = {"content-type"}});
    ASSERT_TRUE(verifier.Verify(r).ok()) << t.name;
    Request fresh = f.SignedPost(SignOptions{.covered_fields = {"content-type"}});
    t.change(fresh);
    const absl::Status s = verifier.Verify(fresh).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << t.name << ": " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(t.reason)) << t.name;
  }
  // A field that is not covered may change.
  Fixture f;
  Request r = f.SignedPost();
  r.headers.Set("User-Agent", "changed");
  EXPECT_TRUE(f.Verifier().Verify(r).ok());
}

TEST(HttpSignature, TimesAreChecked) {
  Fixture f;
  auto verifier = f.Verifier();
  const auto refuse = [&](absl::Duration verifier_offset, SignOptions options,
                          std::string_view reason) {
    f.verifier_now = [verifier_offset] { return FixedNow() + verifier_offset; };
    const absl::Status s = verifier.Verify(f.SignedPost(std::move(options))).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(reason));
  };
  refuse(absl::Seconds(-31), {}, "31 s in the future");
  refuse(absl::Seconds(91), {}, "expired 31 s ago");
  refuse(absl::Seconds(331), SignOptions{.validity = absl::Hours(1)}, "more than the 300 s");
  refuse(absl::ZeroDuration(), SignOptions{.validity = absl::Seconds(-1)},
         "expires is before created");

  // Unbounded policies saturate instead of overflowing (UBSan would catch it).
  VerifyOptions lax;
  lax.max_age = absl::InfiniteDuration();
  lax.clock_skew = absl::InfiniteDuration();
  f.verifier_now = [] { return FixedNow() + absl::Hours(24 * 365); };
  EXPECT_TRUE(f.Verifier(lax).Verify(f.SignedPost()).ok());
}

TEST(HttpSignature, ReplayedNonceIsRefused) {
  Fixture f;
  auto verifier = f.Verifier();
  const Request r = f.SignedPost();
  ASSERT_TRUE(verifier.Verify(r).ok());
  const absl::Status s = verifier.Verify(r).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(s.message()), HasSubstr("nonce already used"));
  // Still refused at the end of its validity, when the signature itself still passes.
  f.verifier_now = [] { return FixedNow() + absl::Seconds(89); };
  EXPECT_THAT(std::string(verifier.Verify(r).status().message()), HasSubstr("nonce already used"));
  // Another verifier sharing the cache (another front end) refuses it too.
  EXPECT_FALSE(f.Verifier().Verify(r).ok());
  // A signature that fails never records its nonce.
  Request forged = f.SignedPost();
  forged.method = "PUT";
  EXPECT_FALSE(verifier.Verify(forged).ok());
  EXPECT_EQ(f.nonces.size(), 1u);
}

TEST(HttpSignature, MemoryNonceCache) {
  MemoryNonceCache cache(2);
  const absl::Time t0 = FixedNow();
  EXPECT_TRUE(cache.Record("k", "n1", t0 + absl::Seconds(10), t0).ok());
  EXPECT_TRUE(cache.Record("other", "n1", t0 + absl::Seconds(20), t0).ok());  // per keyid
  EXPECT_EQ(cache.Record("k", "n1", t0 + absl::Seconds(10), t0).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(cache.Record("k", "n2", t0 + absl::Seconds(10), t0).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(cache.Record("k", "n0", t0, t0).ok());  // already expired: nothing kept
  EXPECT_EQ(cache.size(), 2u);
  // After expiry the first record is dropped, which makes room.
  EXPECT_TRUE(cache.Record("k", "n2", t0 + absl::Seconds(30), t0 + absl::Seconds(10)).ok());
  EXPECT_TRUE(cache.Record("k", "n1", t0 + absl::Seconds(30), t0 + absl::Seconds(10)).code() ==
              absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(cache.Record("k", "n1", t0 + absl::Seconds(40), t0 + absl::Seconds(20)).ok());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(HttpSignature, FullReplayCacheFailsClosed) {
  Fixture f;
  MemoryNonceCache tiny(1);
  VerifyOptions options;
  options.now = FixedNow;
  RequestVerifier verifier(LookupOne(std::string(kKeyId), f.key.public_key()), &tiny, options);
  EXPECT_TRUE(verifier.Verify(f.SignedPost()).ok());
  EXPECT_EQ(verifier.Verify(f.SignedPost()).status().code(), absl::StatusCode::kUnavailable);
}

TEST(HttpSignature, KeysAreLookedUp) {
  Fixture f;
  VerifyOptions options;
  options.now = FixedNow;
  RequestVerifier unknown(
      [](std::string_view) -> absl::StatusOr<crypto::Ed25519PublicKey> {
        return absl::NotFoundError("no party");
      },
      &f.nonces, options);
  absl::Status s = unknown.Verify(f.SignedPost()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown keyid \"cert.a.example+1a2b3c4d\""));

  RequestVerifier other_key(
      LookupOne(std::string(kKeyId), crypto::Ed25519PrivateKey::Generate().public_key()), &f.nonces,
      options);
  s = other_key.Verify(f.SignedPost()).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("does not verify"));

  RequestVerifier broken(
      [](std::string_view) -> absl::StatusOr<crypto::Ed25519PublicKey> {
        return absl::UnavailableError("directory down");
      },
      &f.nonces, options);
  EXPECT_EQ(broken.Verify(f.SignedPost()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(f.nonces.size(), 0u);
}

// Signatures made with SignComponents so that the parameters can be anything.
TEST(HttpSignature, PolicyIsEnforced) {
  Fixture f;
  auto verifier = f.Verifier();
  const auto with = [&](const std::function<void(SignatureParams&)>& change) {
    ClientRequest q = f.Post();
    q.headers.Set("Content-Digest", ContentDigestSha256(q.body));
    SignatureParams p;
    p.components = {"@method", "@authority", "@path", "@query", "content-digest"};
    p.created = kNow;
    p.expires = kNow + 60;
    p.keyid = std::string(kKeyId);
    p.alg = "ed25519";
    p.nonce = absl::StrCat("nonce-", f.nonces.size(), "-", p.components.size());
    p.tag = "accord";
    change(p);
    auto fields = SignComponents(ComponentsOf(f.url, q), p, "accord", f.key);
    if (!fields.ok()) return fields.status();
    q.headers.Set("Signature-Input", fields->signature_input);
    q.headers.Set("Signature", fields->signature);
    return verifier.Verify(f.Received(q)).status();
  };
  EXPECT_TRUE(with([](SignatureParams&) {}).ok());
  EXPECT_TRUE(with([](SignatureParams& p) {
                p.components = {"@method", "@target-uri", "content-digest"};
              }).ok());
  EXPECT_TRUE(with([](SignatureParams& p) {
                p.order = {"tag", "nonce", "alg", "keyid", "expires", "created"};
              }).ok());
  const std::vector<std::pair<std::function<void(SignatureParams&)>, std::string>> refused = {
      {[](SignatureParams& p) { p.alg = "rsa-pss-sha512"; }, "is not \"ed25519\""},
      {[](SignatureParams& p) { p.alg.reset(); }, "no alg"},
      {[](SignatureParams& p) { p.keyid.reset(); }, "no keyid"},
      {[](SignatureParams& p) { p.keyid = ""; }, "no keyid"},
      {[](SignatureParams& p) { p.nonce.reset(); }, "no nonce"},
      {[](SignatureParams& p) { p.tag = "other-app"; }, "tag is not \"accord\""},
      {[](SignatureParams& p) { p.tag.reset(); }, "tag is not"},
      {[](SignatureParams& p) { p.created.reset(); }, "no created"},
      {[](SignatureParams& p) { p.expires.reset(); }, "no expires"},
      {[](SignatureParams& p) { p.components.erase(p.components.begin()); },
       "\"@method\" is not covered"},
      {[](SignatureParams& p) {
         p.components = {"@method", "@authority", "@path"};
       },
       "\"@query\" is not covered"},
      {[](SignatureParams& p) {
         p.components = {"@method", "@authority", "@path", "@query"};
       },
       "must cover \"content-digest\""},
  };
  for (const auto& [change, reason] : refused) {
    const absl::Status s = with(change);
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << reason;
    EXPECT_THAT(std::string(s.message()), HasSubstr(reason));
  }
}

TEST(HttpSignature, MalformedFieldsAreRefused) {
  Fixture f;
  auto verifier = f.Verifier();
  const std::string good_sig(*f.SignedPost().headers.Get("Signature"));
  const std::vector<std::string> inputs = {
      "",
      " ",
      "accord",
      "accord=",
      "accord=(",
      "accord=(\"@method\" \"@path\"",
      "accord=(\"@method\"\"@path\");created=1",
      "accord=(\"@method\");created=1,",
      "accord=(\"@method\");created=1, accord=(\"@path\");created=1",
      "accord=(\"@method\");created=1;created=2",
      "accord=(\"@method\");created=1.5",
      "accord=(\"@method\");created=\"1\"",
      "accord=(\"@method\");created=-1",
      "accord=(\"@method\");created=1234567890123456",
      "accord=(\"@method\");created=",
      "accord=(\"@method\";sf);created=1",
      "accord=(\"@method\";key=\"a\");created=1",
      "accord=(@method);created=1",
      "accord=(:AAAA:);created=1",
      "accord=(\"@method\");foo=1",
      "accord=(\"@method\");keyid=abc",
      "accord=(\"@method\");keyid=:AAAA:",
      "accord=\"x\"",
      "accord=:AAAA:",
      "Accord=(\"@method\")",
      "accord=(\"@m\x01\")",
      "accord=(\"a\\qb\")",
      "accord=(\"unterminated)",
      "accord=(\"@method\") x",
      "accord=(\"@method\");created=1;;",
      "accord=(\"@method\")\x7f",
      "accord=?2",
      "-accord=(\"@method\")",
      absl::StrCat("accord=(", std::string(9000, ' '), ")"),
      absl::StrCat("accord=(", std::string(33 * 3, '\0'), ")"),
  };
  std::string many = "accord=(";
  for (int i = 0; i < 33; ++i) absl::StrAppend(&many, "\"x", i, "\" ");
  many += ");created=1";
  std::vector<std::string> all = inputs;
  all.push_back(many);
  for (const std::string& input : all) {
    Request r = f.SignedPost();
    r.headers.Set("Signature-Input", input);
    r.headers.Set("Signature", good_sig);
    const absl::Status s = verifier.Verify(r).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << input << ": " << s;
  }
  const std::vector<std::string> sigs = {"",
                                         "accord",
                                         "accord=:notbase64!:",
                                         "accord=:YWI:",
                                         "accord=:YWJj:",
                                         "accord=::",
                                         "accord=(:AAAA:)",
                                         "accord=:AAAA:;p=1",
                                         "accord=?1",
                                         "accord=:AAAA",
                                         "accord=\"AAAA\"",
                                         "accord=:AAAA:,",
                                         absl::StrCat(good_sig, ", ", good_sig)};
  for (const std::string& sig : sigs) {
    Request r = f.SignedPost();
    r.headers.Set("Signature", sig);
    const absl::Status s = verifier.Verify(r).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << sig << ": " << s;
  }
  EXPECT_EQ(f.nonces.size(), 0u);
}

TEST(HttpSignature, MessagesNeverHoldKeyMaterial) {
  Fixture f;
  auto verifier = f.Verifier();
  Request r = f.SignedPost();
  r.method = "DELETE";
  const std::string message(verifier.Verify(r).status().message());
  const std::string sig(*r.headers.Get("Signature"));
  EXPECT_EQ(message.find(sig.substr(8, 20)), std::string::npos);
  EXPECT_EQ(message.find(util::Base64Encode(f.key.public_key()).substr(0, 20)), std::string::npos);
  EXPECT_EQ(message.find(util::Base64Encode(f.key.seed()).substr(0, 20)), std::string::npos);
}

// --- A real server route and a real client -------------------------------------------

TEST(HttpSignature, ServerRouteAndClient) {
  const crypto::Ed25519PrivateKey a_key = crypto::Ed25519PrivateKey::Generate();
  const crypto::Ed25519PrivateKey c_key = crypto::Ed25519PrivateKey::Generate();
  MemoryNonceCache nonces;
  RequestVerifier verifier(
      [&](std::string_view keyid) -> absl::StatusOr<crypto::Ed25519PublicKey> {
        if (keyid == "cert.a.example+00000001") return a_key.public_key();
        if (keyid == "cert.c.example+00000003") return c_key.public_key();
        return absl::NotFoundError("unknown party");
      },
      &nonces);
  Router router;
  const auto handler = [&](const Request& request) {
    auto who = verifier.Verify(request);
    if (!who.ok()) return Response::FromStatus(who.status());
    if (who->keyid != "cert.a.example+00000001") {
      return Response::FromStatus(absl::PermissionDeniedError("not the addressee"));
    }
    return Response::Text(200, absl::StrCat("for ", who->keyid, ": ", request.body));
  };
  router.Handle("POST", "/api/v1/bodies/{hash}", handler, {.query = {"case"}});
  router.Handle("GET", "/api/v1/bodies/{hash}", handler, {.query = {"case"}});
  auto server = testing::StartServer(std::move(router));
  auto client = Client::Create(absl::StrCat("http://127.0.0.1:", server->port(), "/api"));
  ASSERT_TRUE(client.ok()) << client.status();
  RequestSigner a_signer("cert.a.example+00000001", a_key);
  RequestSigner c_signer("cert.c.example+00000003", c_key);

  ClientRequest q;
  q.method = "POST";
  q.target = "/v1/bodies/abc?case=7";
  q.body = "{\"x\":1}";
  ASSERT_TRUE(a_signer.Sign((*client)->url(), q).ok());
  auto res = (*client)->Do(q);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, "for cert.a.example+00000001: {\"x\":1}");

  // The same bytes again: a replay.
  res = (*client)->Do(q);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 401);
  EXPECT_THAT(res->body, HasSubstr("urn:accord:problem:unauthenticated"));
  EXPECT_THAT(res->body, HasSubstr("nonce already used"));

  // Unsigned.
  res = (*client)->Get("/v1/bodies/abc");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 401);
  EXPECT_THAT(res->body, HasSubstr("must be signed"));

  // Signed GET without a body; then retargeted after signing.
  ClientRequest get;
  get.target = "/v1/bodies/abc";
  ASSERT_TRUE(a_signer.Sign((*client)->url(), get).ok());
  res = (*client)->Do(get);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200) << res->body;
  ASSERT_TRUE(a_signer.Sign((*client)->url(), get).ok());
  get.target = "/v1/bodies/abd";
  res = (*client)->Do(get);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 401);
  EXPECT_THAT(res->body, HasSubstr("does not verify"));

  // A known party that is not the addressee: authenticated, then refused.
  get.target = "/v1/bodies/abc";
  ASSERT_TRUE(c_signer.Sign((*client)->url(), get).ok());
  res = (*client)->Do(get);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 403);

  // A key the directory does not know.
  RequestSigner stranger("cert.x.example+00000009", crypto::Ed25519PrivateKey::Generate());
  ASSERT_TRUE(stranger.Sign((*client)->url(), get).ok());
  res = (*client)->Do(get);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 401);
  EXPECT_THAT(res->body, HasSubstr("unknown keyid"));
  server->Stop();
}

}  // namespace
}  // namespace accord::http
