// verify-log: checks a C2SP tiled log on disk with x/mod's tlog and note.
package main

import (
	"bufio"
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
	TilesVerified     int                `json:"tiles_verified"`
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
	tree := tlog.Tree{N: c.Size, Hash: c.Root}
	hr := tlog.TileHashReader(tree, r)

	// The root: x/mod recomputes it from the tiles and authenticates them against it.
	root, err := treeHash(c.Size, hr)
	if err != nil {
		return fmt.Errorf("tiles do not yield the checkpoint root of size %d: %v", c.Size, err)
	}
	if root != c.Root {
		return fmt.Errorf("root from tiles %x, checkpoint says %x", root, c.Root)
	}

	// Every entry, against the authenticated level-0 hashes.
	leaves, err := checkEntries(r, hr, c.Size, s, a.str("dump-entries", ""))
	if err != nil {
		return err
	}

	// Random inclusion proofs, always including the first and the last entry.
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
			s.InclusionProofs++
		}
	}

	for _, file := range a.flags["old-checkpoint"] {
		sum, err := checkOldCheckpoint(file, v, c, hr, r, leaves)
		if err != nil {
			return err
		}
		s.OldCheckpoints = append(s.OldCheckpoints, sum)
	}
	s.TileFilesRead, s.FullTileFallbacks, s.TilesVerified = r.filesRead, r.fullFallbacks, len(r.verified)
	return printJSON(s)
}

// checkEntries reads every entry bundle of a tree of the given size and checks that each
// entry's RFC 6962 leaf hash equals the level-0 hash in the (authenticated) tiles. It
// returns the leaf hashes.
func checkEntries(r *dirTileReader, hr tlog.HashReader, size int64, s *verifySummary, dump string) ([]tlog.Hash, error) {
	var out *bufio.Writer
	if dump != "" {
		f, err := os.Create(dump)
		if err != nil {
			return nil, usagef("%v", err)
		}
		defer f.Close()
		out = bufio.NewWriter(f)
		defer out.Flush()
	}
	leaves := make([]tlog.Hash, 0, size)
	for k := int64(0); k*tileWidth < size; k++ {
		width := int(minInt64(tileWidth, size-k*tileWidth))
		entries, path, err := r.readEntryBundle(k, width)
		if err != nil {
			return nil, err
		}
		indexes := make([]int64, width)
		for j := range indexes {
			indexes[j] = tlog.StoredHashIndex(0, k*tileWidth+int64(j))
		}
		stored, err := hr.ReadHashes(indexes)
		if err != nil {
			return nil, fmt.Errorf("level-0 tile for entries %d..%d: %v", k*tileWidth, k*tileWidth+int64(width)-1, err)
		}
		for j, e := range entries {
			h := tlog.RecordHash(e)
			if h != stored[j] {
				return nil, fmt.Errorf("entry %d (in %s) hashes to %x, level-0 tile holds %x",
					k*tileWidth+int64(j), path, h, stored[j])
			}
			leaves = append(leaves, h)
			if out != nil {
				fmt.Fprintln(out, base64.StdEncoding.EncodeToString(e))
			}
		}
		s.EntryBundles++
		s.Entries += int64(width)
	}
	return leaves, nil
}

// checkOldCheckpoint checks an earlier signed checkpoint of the same log: a consistency
// proof from it to the current tree (built from the current tiles), the tiles the log
// serves for the old size (tlog-tiles requires partial tiles for every checkpoint size),
// and the old partial entry bundle.
func checkOldCheckpoint(file string, v note.Verifier, cur checkpoint, hr tlog.HashReader,
	r *dirTileReader, leaves []tlog.Hash) (oldCheckpointSum, error) {
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
			return sum, fmt.Errorf("old checkpoint %s: empty tree root %x, want SHA-256(\"\") %x", file, old.Root, emptyRoot)
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
	oldHR := tlog.TileHashReader(tlog.Tree{N: old.Size, Hash: old.Root}, r)
	if _, err := tlog.TreeHash(old.Size, oldHR); err != nil {
		return sum, fmt.Errorf("tiles served for old size %d do not yield its root: %v", old.Size, err)
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
