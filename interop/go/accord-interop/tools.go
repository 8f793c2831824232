// Small helpers for interop/checks.sh: precise corruption, and the entries accord's
// `log append` contract says an input should become.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// runFlipBit flips the lowest bit of the byte at OFFSET (from the end if negative).
func runFlipBit(a *args) error {
	if err := a.positional(2); err != nil {
		return err
	}
	file := a.pos[0]
	off, err := strconv.Atoi(a.pos[1])
	if err != nil {
		return usagef("offset %q is not an integer", a.pos[1])
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if off < 0 {
		off += len(data)
	}
	if off < 0 || off >= len(data) {
		return usagef("offset %s outside %s (%d bytes)", a.pos[1], file, len(data))
	}
	data[off] ^= 1
	return os.WriteFile(file, data, 0o644)
}

// runFlipSig flips a bit inside the signature bytes (past the 4-byte key ID) of the first
// signature line of a signed note, keeping the base64 well formed, so that only the
// Ed25519 verification can notice. With --key-id it flips a bit of the key ID instead, so
// that the signature no longer claims to be by the log's key.
func runFlipSig(a *args) error {
	if err := a.positional(1); err != nil {
		return err
	}
	file := a.pos[0]
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	split := bytes.LastIndex(data, []byte("\n\n"))
	if split < 0 {
		return fmt.Errorf("%s is not a signed note", file)
	}
	sigs := data[split+2:]
	end := bytes.IndexByte(sigs, '\n')
	if end < 0 {
		return fmt.Errorf("%s: malformed signature line", file)
	}
	sp := bytes.LastIndexByte(sigs[:end], ' ')
	if sp < 0 {
		return fmt.Errorf("%s: malformed signature line", file)
	}
	raw, err := base64.StdEncoding.DecodeString(string(sigs[sp+1 : end]))
	if err != nil || len(raw) < 4+32 {
		return fmt.Errorf("%s: signature is not base64 of a key ID and a signature", file)
	}
	if a.has("key-id") {
		raw[3] ^= 1
	} else {
		raw[4+20] ^= 1
	}
	var out bytes.Buffer
	out.Write(data[:split+2])
	out.Write(sigs[:sp+1])
	out.WriteString(base64.StdEncoding.EncodeToString(raw))
	out.Write(sigs[end:])
	return os.WriteFile(file, out.Bytes(), 0o644)
}

// runExpectEntries prints base64 of each entry, one a line, that accord's `log append`
// should make of its input: --lines FILE: one entry per line, without its newline, a
// final newline not starting another entry; --raw FILE...: each file whole.
func runExpectEntries(a *args) error {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	emit := func(e []byte) { fmt.Fprintln(w, base64.StdEncoding.EncodeToString(e)) }
	switch {
	case a.has("lines") && !a.has("raw") && len(a.pos) == 1:
		data, err := os.ReadFile(a.pos[0])
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return nil
		}
		data = bytes.TrimSuffix(data, []byte("\n"))
		for _, line := range bytes.Split(data, []byte("\n")) {
			emit(line)
		}
	case a.has("raw") && !a.has("lines") && len(a.pos) > 0:
		for _, file := range a.pos {
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			emit(data)
		}
	default:
		return usagef("give --lines FILE or --raw FILE...")
	}
	return nil
}

// runForgeEntry rewrites entry INDEX of the log in DIR (it must lie in a full entry
// bundle) and the matching hash of its level-0 tile, leaving the tiles above untouched:
// the forgery a verifier catches only if it authenticates each tile against its parent.
func runForgeEntry(a *args) error {
	if err := a.positional(2); err != nil {
		return err
	}
	dir := a.pos[0]
	index, err := strconv.ParseInt(a.pos[1], 10, 64)
	if err != nil || index < 0 {
		return usagef("index %q is not a non-negative integer", a.pos[1])
	}
	k, j := index/tileWidth, int(index%tileWidth)
	bundleFile := filepath.Join(dir, entryBundlePath(k, tileWidth))
	tileFile := filepath.Join(dir, tilePath(0, k, tileWidth))
	data, err := os.ReadFile(bundleFile)
	if err != nil {
		return err
	}
	entries, err := parseEntryBundle(data, tileWidth)
	if err != nil {
		return err
	}
	forged := append([]byte("forged:"), entries[j]...)
	var bundle []byte
	for i, e := range entries {
		if i == j {
			e = forged
		}
		if bundle, err = appendEntry(bundle, e); err != nil {
			return err
		}
	}
	tile, err := os.ReadFile(tileFile)
	if err != nil {
		return err
	}
	if len(tile) != tileWidth*tlog.HashSize {
		return fmt.Errorf("%s is not a full tile", tileFile)
	}
	h := tlog.RecordHash(forged)
	copy(tile[j*tlog.HashSize:], h[:])
	if err := os.WriteFile(bundleFile, bundle, 0o644); err != nil {
		return err
	}
	return os.WriteFile(tileFile, tile, 0o644)
}

// runSignNote signs the text in FILE (which must end in a newline) with the note private
// key in KEYFILE ("PRIVATE+KEY+name+hash+key", the format accord keygen writes) and prints
// the signed note.
func runSignNote(a *args) error {
	if err := a.positional(2); err != nil {
		return err
	}
	skey, err := os.ReadFile(a.pos[0])
	if err != nil {
		return err
	}
	signer, err := note.NewSigner(string(trimNewline(skey)))
	if err != nil {
		return fmt.Errorf("%s: x/mod cannot read the private key: %v", a.pos[0], err)
	}
	text, err := os.ReadFile(a.pos[1])
	if err != nil {
		return err
	}
	signed, err := note.Sign(&note.Note{Text: string(text)}, signer)
	if err != nil {
		return fmt.Errorf("%s: %v", a.pos[1], err)
	}
	_, err = os.Stdout.Write(signed)
	return err
}
