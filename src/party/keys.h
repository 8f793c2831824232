// A party's keys, as files in its data folder: the one place that reads and creates them.
//
//   DATA/party.key, party.vkey       the log key (signed-note Ed25519, type 0x01): signs
//                                    the log's checkpoints and the node's own statements
//   DATA/witness.key, witness.vkey   the witness key (cosignature/v1, type 0x04), named
//                                    after the origin ("cert.a.example/log" →
//                                    "cert.a.example/witness")
//   DATA/box.key, box.pub            the X25519 key bodies addressed to the party are
//                                    sealed to (src/crypto/box.h; docs/casework-bodies.md)
//
// Every private key file is created with mode 0600 and written durably with its public
// half beside it (store::WriteFilesDurably), so a crash leaves both or neither. A key is
// created only where its default file is missing: a key file named by the operator that
// does not exist is an error, never a fresh key.
//
// This library is a leaf (note, crypto, store): the node and its tests take the keys it
// loads; the composition root (party.h) is its production caller. Create keys only while
// holding the data folder's lock (node::Node::Open calls the party-key provider under it;
// party::LoadOrCreateKeys takes it), so two processes never race to create one key.
#ifndef ACCORD_PARTY_KEYS_H_
#define ACCORD_PARTY_KEYS_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/crypto/box.h"
#include "src/note/cosignature.h"
#include "src/note/keys.h"

namespace accord::party {

// The key files of the data folder `data_dir`.
struct KeyFiles {
  static KeyFiles In(const std::filesystem::path& data_dir);
  std::filesystem::path party_key, witness_key, box_key;
};

// The log key from `path`, created for `name` (with the .vkey beside it) when `create`
// and the file does not exist. InvalidArgument, naming the file, if it holds no
// signed-note Ed25519 private key.
absl::StatusOr<note::Ed25519Signer> LoadOrCreatePartyKey(const std::filesystem::path& path,
                                                         std::string_view name, bool create);

// The witness key from `path`, created for `name` (with the .vkey beside it) when
// `create` and the file does not exist. InvalidArgument, naming the file, if it holds no
// cosignature/v1 private key.
absl::StatusOr<note::CosignatureV1Signer> LoadOrCreateWitnessKey(const std::filesystem::path& path,
                                                                 std::string_view name,
                                                                 bool create);

// The box key pair from `path` (DATA/box.key), created when `create` and the file does
// not exist, with the public key beside it as box.pub. Refuses (FailedPrecondition) a key file that
// group or others may read or write, and (InvalidArgument) one that does not hold base64 of 32
// bytes; rewrites a missing box.pub, and refuses (FailedPrecondition) one that names
// another key. Other I/O failures as store::ReadWholeFile / WriteFilesDurably report
// them, naming the path.
absl::StatusOr<crypto::BoxKeyPair> LoadOrCreateBoxKey(const std::filesystem::path& path,
                                                      bool create);

}  // namespace accord::party

#endif  // ACCORD_PARTY_KEYS_H_
