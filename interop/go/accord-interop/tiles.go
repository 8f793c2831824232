// Reading a C2SP tiled log from a directory, and an in-memory hash store.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

// dirTileReader is a tlog.TileReader over a directory laid out as c2sp.org/tlog-tiles.
// It maps x/mod's tlog.Tile{H: 8, L, N, W} to tile/<L>/<N>[.p/<W>]. When a partial tile
// is absent but the full tile exists, it serves the first W hashes of the full one, as
// tlog-tiles allows a log to delete partial tiles once the full tile is available.
// Tiles are read once and cached. Nothing here authenticates them: verify-log compares
// each one with the tile x/mod computes from the entries.
type dirTileReader struct {
	dir           string
	cache         map[tlog.Tile][]byte
	filesRead     int
	fullFallbacks int
}

func newDirTileReader(dir string) *dirTileReader {
	return &dirTileReader{dir: dir, cache: map[tlog.Tile][]byte{}}
}

func (r *dirTileReader) Height() int { return tileHeight }

func (r *dirTileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := r.readTile(t)
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

// SaveTiles is x/mod's signal that it authenticated the tiles against the tree hash; in
// x/mod 0.7.0 that signal is not fully reliable (see verify.go), so it is not used.
func (r *dirTileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func (r *dirTileReader) readTile(t tlog.Tile) ([]byte, error) {
	if data, ok := r.cache[t]; ok {
		return data, nil
	}
	if t.H != tileHeight || t.L < 0 || t.L > 63 || t.W < 1 || t.W > tileWidth {
		return nil, fmt.Errorf("x/mod asked for an impossible tile %+v", t)
	}
	data, fallback, err := r.readServed(tilePath(t.L, t.N, t.W), tilePath(t.L, t.N, tileWidth), t.W)
	if err != nil {
		return nil, err
	}
	if want := t.W * tlog.HashSize; !fallback && len(data) != want {
		return nil, fmt.Errorf("tile %s holds %d bytes, want %d", tilePath(t.L, t.N, t.W), len(data), want)
	}
	if fallback {
		if len(data) != tileWidth*tlog.HashSize {
			return nil, fmt.Errorf("tile %s holds %d bytes, want %d",
				tilePath(t.L, t.N, tileWidth), len(data), tileWidth*tlog.HashSize)
		}
		data = data[:t.W*tlog.HashSize]
	}
	r.cache[t] = data
	return data, nil
}

// readServed reads the resource at path; if it is an absent partial resource (width <
// 256), it reads the full resource at fullPath instead and reports fallback = true.
func (r *dirTileReader) readServed(path, fullPath string, width int) (data []byte, fallback bool, err error) {
	data, err = os.ReadFile(filepath.Join(r.dir, path))
	if err == nil {
		r.filesRead++
		return data, false, nil
	}
	if width == tileWidth || !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("cannot read %s: %v", path, err)
	}
	data, err2 := os.ReadFile(filepath.Join(r.dir, fullPath))
	if err2 != nil {
		return nil, false, fmt.Errorf("cannot read %s (%v), nor the full %s (%v)", path, err, fullPath, err2)
	}
	r.filesRead++
	r.fullFallbacks++
	return data, true, nil
}

// readEntryBundle reads and strictly parses the bundle of entries
// [n*256, n*256+width), falling back to the full bundle when a partial one is absent.
func (r *dirTileReader) readEntryBundle(n int64, width int) ([][]byte, string, error) {
	path := entryBundlePath(n, width)
	data, fallback, err := r.readServed(path, entryBundlePath(n, tileWidth), width)
	if err != nil {
		return nil, path, err
	}
	if fallback {
		path = entryBundlePath(n, tileWidth)
		entries, err := parseEntryBundle(data, tileWidth)
		if err != nil {
			return nil, path, fmt.Errorf("entry bundle %s: %v", path, err)
		}
		return entries[:width], path, nil
	}
	entries, err := parseEntryBundle(data, width)
	if err != nil {
		return nil, path, fmt.Errorf("entry bundle %s: %v", path, err)
	}
	return entries, path, nil
}

// memHashStore holds a tree's stored hashes (x/mod's dense "stored hash index" order)
// in memory: the hash store of gen-log and of the bench-append baseline.
type memHashStore struct {
	hashes []tlog.Hash
}

func (s *memHashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s.hashes)) {
			return nil, fmt.Errorf("stored hash %d not written yet (have %d)", x, len(s.hashes))
		}
		out[i] = s.hashes[x]
	}
	return out, nil
}

// append integrates record n with leaf data into the tree; n must be the current size.
func (s *memHashStore) append(n int64, data []byte) error {
	if want := tlog.StoredHashIndex(0, n); int64(len(s.hashes)) != want {
		return fmt.Errorf("record %d: store holds %d hashes, want %d", n, len(s.hashes), want)
	}
	hashes, err := tlog.StoredHashes(n, data, s)
	if err != nil {
		return err
	}
	s.hashes = append(s.hashes, hashes...)
	return nil
}

// treeHash is the RFC 6962 root of the first n records, including n = 0.
func treeHash(n int64, r tlog.HashReader) (tlog.Hash, error) {
	if n == 0 {
		return emptyRoot, nil
	}
	return tlog.TreeHash(n, r)
}
