// The C2SP layer that x/mod 0.7.0 lacks, written from the specifications:
//
//   - c2sp.org/tlog-tiles: tile paths tile/<L>/<N>[.p/<W>] (no height element; height is
//     always 8) and entry bundles tile/entries/<N>[.p/<W>], a sequence of entries each
//     prefixed by its big-endian uint16 length.
//   - c2sp.org/tlog-checkpoint: the note body "origin\nsize\nbase64(root)\n[ext...]".
//   - c2sp.org/tlog-cosignature: Ed25519 witness cosignatures (signature type 0x04), which
//     gen-log adds so that verifiers are shown a signature from a key they do not know.
//
// x/mod's own paths (tile/H/L/..., tile/H/data/...) and its Go-sumdb tree note format
// (tlog.ParseTree) are deliberately not used.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

const (
	tileHeight    = 8
	tileWidth     = 1 << tileHeight // hashes in a full tile, entries in a full bundle
	maxEntryBytes = 0xffff          // an entry bundle length-prefixes entries with a uint16
)

// emptyRoot is the RFC 6962 Merkle Tree Hash of the empty tree, SHA-256 of no bytes.
// (x/mod's tlog.TreeHash returns all zeros for size 0, which is not RFC 6962.)
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// encodeTileIndex encodes N as zero-padded 3-digit path elements, all but the last
// prefixed with "x": 1234067 → "x001/x234/067".
func encodeTileIndex(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

// tilePath is the path of the level-L, index-N hash tile of width W (256 = full).
func tilePath(level int, n int64, width int) string {
	return fmt.Sprintf("tile/%d/%s%s", level, encodeTileIndex(n), partialSuffix(width))
}

// entryBundlePath is the path of the N-th entry bundle holding W entries (256 = full).
func entryBundlePath(n int64, width int) string {
	return "tile/entries/" + encodeTileIndex(n) + partialSuffix(width)
}

func partialSuffix(width int) string {
	if width == tileWidth {
		return ""
	}
	return fmt.Sprintf(".p/%d", width)
}

// checkpoint is the parsed body of a C2SP checkpoint.
type checkpoint struct {
	Origin     string
	Size       int64
	Root       tlog.Hash
	Extensions []string
}

// parseCheckpoint parses a checkpoint note text (as returned by note.Open, ending in a
// newline) strictly: three mandatory lines, decimal size without leading zeroes,
// canonical base64 of exactly 32 bytes, non-empty extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	var c checkpoint
	if !strings.HasSuffix(text, "\n") {
		return c, errors.New("checkpoint body does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("checkpoint body has %d lines, want at least 3", len(lines))
	}
	c.Origin = lines[0]
	if c.Origin == "" {
		return c, errors.New("checkpoint origin line is empty")
	}
	size := lines[1]
	if size == "" || (size[0] == '0' && size != "0") || strings.TrimLeft(size, "0123456789") != "" {
		return c, fmt.Errorf("checkpoint tree size %q is not a decimal without leading zeroes", size)
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil {
		return c, fmt.Errorf("checkpoint tree size %q: %v", size, err)
	}
	c.Size = n
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint root hash %q is not base64 of 32 bytes", lines[2])
	}
	copy(c.Root[:], root)
	for i, ext := range lines[3:] {
		if ext == "" {
			return c, fmt.Errorf("checkpoint extension line %d is empty", i+1)
		}
		c.Extensions = append(c.Extensions, ext)
	}
	return c, nil
}

// formatCheckpoint is the checkpoint body for a tree, without extension lines.
func formatCheckpoint(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// appendEntry appends one length-prefixed entry to an entry bundle.
func appendEntry(bundle, entry []byte) ([]byte, error) {
	if len(entry) > maxEntryBytes {
		return nil, fmt.Errorf("entry of %d bytes exceeds the %d-byte limit", len(entry), maxEntryBytes)
	}
	var prefix [2]byte
	binary.BigEndian.PutUint16(prefix[:], uint16(len(entry)))
	return append(append(bundle, prefix[:]...), entry...), nil
}

// parseEntryBundle splits an entry bundle that must hold exactly want entries, with no
// bytes left over. The returned entries alias data.
func parseEntryBundle(data []byte, want int) ([][]byte, error) {
	entries := make([][]byte, 0, want)
	for off := 0; off < len(data); {
		if len(entries) == want {
			return nil, fmt.Errorf("%d trailing bytes after entry %d at offset %d",
				len(data)-off, want-1, off)
		}
		if len(data)-off < 2 {
			return nil, fmt.Errorf("truncated length prefix of entry %d at offset %d", len(entries), off)
		}
		n := int(binary.BigEndian.Uint16(data[off:]))
		off += 2
		if len(data)-off < n {
			return nil, fmt.Errorf("entry %d at offset %d claims %d bytes, only %d remain",
				len(entries), off-2, n, len(data)-off)
		}
		entries = append(entries, data[off:off+n:off+n])
		off += n
	}
	if len(entries) != want {
		return nil, fmt.Errorf("bundle holds %d entries, want %d", len(entries), want)
	}
	return entries, nil
}

// cosign appends an Ed25519 witness cosignature (c2sp.org/tlog-cosignature, signature
// type 0x04) to a signed note: key ID = SHA-256(name || "\n" || 0x04 || public key)[:4],
// signature = timestamp (uint64, big-endian) || Ed25519 over
// "cosignature/v1\ntime <timestamp>\n" || note text.
func cosign(signed []byte, name string, key ed25519.PrivateKey, timestamp uint64) ([]byte, error) {
	split := bytes.LastIndex(signed, []byte("\n\n"))
	if split < 0 || !bytes.HasSuffix(signed, []byte("\n")) {
		return nil, errors.New("cosign: not a signed note")
	}
	text := signed[:split+1]
	msg := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", timestamp)), text...)
	id := sha256.Sum256(append(append([]byte(name+"\n"), 0x04), key.Public().(ed25519.PublicKey)...))
	sig := make([]byte, 0, 4+8+ed25519.SignatureSize)
	sig = append(sig, id[:4]...)
	sig = binary.BigEndian.AppendUint64(sig, timestamp)
	sig = append(sig, ed25519.Sign(key, msg)...)
	line := "— " + name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
	return append(append([]byte{}, signed...), line...), nil
}
