// gen-log: writes a C2SP tiled log with x/mod's tree code, for accord to verify.
//
// Layout of DIR:
//
//	checkpoint                 the final signed checkpoint (plus a witness cosignature)
//	tile/<L>/<N>[.p/<W>]       hash tiles: every full tile, and the partial tiles of every
//	                           checkpointed size
//	tile/entries/<N>[.p/<W>]   entry bundles, likewise
//	checkpoints/<size>         every signed checkpoint, 0 and each batch's (not served)
//	proofs/inclusion-<index>-<size>.json, proofs/consistency-<old>-<new>.json
//	                           proofs computed by x/mod, in accord's proof JSON
//
// --extension LINE (repeatable) adds an extension line to every checkpoint. The verifier
// key goes to stdout; a summary to stderr.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// witnessName signs every checkpoint with a cosignature verifiers have no key for.
const witnessName = "witness.interop.example/go"

func runGenLog(a *args) error {
	if err := a.positional(1); err != nil {
		return err
	}
	dir, name := a.pos[0], a.str("name", "")
	if name == "" {
		return usagef("--name is required")
	}
	total, err := a.int("entries", -1)
	if err != nil || total < 0 {
		return usagef("--entries N (N ≥ 0) is required")
	}
	batches, err := a.int("batches", 1)
	if err != nil || batches < 1 || (total > 0 && batches > total) {
		return usagef("--batches must be between 1 and the number of entries")
	}
	seed, err := a.int("seed", 1)
	if err != nil {
		return err
	}
	rng := mrand.New(mrand.NewSource(seed))

	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return err
	}
	_, witnessKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	g := &generator{dir: dir, name: name, signer: signer, witness: witnessKey, store: &memHashStore{},
		proofs: map[string]bool{}, extensions: a.flags["extension"]}

	if err := g.publish(0); err != nil {
		return err
	}
	sizes := []int64{0}
	for _, cut := range batchEnds(total, batches, rng) {
		for int64(len(g.entries)) < cut {
			e := makeEntry(int64(len(g.entries)), rng)
			if err := g.store.append(int64(len(g.entries)), e); err != nil {
				return err
			}
			g.entries = append(g.entries, e)
		}
		if err := g.publish(cut); err != nil {
			return err
		}
		sizes = append(sizes, cut)
	}
	if err := g.writeProofs(sizes, rng); err != nil {
		return err
	}
	fmt.Println(vkey)
	fmt.Fprintf(os.Stderr, "gen-log: %s: %d entries in %d batches, checkpoints at sizes %v, %d proofs\n",
		dir, total, batches, sizes, len(g.proofs))
	return nil
}

type generator struct {
	dir      string
	name     string
	signer   note.Signer
	witness  ed25519.PrivateKey
	store    *memHashStore
	entries  [][]byte
	lastSize int64
	proofs   map[string]bool
	// extensions are checkpoint extension lines (tlog-checkpoint allows them, opaque).
	extensions []string
}

// batchEnds picks the tree size after each batch: the sizes around tile boundaries that
// are below total come first (so partial tiles of width 1 and 255 and exact full tiles
// occur), then random sizes; the last batch always ends at total.
func batchEnds(total, batches int64, rng *mrand.Rand) []int64 {
	chosen := map[int64]bool{total: true}
	for _, s := range []int64{1, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537} {
		if int64(len(chosen)) < batches && s < total {
			chosen[s] = true
		}
	}
	for int64(len(chosen)) < batches {
		chosen[1+rng.Int63n(total-1)] = true
	}
	var ends []int64
	for s := range chosen {
		ends = append(ends, s)
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i] < ends[j] })
	if total == 0 {
		return nil
	}
	return ends
}

// makeEntry returns entry i: mostly short binary records of random length, with an empty
// entry, a maximal (65,535-byte) entry and text-like entries mixed in.
func makeEntry(i int64, rng *mrand.Rand) []byte {
	var n int
	switch {
	case i%97 == 3:
		n = 0
	case i == 700:
		n = maxEntryBytes
	case i%13 == 0:
		return []byte(fmt.Sprintf("go x/mod interop entry %d\n", i))
	default:
		n = rng.Intn(300)
	}
	e := make([]byte, n)
	rng.Read(e)
	return e
}

// publish writes the tiles and bundles for growth from g.lastSize to size, then the
// signed checkpoint for size.
func (g *generator) publish(size int64) error {
	for _, t := range tlog.NewTiles(tileHeight, g.lastSize, size) {
		// NewTiles lists every intermediate partial width; tlog-tiles needs only the
		// full tiles and the partial tile of the size being checkpointed.
		if t.W != tileWidth && int64(t.W) != (size>>(uint(t.L)*tileHeight))%tileWidth {
			continue
		}
		data, err := tlog.ReadTileData(t, g.store)
		if err != nil {
			return err
		}
		if err := g.write(tilePath(t.L, t.N, t.W), data); err != nil {
			return err
		}
	}
	for k := g.lastSize / tileWidth; k*tileWidth < size; k++ {
		width := int(minInt64(tileWidth, size-k*tileWidth))
		if width < tileWidth && k*tileWidth+int64(width) <= g.lastSize {
			continue // unchanged partial bundle, already written
		}
		var bundle []byte
		for _, e := range g.entries[k*tileWidth : k*tileWidth+int64(width)] {
			var err error
			if bundle, err = appendEntry(bundle, e); err != nil {
				return err
			}
		}
		if err := g.write(entryBundlePath(k, width), bundle); err != nil {
			return err
		}
	}
	root, err := treeHash(size, g.store)
	if err != nil {
		return err
	}
	body := formatCheckpoint(g.name, size, root)
	for _, ext := range g.extensions {
		body += ext + "\n"
	}
	signed, err := note.Sign(&note.Note{Text: body}, g.signer)
	if err != nil {
		return err
	}
	if signed, err = cosign(signed, witnessName, g.witness, 1700000000+uint64(size)); err != nil {
		return err
	}
	if err := g.write(fmt.Sprintf("checkpoints/%d", size), signed); err != nil {
		return err
	}
	g.lastSize = size
	return g.write("checkpoint", signed)
}

// writeProofs writes x/mod inclusion proofs for a few entries at every checkpointed size,
// and consistency proofs between consecutive checkpoints and from each to the last.
func (g *generator) writeProofs(sizes []int64, rng *mrand.Rand) error {
	final := sizes[len(sizes)-1]
	for _, size := range sizes {
		if size == 0 {
			continue
		}
		idx := map[int64]bool{0: true, size - 1: true, size / 2: true, rng.Int63n(size): true}
		for i := range idx {
			p, err := tlog.ProveRecord(size, i, g.store)
			if err != nil {
				return err
			}
			root, err := treeHash(size, g.store)
			if err != nil {
				return err
			}
			j := inclusionJSON(i, size, tlog.RecordHash(g.entries[i]), root, p)
			if err := g.writeProof(fmt.Sprintf("proofs/inclusion-%d-%d.json", i, size), j); err != nil {
				return err
			}
		}
	}
	for k := 1; k < len(sizes); k++ {
		for _, pair := range [][2]int64{{sizes[k-1], sizes[k]}, {sizes[k], final}} {
			old, cur := pair[0], pair[1]
			if old == 0 || old == cur || g.proofs[fmt.Sprintf("proofs/consistency-%d-%d.json", old, cur)] {
				continue // no proof from the empty tree; same-size proofs are empty
			}
			p, err := tlog.ProveTree(cur, old, g.store)
			if err != nil {
				return err
			}
			oldRoot, err := treeHash(old, g.store)
			if err != nil {
				return err
			}
			newRoot, err := treeHash(cur, g.store)
			if err != nil {
				return err
			}
			j := consistencyJSON(old, cur, oldRoot, newRoot, p)
			if err := g.writeProof(fmt.Sprintf("proofs/consistency-%d-%d.json", old, cur), j); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) writeProof(path string, p *proofJSON) error {
	data, err := p.marshal()
	if err != nil {
		return err
	}
	g.proofs[path] = true
	return g.write(path, data)
}

func (g *generator) write(path string, data []byte) error {
	full := filepath.Join(g.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o644)
}
