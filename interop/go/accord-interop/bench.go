// bench-append: the Go x/mod baseline for accord's tree-append benchmark.
//
// Appends N 256-byte entries in batches of B to an in-memory hash store with
// tlog.StoredHashes, and computes the root with tlog.TreeHash after every batch. Entry i
// is the 8-byte big-endian i repeated 32 times, as in accord's benchmark, so the final
// roots can be compared.
package main

import (
	"encoding/binary"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

type benchResult struct {
	Entries       int64   `json:"entries"`
	Batch         int64   `json:"batch"`
	Seconds       float64 `json:"seconds"`
	EntriesPerSec float64 `json:"entries_per_sec"`
	RootHash      string  `json:"root_hash"`
}

// benchEntry writes entry i into e (256 bytes).
func benchEntry(e []byte, i int64) {
	for off := 0; off < len(e); off += 8 {
		binary.BigEndian.PutUint64(e[off:], uint64(i))
	}
}

func runBenchAppend(a *args) error {
	if err := a.positional(0); err != nil {
		return err
	}
	n, err := a.int("entries", 1<<20)
	if err != nil || n < 1 {
		return usagef("--entries must be positive")
	}
	batch, err := a.int("batch", 1)
	if err != nil || batch < 1 {
		return usagef("--batch must be positive")
	}
	store := &memHashStore{hashes: make([]tlog.Hash, 0, tlog.StoredHashCount(n))}
	entry := make([]byte, 256)
	var root tlog.Hash

	start := time.Now()
	for i := int64(0); i < n; {
		end := minInt64(n, i+batch)
		for ; i < end; i++ {
			benchEntry(entry, i)
			hashes, err := tlog.StoredHashes(i, entry, store)
			if err != nil {
				return err
			}
			store.hashes = append(store.hashes, hashes...)
		}
		if root, err = tlog.TreeHash(end, store); err != nil {
			return err
		}
	}
	secs := time.Since(start).Seconds()

	return printJSON(benchResult{Entries: n, Batch: batch, Seconds: secs,
		EntriesPerSec: float64(n) / secs, RootHash: b64(root)})
}
