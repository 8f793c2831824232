package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func TestTilePaths(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{tilePath(0, 0, 256), "tile/0/000"},
		{tilePath(0, 0, 15), "tile/0/000.p/15"},
		{tilePath(1, 999, 1), "tile/1/999.p/1"},
		{tilePath(2, 1000, 256), "tile/2/x001/000"},
		{tilePath(0, 1234067, 256), "tile/0/x001/x234/067"},
		{entryBundlePath(1234067, 7), "tile/entries/x001/x234/067.p/7"},
		{entryBundlePath(5, 256), "tile/entries/005"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	// C2SP drops x/mod's height element and otherwise encodes N the same way.
	x := tlog.Tile{H: 8, L: 3, N: 1234067, W: 9}.Path()
	if want := "tile/8/" + strings.TrimPrefix(tilePath(3, 1234067, 9), "tile/"); x != want {
		t.Errorf("x/mod path %s, want %s", x, want)
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	good := "example.com/log\n42\n" + root + "\n"
	c, err := parseCheckpoint(good + "ext one\n")
	if err != nil || c.Origin != "example.com/log" || c.Size != 42 || len(c.Extensions) != 1 {
		t.Fatalf("parseCheckpoint(good) = %+v, %v", c, err)
	}
	for name, bad := range map[string]string{
		"no final newline": strings.TrimSuffix(good, "\n"),
		"two lines":        "example.com/log\n42\n",
		"empty origin":     "\n42\n" + root + "\n",
		"leading zero":     "o\n042\n" + root + "\n",
		"negative size":    "o\n-1\n" + root + "\n",
		"size overflow":    "o\n9223372036854775808\n" + root + "\n",
		"short hash":       "o\n1\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n",
		"unpadded hash":    "o\n1\n" + strings.TrimRight(root, "=") + "\n",
		"empty extension":  good + "\n",
	} {
		if _, err := parseCheckpoint(bad); err == nil {
			t.Errorf("%s: accepted %q", name, bad)
		}
	}
}

func TestEntryBundles(t *testing.T) {
	var b []byte
	var err error
	for _, e := range []string{"one", "", "three"} {
		if b, err = appendEntry(b, []byte(e)); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := parseEntryBundle(b, 3)
	if err != nil || len(entries) != 3 || string(entries[2]) != "three" || len(entries[1]) != 0 {
		t.Fatalf("parseEntryBundle = %q, %v", entries, err)
	}
	for name, c := range map[string]struct {
		data []byte
		want int
	}{
		"too few":          {b, 4},
		"too many":         {b, 2},
		"trailing byte":    {append(append([]byte{}, b...), 0), 3},
		"truncated entry":  {b[:len(b)-1], 3},
		"truncated prefix": {append(append([]byte{}, b...), 0), 4},
	} {
		if _, err := parseEntryBundle(c.data, c.want); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := appendEntry(nil, make([]byte, 65536)); err == nil {
		t.Error("appendEntry accepted 65,536 bytes")
	}
	if b, err := appendEntry(nil, make([]byte, 65535)); err != nil || !bytes.Equal(b[:2], []byte{0xff, 0xff}) {
		t.Errorf("appendEntry(65,535 bytes) = %x…, %v", b[:2], err)
	}
}

// The tree code in use must hash as RFC 6962 does; the empty tree is special-cased here.
func TestRFC6962Hashes(t *testing.T) {
	if emptyRoot != sha256.Sum256(nil) {
		t.Error("empty root is not SHA-256 of nothing")
	}
	if got, want := tlog.RecordHash([]byte("x")), sha256.Sum256([]byte("\x00x")); got != want {
		t.Errorf("RecordHash = %x, want %x", got, want)
	}
	s := &memHashStore{}
	for i := int64(0); i < 3; i++ {
		if err := s.append(i, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	l := func(b byte) tlog.Hash { return tlog.RecordHash([]byte{b}) }
	want := tlog.NodeHash(tlog.NodeHash(l(0), l(1)), l(2))
	if got, _ := treeHash(3, s); got != want {
		t.Errorf("root of 3 = %x, want %x", got, want)
	}
}

// A cosignature must leave the log's own signature verifiable, and be ignored by x/mod
// as a signature from an unknown key.
func TestCosignIsIgnored(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "example.com/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	signed, err := note.Sign(&note.Note{Text: formatCheckpoint("example.com/log", 0, emptyRoot)}, signer)
	if err != nil {
		t.Fatal(err)
	}
	_, wkey, _ := ed25519.GenerateKey(rand.Reader)
	cosigned, err := cosign(signed, witnessName, wkey, 1700000000)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cosigned, note.VerifierList(verifier))
	if err != nil || len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 1 {
		t.Fatalf("Open(cosigned) = %+v, %v", n, err)
	}
	sig, _ := base64.StdEncoding.DecodeString(n.UnverifiedSigs[0].Base64)
	msg := "cosignature/v1\ntime 1700000000\n" + n.Text
	if len(sig) != 76 || binary.BigEndian.Uint64(sig[4:]) != 1700000000 ||
		!ed25519.Verify(wkey.Public().(ed25519.PublicKey), []byte(msg), sig[12:]) {
		t.Error("cosignature does not verify as c2sp.org/tlog-cosignature")
	}
}
