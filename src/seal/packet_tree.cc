#include "src/seal/packet_tree.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/seal/leaf.h"
#include "src/tlog/tree.h"

namespace accord::seal {
namespace {

// Batches are cut at this many bytes of packet data as well as at tile boundaries.
constexpr size_t kBatchBytes = 4 << 20;

// SHA-256 of every byte the source reads, on a second thread when asked: the parser
// and the file hash then work on the source's buffers at once, the parser up to three
// buffers ahead (the source waits for a buffer's ticket before it reuses it).
class FileHashObserver final : public ByteObserver {
 public:
  explicit FileHashObserver(bool threaded) {
    if (threaded) thread_ = std::thread([this] { Run(); });
  }
  ~FileHashObserver() override {
    if (!thread_.joinable()) return;
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

  uint64_t Observe(std::span<const uint8_t> bytes) override {
    if (!thread_.joinable()) {
      sha_.Update(bytes);
      return ++submitted_;
    }
    absl::MutexLock lock(&mu_);
    queue_.push_back(bytes);
    return ++submitted_;
  }

  void WaitFor(uint64_t ticket) override {
    if (!thread_.joinable()) return;
    Target target{this, ticket};
    mu_.LockWhen(absl::Condition(&Reached, &target));
    mu_.Unlock();
  }

  crypto::Digest Final() {
    WaitFor(submitted_);
    return sha_.Final();
  }

 private:
  struct Target {
    FileHashObserver* self;
    uint64_t ticket;
  };
  static bool Reached(Target* t) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return t->self->done_ >= t->ticket;  // evaluated with mu_ held
  }
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stop_; }

  void Run() {
    while (true) {
      mu_.LockWhen(absl::Condition(this, &FileHashObserver::HasWork));
      if (queue_.empty()) {  // stop_
        mu_.Unlock();
        return;
      }
      const std::span<const uint8_t> bytes = queue_.front();
      queue_.pop_front();
      mu_.Unlock();
      sha_.Update(bytes);  // only this thread touches sha_ until WaitFor returns
      absl::MutexLock lock(&mu_);
      ++done_;
    }
  }

  crypto::Sha256Stream sha_;
  uint64_t submitted_ = 0;  // only the reading thread touches it
  absl::Mutex mu_;
  std::deque<std::span<const uint8_t>> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t done_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

void Summarise(const Packet& p, CaptureSummary& s) {
  s.link_types.insert(p.link_type);
  s.captured_bytes += p.data.size();
  if (!p.has_time) {
    ++s.untimed_packets;
    return;
  }
  if (!s.first_ns || p.time_ns < *s.first_ns) s.first_ns = p.time_ns;
  if (!s.last_ns || p.time_ns > *s.last_ns) s.last_ns = p.time_ns;
}

}  // namespace

struct PacketTreeBuilder::State {
  explicit State(crypto::HashBackend backend) : batch(backend), hasher(backend) {}
  LeafBatch batch;
  tlog::TreeHasher hasher;
  tlog::TreeAppender appender;
  uint64_t count = 0;
  uint64_t tile_offset = 0;
  std::vector<tlog::Hash> tile_leaves;  // the current tile's hashed leaves
  std::vector<TreeTile> tiles;
};

PacketTreeBuilder::PacketTreeBuilder(crypto::HashBackend backend)
    : backend_(backend), s_(std::make_unique<State>(backend)) {
  s_->tile_leaves.reserve(kTilePackets);
}

PacketTreeBuilder::~PacketTreeBuilder() = default;

void PacketTreeBuilder::Add(const Packet& packet) {
  if (s_->count % kTilePackets == 0) s_->tile_offset = packet.offset;
  s_->batch.Add(
      PacketFields{packet.time_ns, packet.link_type, packet.original_length, packet.data});
  ++s_->count;
  if (s_->count % kTilePackets == 0 || s_->batch.bytes() >= kBatchBytes) Flush();
}

void PacketTreeBuilder::Flush() {
  State& s = *s_;
  if (s.batch.size() == 0) return;
  const size_t have = s.tile_leaves.size();
  s.tile_leaves.resize(have + s.batch.size());
  s.batch.HashInto(std::span<tlog::Hash>(s.tile_leaves).subspan(have));
  if (s.tile_leaves.size() < kTilePackets) return;
  const tlog::TreeUpdate update = s.appender.Append(s.tile_leaves, s.hasher);
  // The tile's root is the newest node at level 8: in the level-1 hash tile.
  const uint64_t node = (update.new_size >> kTileLevel) - 1;
  for (const tlog::TileWrite& t : update.tiles) {
    if (t.id.level != 1) continue;
    s.tiles.push_back(TreeTile{s.tile_offset, t.hashes[node - t.id.index * tlog::kTileWidth]});
    s.tile_leaves.clear();
    return;
  }
  std::fprintf(stderr, "accord: fatal: tree update without a level-1 tile\n");
  std::abort();
}

PacketTree PacketTreeBuilder::Finish() {
  Flush();
  PacketTree tree;
  tree.size = s_->count;
  tree.tiles = std::move(s_->tiles);
  if (!s_->tile_leaves.empty()) {
    s_->appender.Append(s_->tile_leaves, s_->hasher);
    tree.tail_offset = s_->tile_offset;
    tree.tail = std::move(s_->tile_leaves);
  }
  tree.root = s_->appender.Root();
  s_ = std::make_unique<State>(backend_);
  s_->tile_leaves.reserve(kTilePackets);
  return tree;
}

absl::StatusOr<BuiltTree> BuildPacketTree(const std::string& path, const BuildOptions& options) {
  FileHashObserver file_hash(options.two_threads);  // outlives the source, which syncs it
  auto source =
      ByteSource::OpenFile(path, options.hash_file ? &file_hash : nullptr, options.buffer_bytes);
  if (!source.ok()) return source.status();
  auto reader = CaptureReader::Open(**source);
  if (!reader.ok()) return reader.status();
  PacketTreeBuilder builder(options.backend);
  BuiltTree out;
  while (true) {
    auto packet = (*reader)->Next();
    if (!packet.ok()) {
      return absl::Status(packet.status().code(),
                          absl::StrCat(path, ": ", packet.status().message()));
    }
    if (!packet->has_value()) break;
    builder.Add(**packet);
    Summarise(**packet, out.summary);
    if (options.progress && (*packet)->index % 65536 == 0) {
      options.progress((*source)->offset(), (*source)->size());
    }
  }
  out.tree = builder.Finish();
  out.tree.format = (*reader)->metadata().format;
  out.tree.capture_bytes = (*source)->offset();
  out.tree.structure = (*reader)->structure_offsets();
  out.summary.metadata = (*reader)->metadata();
  out.summary.interfaces = (*reader)->interfaces();
  if (options.hash_file) out.tree.capture_sha256 = file_hash.Final();
  return out;
}

absl::StatusOr<std::unique_ptr<PacketTreeHashes>> PacketTreeHashes::Create(const PacketTree& tree) {
  if (tree.tiles.size() != tree.size / kTilePackets ||
      tree.tail.size() != tree.size % kTilePackets) {
    return absl::DataLossError(absl::StrCat("packet tree of ", tree.size, " packets has ",
                                            tree.tiles.size(), " tiles and ", tree.tail.size(),
                                            " tail leaves"));
  }
  std::unique_ptr<PacketTreeHashes> h(new PacketTreeHashes());
  h->size_ = tree.size;
  h->upper_.emplace_back();
  h->upper_[0].reserve(tree.tiles.size());
  for (const TreeTile& t : tree.tiles) h->upper_[0].push_back(t.hash);
  while (h->upper_.back().size() >= 2) {
    const std::vector<tlog::Hash>& below = h->upper_.back();
    std::vector<tlog::Hash> above(below.size() / 2);
    h->hasher_.NodeHashes(std::span<const tlog::Hash>(below.data(), 2 * above.size()), above);
    h->upper_.push_back(std::move(above));
  }
  if (!tree.tail.empty()) h->tail_ = tlog::ExpandTile(tree.tail, h->hasher_);
  auto root = tlog::RootHash(tree.size, *h);
  if (!root.ok()) return root.status();
  if (*root != tree.root) {
    return absl::DataLossError(absl::StrCat("the tile and tail hashes of ", tree.size,
                                            " packets do not reproduce the tree's root"));
  }
  return h;
}

absl::Status PacketTreeHashes::AddTileLeaves(uint64_t tile, std::vector<tlog::Hash> leaves) {
  if (tile >= upper_[0].size() || leaves.size() != kTilePackets) {
    return absl::InvalidArgumentError(
        absl::StrCat("no complete tile ", tile, " with ", leaves.size(), " leaves"));
  }
  auto expanded = tlog::ExpandTile(std::move(leaves), hasher_);
  const auto& top = expanded->rows[kTileLevel - 1];
  if (tlog::NodeHash(top[0], top[1]) != upper_[0][tile]) {
    return absl::DataLossError(absl::StrCat(
        "packets ", tile * kTilePackets, "–", tile * kTilePackets + kTilePackets - 1,
        " differ from the sealed capture (tile ", tile, " does not match its sealed hash)"));
  }
  expanded_[tile] = std::move(expanded);
  return absl::OkStatus();
}

absl::StatusOr<tlog::Hash> PacketTreeHashes::ReadNode(int level, uint64_t index) {
  if (level < 0 || level >= 64 || index >= (size_ >> level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("no complete node (", level, ", ", index, ") in a tree of ", size_));
  }
  if (level >= kTileLevel) {
    const size_t k = static_cast<size_t>(level - kTileLevel);
    if (k < upper_.size() && index < upper_[k].size()) return upper_[k][index];
    return absl::InternalError(absl::StrCat("node (", level, ", ", index, ") not computed"));
  }
  const uint64_t tile = (index << level) / kTilePackets;
  const uint64_t within = index - tile * (kTilePackets >> level);
  const tlog::ExpandedTile* t = nullptr;
  if (tile < upper_[0].size()) {
    auto it = expanded_.find(tile);
    if (it == expanded_.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("leaves of tile ", tile, " were not supplied"));
    }
    t = it->second.get();
  } else {
    t = tail_.get();
  }
  if (t == nullptr || within >= t->rows[level].size()) {
    return absl::InternalError(absl::StrCat("node (", level, ", ", index, ") not available"));
  }
  return t->rows[level][within];
}

}  // namespace accord::seal
