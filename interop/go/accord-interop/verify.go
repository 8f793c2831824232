// verify-log: checks a C2SP tiled log on disk with x/mod's tlog and note.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type verifySummary struct {
	Origin            string             `json:"origin"`
	TreeSize          int64              `json:"tree_size"`
	RootHash          string             `json:"root_hash"`
	VerifiedSigs      int                `json:"verified_signatures"`
	IgnoredSigs       int                `json:"ignored_signatures"`
	EntryBundles      int64              `json:"entry_bundles"`
	Entries           int64              `json:"entries"`
	TileFilesRead     int                `json:"tile_and_bundle_files_read"`
	TilesVerified     int                `json:"tiles_compared"`
	FullTileFallbacks int                `json:"full_tile_fallbacks"`
	InclusionProofs   int                `json:"inclusion_proofs_checked"`
	Seed              int64              `json:"seed"`
	OldCheckpoints    []oldCheckpointSum `json:"old_checkpoints"`
}

type oldCheckpointSum struct {
	File             string `json:"file"`
	TreeSize         int64  `json:"tree_size"`
	ConsistencyProof int    `json:"consistency_proof_hashes"`
}

// openCheckpoint reads a signed checkpoint, verifies it with v (signatures by other keys,
// such as witness cosignatures, are ignored as signed-note requires) and parses its body.
func openCheckpoint(file string, v note.Verifier) (checkpoint, *note.Note, error) {
	msg, err := os.ReadFile(file)
	if err != nil {
		return checkpoint{}, nil, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return checkpoint{}, nil, fmt.Errorf("%s: no valid signature by %s+%08x", file, v.Name(), v.KeyHash())
		}
		return checkpoint{}, nil, fmt.Errorf("%s: %v", file, err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, nil, fmt.Errorf("%s: %v", file, err)
	}
	return c, n, nil
}

func runVerifyLog(a *args) error {
	if err := a.positional(2); err != nil {
		return err
	}
	dir, vkey := a.pos[0], a.pos[1]
	samples, err := a.int("samples", 16)
	if err != nil {
		return err
	}
	seed, err := a.int("seed", 1)
	if err != nil {
		return err
	}
	if data, err := os.ReadFile(vkey); err == nil { // VKEY may name a file holding the key
		vkey = string(trimNewline(data))
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return usagef("verifier key %q: %v", vkey, err)
	}
	origin := a.str("origin", v.Name())

	c, n, err := openCheckpoint(dir+"/checkpoint", v)
	if err != nil {
		return err
	}
	if c.Origin != origin {
		return fmt.Errorf("checkpoint origin %q, want %q", c.Origin, origin)
	}
	s := &verifySummary{
		Origin: c.Origin, TreeSize: c.Size, RootHash: base64.StdEncoding.EncodeToString(c.Root[:]),
		VerifiedSigs: len(n.Sigs), IgnoredSigs: len(n.UnverifiedSigs), Seed: seed,
		OldCheckpoints: []oldCheckpointSum{},
	}
	r := newDirTileReader(dir)
	hr := tlog.TileHashReader(tlog.Tree{N: c.Size, Hash: c.Root}, r)

	// Every entry, then the whole tree rebuilt from them with x/mod. x/mod 0.7.0's
	// TileHashReader does not authenticate every tile it returns against its parent
	// (fixed upstream in x/mod v0.40.0, CVE-2026-56865), so rather than trust it, every
	// served tile is compared with the tile x/mod computes from the entries.
	store, leaves, err := checkEntries(r, c.Size, s, a.str("dump-entries", ""))
	if err != nil {
		return err
	}
	if root, err := treeHash(c.Size, store); err != nil || root != c.Root {
		return fmt.Errorf("the %d entries hash to root %s, the checkpoint says %s", c.Size, b64(root), b64(c.Root))
	}
	if err := checkTiles(r, store, c.Size, s); err != nil {
		return err
	}
	// The root once more, as a tile-reading client computes it.
	if root, err := treeHash(c.Size, hr); err != nil || root != c.Root {
		return fmt.Errorf("x/mod's TileHashReader does not yield the checkpoint root from the tiles: %v", err)
	}

	// Random inclusion proofs built from the tiles, always including the first and the last
	// entry; each must verify and equal the proof built from the rebuilt tree.
	if c.Size > 0 {
		rng := rand.New(rand.NewSource(seed))
		picks := []int64{0, c.Size - 1}
		for i := int64(0); i < samples; i++ {
			picks = append(picks, rng.Int63n(c.Size))
		}
		for _, i := range picks {
			p, err := tlog.ProveRecord(c.Size, i, hr)
			if err != nil {
				return fmt.Errorf("cannot build inclusion proof for entry %d from tiles: %v", i, err)
			}
			if err := tlog.CheckRecord(p, c.Size, c.Root, i, leaves[i]); err != nil {
				return fmt.Errorf("inclusion proof for entry %d in tree %d: %v", i, c.Size, err)
			}
			if want, _ := tlog.ProveRecord(c.Size, i, store); !equalHashes(p, want) {
				return fmt.Errorf("inclusion proof for entry %d from tiles differs from the rebuilt tree's", i)
			}
			s.InclusionProofs++
		}
	}

	for _, file := range a.flags["old-checkpoint"] {
		sum, err := checkOldCheckpoint(file, v, c, hr, r, store, leaves)
		if err != nil {
			return err
		}
		s.OldCheckpoints = append(s.OldCheckpoints, sum)
	}
	s.TileFilesRead, s.FullTileFallbacks = r.filesRead, r.fullFallbacks
	return printJSON(s)
}

// checkEntries reads every entry bundle of a tree of the given size, strictly, and
// rebuilds the tree from the entries with tlog.StoredHashes. Each entry's leaf hash must
// equal the one in the level-0 tile (checked here, before the tiles are, so that a fault
// is reported at the entry). It returns the rebuilt tree and the leaf hashes.
func checkEntries(r *dirTileReader, size int64, s *verifySummary, dump string) (*memHashStore, []tlog.Hash, error) {
	var out *bufio.Writer
	if dump != "" {
		f, err := os.Create(dump)
		if err != nil {
			return nil, nil, usagef("%v", err)
		}
		defer f.Close()
		out = bufio.NewWriter(f)
		defer out.Flush()
	}
	store := &memHashStore{hashes: make([]tlog.Hash, 0, tlog.StoredHashCount(size))}
	leaves := make([]tlog.Hash, 0, size)
	for k := int64(0); k*tileWidth < size; k++ {
		width := int(minInt64(tileWidth, size-k*tileWidth))
		entries, path, err := r.readEntryBundle(k, width)
		if err != nil {
			return nil, nil, err
		}
		tile, err := r.readTile(tlog.Tile{H: tileHeight, L: 0, N: k, W: width})
		if err != nil {
			return nil, nil, err
		}
		for j, e := range entries {
			i := k*tileWidth + int64(j)
			h := tlog.RecordHash(e)
			if !bytes.Equal(h[:], tile[j*tlog.HashSize:(j+1)*tlog.HashSize]) {
				return nil, nil, fmt.Errorf("entry %d (in %s) hashes to %s, level-0 tile %s holds %s", i, path,
					b64(h), tilePath(0, k, width), base64.StdEncoding.EncodeToString(tile[j*tlog.HashSize:(j+1)*tlog.HashSize]))
			}
			if err := store.append(i, e); err != nil {
				return nil, nil, err
			}
			leaves = append(leaves, h)
			if out != nil {
				fmt.Fprintln(out, base64.StdEncoding.EncodeToString(e))
			}
		}
		s.EntryBundles++
		s.Entries += int64(width)
	}
	return store, leaves, nil
}

// treeTiles lists the tiles of a tree of the given size: at each level, the full tiles
// and the partial tile of width floor(size / 256^level) mod 256, if not zero.
func treeTiles(size int64) []tlog.Tile {
	var tiles []tlog.Tile
	for level := 0; size>>(uint(level)*tileHeight) > 0; level++ {
		n := size >> (uint(level) * tileHeight)
		for k := int64(0); k < n/tileWidth; k++ {
			tiles = append(tiles, tlog.Tile{H: tileHeight, L: level, N: k, W: tileWidth})
		}
		if w := int(n % tileWidth); w > 0 {
			tiles = append(tiles, tlog.Tile{H: tileHeight, L: level, N: n / tileWidth, W: w})
		}
	}
	return tiles
}

// checkTiles compares every tile of the tree with the tile x/mod computes (tlog.ReadTileData)
// from the tree rebuilt from the entries.
func checkTiles(r *dirTileReader, store *memHashStore, size int64, s *verifySummary) error {
	for _, t := range treeTiles(size) {
		want, err := tlog.ReadTileData(t, store)
		if err != nil {
			return err
		}
		got, err := r.readTile(t)
		if err != nil {
			return err
		}
		for j := 0; j < t.W; j++ {
			if g, w := got[j*tlog.HashSize:(j+1)*tlog.HashSize], want[j*tlog.HashSize:(j+1)*tlog.HashSize]; !bytes.Equal(g, w) {
				return fmt.Errorf("tile %s: hash %d is %s, the tree built from the entries has %s",
					tilePath(t.L, t.N, t.W), j, base64.StdEncoding.EncodeToString(g), base64.StdEncoding.EncodeToString(w))
			}
		}
		s.TilesVerified++
	}
	return nil
}

func equalHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkOldCheckpoint checks an earlier signed checkpoint of the same log: a consistency
// proof from it to the current tree (built from the current tiles), the tiles the log
// serves for the old size (tlog-tiles requires partial tiles for every checkpoint size),
// and the old partial entry bundle.
func checkOldCheckpoint(file string, v note.Verifier, cur checkpoint, hr tlog.HashReader,
	r *dirTileReader, store *memHashStore, leaves []tlog.Hash) (oldCheckpointSum, error) {
	sum := oldCheckpointSum{File: file}
	old, _, err := openCheckpoint(file, v)
	if err != nil {
		return sum, fmt.Errorf("old checkpoint %v", err)
	}
	sum.TreeSize = old.Size
	if old.Origin != cur.Origin {
		return sum, fmt.Errorf("old checkpoint %s: origin %q, want %q", file, old.Origin, cur.Origin)
	}
	switch {
	case old.Size > cur.Size:
		return sum, fmt.Errorf("old checkpoint %s has size %d, larger than the current %d", file, old.Size, cur.Size)
	case old.Size == 0:
		if old.Root != emptyRoot {
			return sum, fmt.Errorf("old checkpoint %s: empty tree root %s, want SHA-256(\"\") %s", file, b64(old.Root), b64(emptyRoot))
		}
		return sum, nil
	case old.Size == cur.Size:
		if old.Root != cur.Root {
			return sum, fmt.Errorf("old checkpoint %s: same size %d, different root (a fork)", file, old.Size)
		}
	default:
		p, err := tlog.ProveTree(cur.Size, old.Size, hr)
		if err != nil {
			return sum, fmt.Errorf("cannot build consistency proof %d→%d from tiles: %v", old.Size, cur.Size, err)
		}
		if err := tlog.CheckTree(p, cur.Size, cur.Root, old.Size, old.Root); err != nil {
			return sum, fmt.Errorf("old checkpoint %s (size %d) is not consistent with size %d: %v",
				file, old.Size, cur.Size, err)
		}
		sum.ConsistencyProof = len(p)
	}
	if root, _ := treeHash(old.Size, store); root != old.Root {
		return sum, fmt.Errorf("old checkpoint %s: root of the first %d entries is %s, it says %s",
			file, old.Size, b64(root), b64(old.Root))
	}
	if err := checkTiles(r, store, old.Size, &verifySummary{}); err != nil {
		return sum, fmt.Errorf("tiles served for old size %d: %v", old.Size, err)
	}
	if width := int(old.Size % tileWidth); width != 0 {
		k := old.Size / tileWidth
		entries, path, err := r.readEntryBundle(k, width)
		if err != nil {
			return sum, fmt.Errorf("old size %d: %v", old.Size, err)
		}
		for j, e := range entries {
			if i := k*tileWidth + int64(j); tlog.RecordHash(e) != leaves[i] {
				return sum, fmt.Errorf("old size %d: entry %d in %s differs from the current log", old.Size, i, path)
			}
		}
	}
	return sum, nil
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func minInt64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}
