// accord's proof JSON, checked with x/mod's tlog.CheckRecord and tlog.CheckTree.
//
//	{"type":"inclusion","index":N,"tree_size":S,"leaf_hash":"…","root_hash":"…","hashes":[…]}
//	{"type":"consistency","old_size":M,"new_size":N,"old_root":"…","new_root":"…","hashes":[…]}
//
// Hashes are standard padded base64. The hash lists are RFC 6962 audit paths and
// consistency proofs (RFC 9162 PATH and PROOF), in the order x/mod uses. accord may add
// "checkpoint": the signed checkpoint of the tree the proof ends at.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type proofJSON struct {
	Type     string   `json:"type"`
	Index    *int64   `json:"index,omitempty"`
	TreeSize *int64   `json:"tree_size,omitempty"`
	LeafHash string   `json:"leaf_hash,omitempty"`
	RootHash string   `json:"root_hash,omitempty"`
	OldSize  *int64   `json:"old_size,omitempty"`
	NewSize  *int64   `json:"new_size,omitempty"`
	OldRoot  string   `json:"old_root,omitempty"`
	NewRoot  string   `json:"new_root,omitempty"`
	Hashes   []string `json:"hashes"`
	// Checkpoint optionally carries the signed checkpoint of the tree the proof ends at.
	Checkpoint string `json:"checkpoint,omitempty"`
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func b64List(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}

func inclusionJSON(index, size int64, leaf, root tlog.Hash, p tlog.RecordProof) *proofJSON {
	return &proofJSON{Type: "inclusion", Index: &index, TreeSize: &size,
		LeafHash: b64(leaf), RootHash: b64(root), Hashes: b64List(p)}
}

func consistencyJSON(oldSize, newSize int64, oldRoot, newRoot tlog.Hash, p tlog.TreeProof) *proofJSON {
	return &proofJSON{Type: "consistency", OldSize: &oldSize, NewSize: &newSize,
		OldRoot: b64(oldRoot), NewRoot: b64(newRoot), Hashes: b64List(p)}
}

func (p *proofJSON) marshal() ([]byte, error) {
	data, err := json.MarshalIndent(p, "", "  ")
	return append(data, '\n'), err
}

func readProof(file string) (*proofJSON, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var p proofJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return &p, nil
}

func parseHash(field, s string) (tlog.Hash, error) {
	var h tlog.Hash
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) != tlog.HashSize {
		return h, fmt.Errorf("%s %q is not base64 of 32 bytes", field, s)
	}
	copy(h[:], raw)
	return h, nil
}

func parseHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		h, err := parseHash(fmt.Sprintf("hashes[%d]", i), s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// checkProof verifies p with x/mod and returns the (size, root) pairs it vouches for.
func checkProof(p *proofJSON) (map[int64]tlog.Hash, error) {
	hashes, err := parseHashes(p.Hashes)
	if err != nil {
		return nil, err
	}
	switch p.Type {
	case "inclusion":
		if p.Index == nil || p.TreeSize == nil || p.OldSize != nil || p.NewSize != nil {
			return nil, fmt.Errorf("inclusion proof needs index and tree_size only")
		}
		leaf, err := parseHash("leaf_hash", p.LeafHash)
		if err != nil {
			return nil, err
		}
		root, err := parseHash("root_hash", p.RootHash)
		if err != nil {
			return nil, err
		}
		if err := tlog.CheckRecord(hashes, *p.TreeSize, root, *p.Index, leaf); err != nil {
			return nil, fmt.Errorf("inclusion of entry %d in tree %d: %v", *p.Index, *p.TreeSize, err)
		}
		return map[int64]tlog.Hash{*p.TreeSize: root}, nil
	case "consistency":
		if p.OldSize == nil || p.NewSize == nil || p.Index != nil || p.TreeSize != nil {
			return nil, fmt.Errorf("consistency proof needs old_size and new_size only")
		}
		oldRoot, err := parseHash("old_root", p.OldRoot)
		if err != nil {
			return nil, err
		}
		newRoot, err := parseHash("new_root", p.NewRoot)
		if err != nil {
			return nil, err
		}
		if err := tlog.CheckTree(hashes, *p.NewSize, newRoot, *p.OldSize, oldRoot); err != nil {
			return nil, fmt.Errorf("consistency of tree %d with tree %d: %v", *p.OldSize, *p.NewSize, err)
		}
		return map[int64]tlog.Hash{*p.OldSize: oldRoot, *p.NewSize: newRoot}, nil
	}
	return nil, fmt.Errorf("unknown proof type %q", p.Type)
}

// runCheckProof verifies a proof and, given checkpoints, that its roots are the roots the
// log signed: each checkpoint's size must be one the proof speaks of, with the same root.
func runCheckProof(a *args) error {
	if err := a.positional(1); err != nil {
		return err
	}
	if a.has("checkpoint") && !a.has("vkey") {
		return usagef("--checkpoint needs --vkey")
	}
	bound := 0
	p, err := readProof(a.pos[0])
	if err != nil {
		return err
	}
	roots, err := safeCheckProof(p)
	if err != nil {
		return fmt.Errorf("%s: %v", a.pos[0], err)
	}
	if a.has("vkey") {
		vkey := a.str("vkey", "")
		if data, err := os.ReadFile(vkey); err == nil {
			vkey = string(trimNewline(data))
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return usagef("verifier key %q: %v", vkey, err)
		}
		for _, file := range a.flags["checkpoint"] {
			c, _, err := openCheckpoint(file, v)
			if err != nil {
				return err
			}
			if err := bindCheckpoint(roots, c, file); err != nil {
				return fmt.Errorf("%s: %v", a.pos[0], err)
			}
			bound++
		}
		// The checkpoint the proof carries, if any, must be signed and be the tree the
		// proof ends at.
		if p.Checkpoint != "" {
			end := p.NewSize
			if p.Type == "inclusion" {
				end = p.TreeSize
			}
			n, err := note.Open([]byte(p.Checkpoint), note.VerifierList(v))
			if err != nil {
				return fmt.Errorf("%s: embedded checkpoint: %v", a.pos[0], err)
			}
			c, err := parseCheckpoint(n.Text)
			if err != nil {
				return fmt.Errorf("%s: embedded checkpoint: %v", a.pos[0], err)
			}
			if c.Size != *end {
				return fmt.Errorf("%s: embedded checkpoint has size %d, the proof ends at %d", a.pos[0], c.Size, *end)
			}
			if err := bindCheckpoint(roots, c, "the embedded checkpoint"); err != nil {
				return fmt.Errorf("%s: %v", a.pos[0], err)
			}
			bound++
		}
	}
	fmt.Printf("ok: %s proof %s, bound to %d signed checkpoint(s)\n", p.Type, a.pos[0], bound)
	return nil
}

// bindCheckpoint requires the signed checkpoint c to be of a size the proof covers, with
// the same root.
func bindCheckpoint(roots map[int64]tlog.Hash, c checkpoint, what string) error {
	root, ok := roots[c.Size]
	if !ok {
		return fmt.Errorf("%s has size %d, not a size the proof covers", what, c.Size)
	}
	if root != c.Root {
		return fmt.Errorf("root for size %d differs from %s", c.Size, what)
	}
	return nil
}

// safeCheckProof turns a panic inside x/mod on hostile input into an error.
func safeCheckProof(p *proofJSON) (roots map[int64]tlog.Hash, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("x/mod panicked: %v", r)
		}
	}()
	return checkProof(p)
}

// runFlipProof flips the lowest bit of the first byte of one hash of a proof, in place.
func runFlipProof(a *args) error {
	if err := a.positional(2); err != nil {
		return err
	}
	file, field := a.pos[0], a.pos[1]
	p, err := readProof(file)
	if err != nil {
		return err
	}
	var target *string
	switch field {
	case "leaf_hash":
		target = &p.LeafHash
	case "root_hash":
		target = &p.RootHash
	case "old_root":
		target = &p.OldRoot
	case "new_root":
		target = &p.NewRoot
	default:
		k, err := strconv.Atoi(strings.TrimPrefix(field, "hashes."))
		if !strings.HasPrefix(field, "hashes.") || err != nil || k < 0 || k >= len(p.Hashes) {
			return usagef("no field %q in %s (it has %d hashes)", field, file, len(p.Hashes))
		}
		target = &p.Hashes[k]
	}
	h, err := parseHash(field, *target)
	if err != nil {
		return err
	}
	h[0] ^= 1
	*target = b64(h)
	data, err := p.marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(file, data, 0o644)
}
