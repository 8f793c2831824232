// What anyone can check about a claim from the parties' published logs alone — the third
// party's view (`accord verify-claim`, the drill's party C): the claim is in its issuer's
// log under a checkpoint signed by the issuer's key from the directory and cosigned by
// the directory's witnesses, valid at its position; every statement it cites is in the
// cited log and is what the citation says; and each disclosure supplied proves packets
// sealed in evidence the claim cites.
//
// Nothing the nodes say is trusted: every log is read over its C2SP read paths
// (node::HttpLogStorage) and verified against the key the directory lists for it.
// Network and verification faults of a cited statement are findings, not errors: the
// report says what is proven and what is not.
#ifndef ACCORD_VERIFY_CLAIM_CHECK_H_
#define ACCORD_VERIFY_CLAIM_CHECK_H_

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/federation/directory.h"
#include "src/statement/statement.h"

namespace accord::verify {

// A statement as its log publishes it.
struct PublishedStatement {
  std::string origin;
  uint64_t index = 0;
  crypto::Digest leaf_hash{};
  uint64_t checkpoint_size = 0;        // of the checkpoint it was read under
  std::vector<std::string> witnesses;  // directory witnesses that cosigned that checkpoint
  bool witnessed = false;              // they meet the directory's witness_quorum
  statement::Statement statement;
};

// Statement `index` of `origin`'s log, read from the URL the directory lists for it: the
// checkpoint's signature by the log key of the directory, the entry under it (tiles
// verified), with leaf hash `leaf_hash` if given, and valid at its position as every
// verifier judges it (node::AuditLog: schema, signer — the party or an officer it had
// authorised —, logged form, refs into that log). NotFound for an origin outside the
// directory; DataLoss for a leaf hash that differs or an entry that is no valid
// statement; the transport's errors as they are.
absl::StatusOr<PublishedStatement> ReadPublished(const federation::Directory& directory,
                                                 const statement::Validator& validator,
                                                 const std::string& origin, uint64_t index,
                                                 std::optional<crypto::Digest> leaf_hash);

struct ClaimFinding {
  // "proven"; "failed" (it does not verify: the claim cites what is not so); "not shown"
  // (nothing here proves or disproves it: packets not disclosed to the checker, a
  // checkpoint short of the witness quorum).
  std::string result;
  std::string what;
  std::string position;  // "<origin> #<index>", or a disclosure's file name
  nlohmann::ordered_json detail = nlohmann::ordered_json::object();
};

struct ClaimReport {
  PublishedStatement claim;
  std::vector<ClaimFinding> findings;
  bool ok() const;  // no finding failed
  nlohmann::ordered_json ToJson() const;
  std::string ToText() const;
};

// Checks claim `index` of `origin`'s log and, for each of `disclosures` (pcapng files
// written by accord disclose), the packets it proves sealed in cited evidence. An error
// only if the claim itself cannot be read or is no valid claim of that log.
absl::StatusOr<ClaimReport> CheckClaim(const federation::Directory& directory,
                                       const statement::Validator& validator,
                                       const std::string& origin, uint64_t index,
                                       const std::vector<std::filesystem::path>& disclosures);

}  // namespace accord::verify

#endif  // ACCORD_VERIFY_CLAIM_CHECK_H_
