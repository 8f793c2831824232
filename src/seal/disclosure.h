// Disclosure files: the disclosed packets of a sealed capture as an ordinary pcapng
// file (which tshark and Wireshark open unchanged), carrying what proves them in pcapng
// Custom Blocks of type 0x40000BAD — "do not copy": a tool that rewrites the file must
// drop them, since the proofs depend on exactly these packets in exactly this order.
//
//   SHB (little-endian; shb_userappl "accord <version>")
//   Custom Block: evidence record                     (before any packet)
//   IDB per link type disclosed (if_tsresol 9: ns), each before its first packet
//   EPB per disclosed packet, ascending sealed index; no options but an opt_comment
//       "accord: sealed packet <number> of <N>"
//   Custom Block(s): packets records, then proof records (chunks of ≤ 65,536 entries)
//
// Every Custom Block's body is a Private Enterprise Number (section byte order) and
// then accord's data, whose integers are big-endian whatever the section's byte order:
//
//   25 bytes   magic "accord-seal/v1 disclosure"
//   u8         record kind
//   kind 1, evidence record — which statement sealed the capture:
//     u16 + bytes    log origin
//     u64            the statement's leaf index in that log
//     32 bytes       the statement's RFC 6962 leaf hash (of the envelope bytes)
//     u32 + bytes    the statement: the DSSE envelope exactly as logged
//     u32 + bytes    a signed checkpoint of the log at disclosure time (may be empty)
//     u8  + n × 32   the statement's inclusion proof in that checkpoint (RFC 9162)
//   kind 2, packets record — which sealed packets these are:
//     u64            position of the record's first packet among the disclosed ones
//     u32 n          then n × (u64 sealed packet index from 0, 32-byte leaf hash)
//   kind 3, proof record — the multi-leaf inclusion proof (multiproof.h) of all of them:
//     u64            position of the record's first hash in the proof
//     u32 n          then n × 32-byte hashes
//   then up to 3 zero bytes of block padding.
//
// The Private Enterprise Number is a placeholder: accord has none registered yet, so it
// uses 32473, which RFC 5612 reserves for documentation and examples; the magic keeps
// accord's blocks apart from anyone else using the same number. One constant to change
// once accord registers its own PEN with IANA (free of charge).
//
// The listed leaf hashes are redundant — the verifier recomputes every leaf from the
// packet — and serve to name which packet was modified, reordered or replaced.
#ifndef ACCORD_SEAL_DISCLOSURE_H_
#define ACCORD_SEAL_DISCLOSURE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/tlog/hash.h"

namespace accord::seal {

inline constexpr uint32_t kDisclosurePen = 32473;
inline constexpr std::string_view kDisclosureMagic = "accord-seal/v1 disclosure";
inline constexpr size_t kMaxRecordEntries = 65536;

// A reference to the evidence statement, and what proves it is logged.
struct EvidenceRecord {
  std::string origin;
  uint64_t index = 0;
  tlog::Hash leaf_hash{};
  std::string statement;
  std::string checkpoint;
  std::vector<tlog::Hash> inclusion_proof;
};

std::string EncodeEvidenceRecord(const EvidenceRecord& record);
std::string EncodePacketsRecord(uint64_t first, std::span<const uint64_t> indices,
                                std::span<const tlog::Hash> leaf_hashes);
std::string EncodeProofRecord(uint64_t first, std::span<const tlog::Hash> hashes);

// A disclosure file as read: the records, and each packet as found in the file.
struct DisclosedPacket {
  tlog::Hash leaf{};  // recomputed from the packet record
  uint64_t time_ns = 0;
  bool has_time = true;
  uint16_t link_type = 0;
  uint64_t offset = 0;  // of its block in the disclosure file
};

struct Disclosure {
  EvidenceRecord evidence;
  std::vector<uint64_t> indices;          // as listed in the packets records
  std::vector<tlog::Hash> listed_leaves;  // as listed
  std::vector<tlog::Hash> proof;
  std::vector<DisclosedPacket> packets;  // as found, in file order
};

// Reads a disclosure file. DataLoss naming the offset for a malformed pcapng or
// accord record; InvalidArgument if the file is no accord disclosure (no evidence
// record), or records come out of order or twice. Does not check any proof.
absl::StatusOr<Disclosure> ReadDisclosure(const std::string& path);
// The same over bytes in memory: the entry point for fuzzing disclosure parsing.
absl::StatusOr<Disclosure> ParseDisclosureBytes(std::span<const uint8_t> bytes);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_DISCLOSURE_H_
