// gen-proof-vectors: RFC 6962 inclusion and consistency proof vectors, made and judged by
// x/mod's tree code, for accord's verifiers (src/tlog/vectors_test.cc reads them; the
// build writes them to build/<preset>/testdata/merkle, interop/CMakeLists.txt).
//
// Layout of DIR, which must be absent or empty:
//
//	inclusion/<treeSize>-<leafIdx>.json
//	consistency/<size1>-<size2>.json
//
// Each file is a JSON array of the cases of one proof; a case is a vector in the JSON of
// transparency-dev/merkle's testdata (hashes are standard padded base64):
//
//	{"leafIdx":N,"treeSize":S,"root":"…","leafHash":"…","proof":[…],"desc":"…","wantErr":B}
//	{"size1":M,"size2":N,"root1":"…","root2":"…","proof":[…],"desc":"…","wantErr":B}
//
// Each proof x/mod makes (tlog.ProveRecord, tlog.ProveTree) is the "happy path" case;
// the other cases change one thing in it. wantErr is x/mod's verdict (tlog.CheckRecord,
// tlog.CheckTree; a hash that is not 32 bytes long fails before it). A case that must
// verify or must fail whatever the verifier — a bit flipped in a hash, a proof of the
// wrong length, an index past the tree, a tree of size 0 — stops the program if x/mod
// disagrees; a changed index or size is labelled as x/mod judges it (the same proof may
// prove a leaf of another tree whose root is the one given).
//
// The trees hold leaf i = "accord proof vector leaf i", leaf 0 the empty string.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

// vectorSizes covers trees of one leaf, powers of two, one less and one more, and a
// tree past the first full tile of 256 entries.
var vectorSizes = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33,
	127, 128, 129, 255, 256, 257, 1000, 1024, 1025}

// expect is what a case must get from x/mod.
type expect int

const (
	mustVerify expect = iota
	mustFail
	asXmodSays // a changed index or size: either outcome is possible
)

type inclusionVector struct {
	LeafIdx  int64    `json:"leafIdx"`
	TreeSize int64    `json:"treeSize"`
	Root     []byte   `json:"root"`
	LeafHash []byte   `json:"leafHash"`
	Proof    [][]byte `json:"proof"`
	Desc     string   `json:"desc"`
	WantErr  bool     `json:"wantErr"`
}

type consistencyVector struct {
	Size1   int64    `json:"size1"`
	Size2   int64    `json:"size2"`
	Root1   []byte   `json:"root1"`
	Root2   []byte   `json:"root2"`
	Proof   [][]byte `json:"proof"`
	Desc    string   `json:"desc"`
	WantErr bool     `json:"wantErr"`
}

// vectorWriter writes the vectors of one DIR and counts them.
type vectorWriter struct {
	dir                            string
	pending                        []interface{} // the cases of the proof being written
	inclusion, consistency         int
	inclusionFail, consistencyFail int
}

func runGenProofVectors(a *args) error {
	if err := a.positional(1); err != nil {
		return err
	}
	dir := a.pos[0]
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usagef("%s is not empty", dir)
	}
	store := &memHashStore{}
	maxSize := vectorSizes[len(vectorSizes)-1]
	for i := int64(0); i < maxSize; i++ {
		if err := store.append(i, vectorLeaf(i)); err != nil {
			return err
		}
	}
	w := &vectorWriter{dir: dir}
	if err := w.writeInclusion(store); err != nil {
		return err
	}
	if err := w.writeConsistency(store); err != nil {
		return err
	}
	fmt.Printf("ok: %d inclusion vectors (%d to fail) and %d consistency vectors (%d to fail) in %s\n",
		w.inclusion, w.inclusionFail, w.consistency, w.consistencyFail, dir)
	return nil
}

func vectorLeaf(i int64) []byte {
	if i == 0 {
		return nil
	}
	return []byte(fmt.Sprintf("accord proof vector leaf %d", i))
}

// inclusionIndexes are the leaves proved in a tree of size t: both ends, both sides of
// the split point of RFC 9162's recursion, the middle.
func inclusionIndexes(t int64) []int64 {
	candidates := []int64{0, 1, t / 2, t - 2, t - 1}
	if t > 1 {
		k := splitPoint(t)
		candidates = append(candidates, k-1, k)
	}
	return distinctBelow(candidates, 0, t)
}

// consistencyOldSizes are the old sizes proved against a tree of size n: every size of
// vectorSizes up to 17, and for larger trees the edges and a few sizes near powers of
// two.
func consistencyOldSizes(n int64) []int64 {
	var candidates []int64
	if n <= 17 {
		candidates = vectorSizes
	} else {
		candidates = []int64{1, 7, 8, 9, n / 2, n - 1, n}
	}
	return distinctBelow(candidates, 1, n+1)
}

// distinctBelow keeps the values in [lo, hi), each once, in order.
func distinctBelow(vs []int64, lo, hi int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, v := range vs {
		if v >= lo && v < hi && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// splitPoint is the largest power of two strictly less than n (n > 1): RFC 9162's k.
func splitPoint(n int64) int64 {
	k := int64(1)
	for k*2 < n {
		k *= 2
	}
	return k
}

func (w *vectorWriter) writeInclusion(store *memHashStore) error {
	// The empty tree has no leaves to prove.
	empty := inclusionVector{LeafIdx: 0, TreeSize: 0, Root: emptyRoot[:],
		LeafHash: hashBytes(tlog.RecordHash(vectorLeaf(0))), Proof: [][]byte{}}
	if err := w.inclusionCase(empty, "empty tree", mustFail); err != nil {
		return err
	}
	if err := w.flush("inclusion", "0-0"); err != nil {
		return err
	}
	for _, t := range vectorSizes {
		root, err := tlog.TreeHash(t, store)
		if err != nil {
			return err
		}
		for _, i := range inclusionIndexes(t) {
			p, err := tlog.ProveRecord(t, i, store)
			if err != nil {
				return fmt.Errorf("ProveRecord(%d, %d): %v", t, i, err)
			}
			happy := inclusionVector{LeafIdx: i, TreeSize: t, Root: root[:],
				LeafHash: hashBytes(tlog.RecordHash(vectorLeaf(i))), Proof: hashList(p)}
			for _, c := range inclusionCases(happy) {
				if err := w.inclusionCase(c.v, c.desc, c.want); err != nil {
					return err
				}
			}
			if err := w.flush("inclusion", fmt.Sprintf("%d-%d", t, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

type inclusionCase struct {
	desc string
	want expect
	v    inclusionVector
}

// inclusionCases are the happy path and the changes made to it.
func inclusionCases(h inclusionVector) []inclusionCase {
	change := func(f func(v *inclusionVector)) inclusionVector {
		v := h
		v.Proof = append([][]byte{}, h.Proof...)
		f(&v)
		return v
	}
	cases := []inclusionCase{
		{"happy path", mustVerify, h},
		{"wrong leaf", mustFail, change(func(v *inclusionVector) { v.LeafHash = flipped(v.LeafHash) })},
		{"wrong root", mustFail, change(func(v *inclusionVector) { v.Root = flipped(v.Root) })},
		{"leaf hash of 31 bytes", mustFail, change(func(v *inclusionVector) { v.LeafHash = v.LeafHash[1:] })},
		{"extra hash at the end", mustFail, change(func(v *inclusionVector) { v.Proof = append(v.Proof, garbageHash()) })},
		{"extra hash at the start", mustFail, change(func(v *inclusionVector) { v.Proof = append([][]byte{garbageHash()}, v.Proof...) })},
		{"leaf index equals tree size", mustFail, change(func(v *inclusionVector) { v.LeafIdx = v.TreeSize })},
		{"leaf index plus 1", asXmodSays, change(func(v *inclusionVector) { v.LeafIdx++ })},
		{"tree size plus 1", asXmodSays, change(func(v *inclusionVector) { v.TreeSize++ })},
		{"tree size minus 1", asXmodSays, change(func(v *inclusionVector) { v.TreeSize-- })},
	}
	if h.LeafIdx > 0 {
		cases = append(cases, inclusionCase{"leaf index minus 1", asXmodSays,
			change(func(v *inclusionVector) { v.LeafIdx-- })})
	}
	for _, pc := range proofChanges(len(h.Proof)) {
		cases = append(cases, inclusionCase{pc.desc, mustFail,
			change(func(v *inclusionVector) { v.Proof = pc.apply(v.Proof) })})
	}
	return cases
}

func (w *vectorWriter) inclusionCase(v inclusionVector, desc string, want expect) error {
	v.Desc = desc
	accepted := xmodAcceptsInclusion(v)
	if err := judged(accepted, want, desc, fmt.Sprintf("inclusion of leaf %d in tree %d", v.LeafIdx, v.TreeSize)); err != nil {
		return err
	}
	v.WantErr = !accepted
	w.inclusion++
	if v.WantErr {
		w.inclusionFail++
	}
	w.pending = append(w.pending, v)
	return nil
}

func (w *vectorWriter) writeConsistency(store *memHashStore) error {
	// A proof from the empty tree says nothing: x/mod and accord refuse it.
	for _, n := range []int64{0, 1, 8, 1025} {
		root, err := treeHash(n, store)
		if err != nil {
			return err
		}
		v := consistencyVector{Size1: 0, Size2: n, Root1: emptyRoot[:], Root2: root[:], Proof: [][]byte{}}
		if err := w.consistencyCase(v, "from the empty tree", mustFail); err != nil {
			return err
		}
		if err := w.flush("consistency", fmt.Sprintf("0-%d", n)); err != nil {
			return err
		}
	}
	for _, n := range vectorSizes {
		root2, err := tlog.TreeHash(n, store)
		if err != nil {
			return err
		}
		for _, m := range consistencyOldSizes(n) {
			root1, err := tlog.TreeHash(m, store)
			if err != nil {
				return err
			}
			p, err := tlog.ProveTree(n, m, store)
			if err != nil {
				return fmt.Errorf("ProveTree(%d, %d): %v", n, m, err)
			}
			happy := consistencyVector{Size1: m, Size2: n, Root1: root1[:], Root2: root2[:], Proof: hashList(p)}
			for _, c := range consistencyCases(happy) {
				if err := w.consistencyCase(c.v, c.desc, c.want); err != nil {
					return err
				}
			}
			if err := w.flush("consistency", fmt.Sprintf("%d-%d", m, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

type consistencyCase struct {
	desc string
	want expect
	v    consistencyVector
}

// consistencyCases are the happy path and the changes made to it.
func consistencyCases(h consistencyVector) []consistencyCase {
	change := func(f func(v *consistencyVector)) consistencyVector {
		v := h
		v.Proof = append([][]byte{}, h.Proof...)
		f(&v)
		return v
	}
	cases := []consistencyCase{
		{"happy path", mustVerify, h},
		{"wrong root1", mustFail, change(func(v *consistencyVector) { v.Root1 = flipped(v.Root1) })},
		{"wrong root2", mustFail, change(func(v *consistencyVector) { v.Root2 = flipped(v.Root2) })},
		{"root1 of 31 bytes", mustFail, change(func(v *consistencyVector) { v.Root1 = v.Root1[1:] })},
		{"extra hash at the end", mustFail, change(func(v *consistencyVector) { v.Proof = append(v.Proof, garbageHash()) })},
		{"extra hash at the start", mustFail, change(func(v *consistencyVector) { v.Proof = append([][]byte{garbageHash()}, v.Proof...) })},
		{"size2 plus 1", asXmodSays, change(func(v *consistencyVector) { v.Size2++ })},
		{"size1 minus 1", asXmodSays, change(func(v *consistencyVector) { v.Size1-- })},
	}
	if h.Size1 < h.Size2 {
		cases = append(cases,
			consistencyCase{"swapped roots", mustFail, change(func(v *consistencyVector) { v.Root1, v.Root2 = v.Root2, v.Root1 })},
			consistencyCase{"swapped sizes and roots", mustFail, change(func(v *consistencyVector) {
				v.Size1, v.Size2, v.Root1, v.Root2 = v.Size2, v.Size1, v.Root2, v.Root1
			})},
			consistencyCase{"size1 plus 1", asXmodSays, change(func(v *consistencyVector) { v.Size1++ })},
			consistencyCase{"size2 minus 1", asXmodSays, change(func(v *consistencyVector) { v.Size2-- })})
	}
	for _, pc := range proofChanges(len(h.Proof)) {
		cases = append(cases, consistencyCase{pc.desc, mustFail,
			change(func(v *consistencyVector) { v.Proof = pc.apply(v.Proof) })})
	}
	return cases
}

// proofChange is a change to a proof that any verifier must refuse.
type proofChange struct {
	desc  string
	apply func(p [][]byte) [][]byte // on a copy of the proof
}

// proofChanges are those of a proof of n hashes: a bit flipped in the first and in the
// last hash, the last hash dropped, every hash dropped, a hash of 31 bytes.
func proofChanges(n int) []proofChange {
	if n == 0 {
		return nil
	}
	at := func(k int, f func(h []byte) []byte) func(p [][]byte) [][]byte {
		return func(p [][]byte) [][]byte {
			p[k] = f(p[k])
			return p
		}
	}
	out := []proofChange{
		{"bit flipped in proof 0", at(0, flipped)},
		{"last hash dropped", func(p [][]byte) [][]byte { return p[:len(p)-1] }},
		{"proof 0 of 31 bytes", at(0, func(h []byte) []byte { return h[1:] })},
	}
	if n > 1 {
		out = append(out,
			proofChange{fmt.Sprintf("bit flipped in proof %d", n-1), at(n-1, flipped)},
			proofChange{"empty proof", func(p [][]byte) [][]byte { return p[:0] }})
	}
	return out
}

func (w *vectorWriter) consistencyCase(v consistencyVector, desc string, want expect) error {
	v.Desc = desc
	accepted := xmodAcceptsConsistency(v)
	if err := judged(accepted, want, desc, fmt.Sprintf("consistency of tree %d with tree %d", v.Size1, v.Size2)); err != nil {
		return err
	}
	v.WantErr = !accepted
	w.consistency++
	if v.WantErr {
		w.consistencyFail++
	}
	w.pending = append(w.pending, v)
	return nil
}

// judged checks x/mod's verdict against what the case must get.
func judged(accepted bool, want expect, desc, what string) error {
	switch {
	case want == mustVerify && !accepted:
		return fmt.Errorf("%s (%s): x/mod rejects a proof x/mod made", what, desc)
	case want == mustFail && accepted:
		return fmt.Errorf("%s (%s): x/mod accepts a proof no verifier may accept", what, desc)
	}
	return nil
}

// flush writes the cases made since the last flush to DIR/kind/name.json.
func (w *vectorWriter) flush(kind, name string) error {
	data, err := json.MarshalIndent(w.pending, "", "  ")
	if err != nil {
		return err
	}
	w.pending = nil
	dir := filepath.Join(w.dir, kind)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".json"), append(data, '\n'), 0o644)
}

// xmodAcceptsInclusion is x/mod's verdict on v; a hash of another length, or a panic
// inside x/mod, is a refusal.
func xmodAcceptsInclusion(v inclusionVector) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	root, rok := toHash(v.Root)
	leaf, lok := toHash(v.LeafHash)
	proof, pok := toHashes(v.Proof)
	return rok && lok && pok && tlog.CheckRecord(proof, v.TreeSize, root, v.LeafIdx, leaf) == nil
}

// xmodAcceptsConsistency is x/mod's verdict on v, as xmodAcceptsInclusion.
func xmodAcceptsConsistency(v consistencyVector) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	root1, ok1 := toHash(v.Root1)
	root2, ok2 := toHash(v.Root2)
	proof, pok := toHashes(v.Proof)
	return ok1 && ok2 && pok && tlog.CheckTree(proof, v.Size2, root2, v.Size1, root1) == nil
}

func toHash(b []byte) (tlog.Hash, bool) {
	var h tlog.Hash
	if len(b) != tlog.HashSize {
		return h, false
	}
	copy(h[:], b)
	return h, true
}

func toHashes(bs [][]byte) ([]tlog.Hash, bool) {
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		h, ok := toHash(b)
		if !ok {
			return nil, false
		}
		out[i] = h
	}
	return out, true
}

func hashBytes(h tlog.Hash) []byte { return append([]byte{}, h[:]...) }

func hashList(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i, h := range hs {
		out[i] = hashBytes(h)
	}
	return out
}

func flipped(b []byte) []byte {
	out := append([]byte{}, b...)
	out[0] ^= 1
	return out
}

func garbageHash() []byte { return hashBytes(tlog.RecordHash([]byte("not in the tree"))) }
