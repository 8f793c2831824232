// An index of the statements in a party's log, for queries the C2SP read paths cannot
// answer: by kind, issuer, reference, addressee and time, and by statement digest
// (duplicate submissions). The log is the source of truth; the index is derived from it.
//
// Contract for every implementation:
//  - Add(batch): records statements with consecutive log indices, the first at or
//    below IndexedSize(); durable on return only in the sense the backend documents
//    (SQLite WAL with synchronous=NORMAL: survives a process crash, may lose the last
//    transactions on power loss). Callers re-index from the log: on start, every entry
//    from IndexedSize() to the log's size is added again. Entries below IndexedSize()
//    are skipped after checking that the leaf hash held there is theirs (DataLoss if
//    not): several writers of one log (front ends sharing a database) may index the
//    same entries. InvalidArgument if the batch starts above IndexedSize() (a gap).
//    A statement whose digest is already indexed at an earlier index (a log that holds
//    it twice) is not indexed again: FindByDigest answers with the first.
//  - Reads see every completed Add. Thread-safe: one writer, many readers.
//  - Absent results are empty optionals / empty pages, not errors.
#ifndef ACCORD_STORE_STATEMENT_INDEX_H_
#define ACCORD_STORE_STATEMENT_INDEX_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/crypto/sha256.h"

namespace accord::store {

struct IndexedRef {
  std::string origin;
  uint64_t index = 0;
  crypto::Digest leaf_hash{};
};

struct IndexedStatement {
  uint64_t index = 0;          // leaf index in the log
  crypto::Digest leaf_hash{};  // RFC 6962 leaf hash of the envelope
  std::string kind;            // "incident", …
  std::string issuer;          // log origin of the issuing party
  int64_t issued_unix = 0;     // seconds since the epoch
  std::string signer;          // keyid of the signature the node accepted
  std::vector<IndexedRef> refs;
  std::vector<std::string> addressees;
  std::optional<crypto::Digest> private_commitment;  // "private"."sha256", if any
  // statement::StatementDigest: the statement's identity (what its signatures cover).
  // A log holds each statement once, so the index has at most one entry per digest.
  crypto::Digest digest{};
};

struct IndexQuery {
  std::string kind;                          // empty: any
  std::string issuer;                        // empty: any
  std::string addressee;                     // empty: any
  std::optional<IndexedRef> ref;             // statements citing (origin, index); leaf_hash ignored
  std::optional<crypto::Digest> commitment;  // statements committing to this private body
  std::optional<uint64_t> after;             // cursor: only log indices > after
  size_t limit = 100;
};

struct IndexPage {
  std::vector<IndexedStatement> statements;  // ascending by index
  std::optional<uint64_t> next;              // cursor for the next page, if more match
};

class StatementIndex {
 public:
  virtual ~StatementIndex() = default;
  virtual absl::Status Add(std::span<const IndexedStatement> batch) = 0;
  virtual absl::StatusOr<uint64_t> IndexedSize() = 0;
  // The index of the statement with this StatementDigest, if the log holds it.
  virtual absl::StatusOr<std::optional<uint64_t>> FindByDigest(const crypto::Digest& digest) = 0;
  virtual absl::StatusOr<std::optional<IndexedStatement>> Get(uint64_t index) = 0;
  virtual absl::StatusOr<IndexPage> Query(const IndexQuery& query) = 0;
};

// SQLite (WAL) at `path`, created with its schema if missing; ":memory:" for tests.
absl::StatusOr<std::unique_ptr<StatementIndex>> OpenSqliteIndex(const std::filesystem::path& path);

}  // namespace accord::store

#endif  // ACCORD_STORE_STATEMENT_INDEX_H_
