// The party directory: who takes part, where their nodes are, which keys sign their logs
// and their cosignatures, and how to reach their 24/7 contact points. Every node loads
// one (JSON, documented in docs/federation.md); it is the only trust root of federation:
// a node witnesses, follows and accepts statements only from the logs listed here.
//
//   {
//     "accord_directory": 1,
//     "witness_quorum": 2,
//     "parties": [
//       { "name": "Republic of A — national CERT",
//         "origin": "cert.a.example/log",
//         "log_key": "cert.a.example/log+1a2b3c4d+AQ…",
//         "url": "https://accord.cert.a.example",
//         "witness": { "key": "cert.a.example/witness+5e6f7a8b+BA…",
//                      "url": "https://accord.cert.a.example" },
//         "box_key": "base64 of an X25519 public key",
//         "contact": { "team": "CERT-A duty officer", "email": "duty@cert.a.example",
//                      "phone": "+000 555 0100", "hours": "24/7" } } ] }
//
// witness_quorum: how many cosignatures, by witnesses of parties other than the log's
// own, make a checkpoint of that log count as witnessed (0: none needed; default 1).
// ParseDirectory refuses a quorum some log could never reach: every party's log must
// have at least witness_quorum other parties with a witness.
#ifndef ACCORD_FEDERATION_DIRECTORY_H_
#define ACCORD_FEDERATION_DIRECTORY_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/note/cosignature.h"
#include "src/note/keys.h"

namespace accord::federation {

struct Contact {
  std::string team, email, phone, hours;
};

struct Party {
  std::string name;         // for people
  std::string origin;       // the log's origin line, = the log key's name
  std::string log_key;      // verifier key (Ed25519, type 0x01)
  std::string url;          // the node's base URL (C2SP read paths, API)
  std::string witness_key;  // cosignature/v1 verifier key (type 0x04); empty: no witness
  std::string witness_url;  // tlog-witness submission prefix; defaults to url
  // X25519 public key (standard base64 of 32 bytes) that confidential bodies addressed to
  // this party are sealed to (libsodium sealed boxes); empty: none published.
  std::string box_key;
  Contact contact;

  // Parsed from the strings above.
  std::shared_ptr<const note::Verifier> log_verifier;
  std::shared_ptr<const note::CosignatureV1Verifier> witness_verifier;  // null: no witness
};

struct Directory {
  size_t witness_quorum = 1;
  std::vector<Party> parties;

  const Party* FindByOrigin(std::string_view origin) const;
  // The party whose witness key is named `witness_name`.
  const Party* FindByWitness(std::string_view witness_name) const;
};

inline constexpr int kDirectoryVersion = 1;

// Parses and checks a directory: version 1, every key valid and of its type, each
// log key named by its origin, origins and witness names unique, URLs http(s) with a
// host. InvalidArgument naming the party and field at fault.
absl::StatusOr<Directory> ParseDirectory(std::string_view json);
// The JSON form ParseDirectory reads (the parsed verifiers are left out).
std::string FormatDirectory(const Directory& directory);
// One party's entry, the JSON object a party sends the others (`accord directory
// entry`), checked as ParseDirectory checks a party: InvalidArgument naming the field.
absl::StatusOr<std::string> FormatEntry(const Party& party);
// The directory of these entries (JSON objects, as FormatEntry writes them) with witness
// quorum `quorum`, checked as ParseDirectory checks one (the quorum rule included).
// InvalidArgument naming the entry ("entry N", from 1) or the party at fault.
absl::StatusOr<Directory> AssembleDirectory(std::span<const std::string> entries, size_t quorum);
absl::StatusOr<Directory> LoadDirectory(const std::filesystem::path& path);

// How many distinct witnesses of `directory`, other than the log's own party's, have a
// valid cosignature on `signed_checkpoint` (a note already known to carry the log's
// signature). Unknown and invalid cosignatures are not counted.
size_t CountCosignatures(const Directory& directory, std::string_view origin,
                         std::string_view signed_checkpoint);
// The names of those witnesses.
std::vector<std::string> CosigningWitnesses(const Directory& directory, std::string_view origin,
                                            std::string_view signed_checkpoint);

// The current directory of a file, reloaded when the file changes (checked at most once
// per `check_interval`, on the caller's thread). A reload that fails keeps the previous
// directory and is reported by last_error(). Thread-safe.
class DirectoryWatcher {
 public:
  static absl::StatusOr<std::unique_ptr<DirectoryWatcher>> Open(
      std::filesystem::path path, absl::Duration check_interval = absl::Seconds(1));
  // A fixed directory (tests, the drill's in-memory setups).
  static std::unique_ptr<DirectoryWatcher> Fixed(Directory directory);

  std::shared_ptr<const Directory> current();
  absl::Status last_error() const;
  uint64_t generation() const;  // incremented on every successful reload

 private:
  DirectoryWatcher() = default;
  std::filesystem::path path_;
  absl::Duration check_interval_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Directory> directory_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
  std::filesystem::file_time_type mtime_ ABSL_GUARDED_BY(mu_);
  uintmax_t file_size_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_DIRECTORY_H_
