// A helper for dsse_interop.mjs, which checks accord's DSSE envelopes against an
// independent implementation (sigstore-js's preAuthEncoding with Node's Ed25519).
//
//   dsse_tool sign KIND NAME SEED_HEX < payload   prints the envelope accord makes
//   dsse_tool verify VKEY < envelope              validates the statement and checks
//                                                 VKEY's signature; exit 0 iff both pass
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "src/note/keys.h"
#include "src/statement/statement.h"
#include "src/util/encoding.h"

namespace {

namespace statement = accord::statement;
namespace note = accord::note;
namespace util = accord::util;

int Sign(const std::string& kind_name, const std::string& name, const std::string& seed_hex) {
  std::optional<statement::Kind> kind = statement::ParseKind(kind_name);
  std::optional<std::vector<uint8_t>> seed = util::HexDecode(seed_hex);
  if (!kind.has_value() || !seed.has_value()) {
    std::cerr << "bad kind or seed\n";
    return 2;
  }
  auto pair = note::GenerateKeyFromSeed(name, *seed);
  if (!pair.ok()) {
    std::cerr << pair.status() << "\n";
    return 2;
  }
  auto signer = note::NewSigner(pair->private_key);
  const std::string payload(std::istreambuf_iterator<char>(std::cin), {});
  auto envelope = statement::Sign(*kind, payload, *signer);
  if (!envelope.ok()) {
    std::cerr << envelope.status() << "\n";
    return 1;
  }
  std::cout << *envelope;
  return 0;
}

int Verify(const std::string& vkey) {
  auto verifier = note::NewVerifier(vkey);
  if (!verifier.ok()) {
    std::cerr << verifier.status() << "\n";
    return 2;
  }
  const std::string envelope(std::istreambuf_iterator<char>(std::cin), {});
  auto validator = statement::Validator::Create();
  if (!validator.ok()) {
    std::cerr << validator.status() << "\n";
    return 2;
  }
  auto parsed = (*validator)->Parse(envelope);
  if (!parsed.ok()) {
    std::cerr << parsed.status() << "\n";
    return 1;
  }
  if (!statement::VerifiedBy(parsed->envelope, **verifier)) {
    std::cerr << "signature does not verify\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string verb = argc > 1 ? argv[1] : "";
  if (verb == "sign" && argc == 5) return Sign(argv[2], argv[3], argv[4]);
  if (verb == "verify" && argc == 3) return Verify(argv[2]);
  std::cerr << "usage: dsse_tool sign KIND NAME SEED_HEX < payload\n"
               "       dsse_tool verify VKEY < envelope\n";
  return 2;
}
