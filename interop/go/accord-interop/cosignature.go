// verify-cosigned: checks a witnessed checkpoint (c2sp.org/tlog-cosignature,
// cosignature/v1) with x/mod's note parsing and signature-line handling and Go's
// crypto/ed25519. x/mod knows only Ed25519 note keys (type 0x01), so the cosignature/v1
// verifier (type 0x04) is written here, from the spec:
//
//	key hash  = SHA-256(name || 0x0A || 0x04 || public key)[:4]
//	signature = 8-byte big-endian timestamp || Ed25519 signature over
//	            "cosignature/v1\ntime <timestamp>\n" || checkpoint note text
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

const cosignatureV1Type = 0x04

func init() {
	commands["verify-cosigned"] = command{runVerifyCosigned,
		"verify-cosigned FILE --log-vkey VKEY --witness-vkey VKEY... [--origin ORIGIN]   (a checkpoint cosigned by every witness)",
		map[string]bool{"log-vkey": true, "witness-vkey": true, "origin": true}}
}

type cosignatureV1Verifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosignatureV1Verifier) Name() string    { return v.name }
func (v *cosignatureV1Verifier) KeyHash() uint32 { return v.hash }

func (v *cosignatureV1Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t > 1<<63-1 {
		return false
	}
	signed := append([]byte("cosignature/v1\ntime "+strconv.FormatUint(t, 10)+"\n"), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}

// newCosignatureV1Verifier parses a type 0x04 verifier key "<name>+<hash>+<base64>".
func newCosignatureV1Verifier(vkey string) (*cosignatureV1Verifier, error) {
	name, rest, ok1 := strings.Cut(vkey, "+")
	hexHash, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || name == "" || len(hexHash) != 8 {
		return nil, fmt.Errorf("malformed witness verifier key %q", vkey)
	}
	h, err := strconv.ParseUint(hexHash, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("malformed key hash in %q", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != cosignatureV1Type {
		return nil, fmt.Errorf("%q is not a cosignature/v1 Ed25519 key", vkey)
	}
	sum := sha256.Sum256(append([]byte(name+"\n"), raw...))
	if binary.BigEndian.Uint32(sum[:4]) != uint32(h) {
		return nil, fmt.Errorf("key hash of %q does not match its name and key", vkey)
	}
	return &cosignatureV1Verifier{name, uint32(h), ed25519.PublicKey(raw[1:])}, nil
}

func runVerifyCosigned(a *args) error {
	if len(a.pos) != 1 || len(a.flags["log-vkey"]) != 1 || len(a.flags["witness-vkey"]) == 0 {
		return usagef("need FILE, one --log-vkey and at least one --witness-vkey")
	}
	logV, err := note.NewVerifier(a.flags["log-vkey"][0])
	if err != nil {
		return usagef("--log-vkey: %v", err)
	}
	verifiers := []note.Verifier{logV}
	for _, vk := range a.flags["witness-vkey"] {
		w, err := newCosignatureV1Verifier(vk)
		if err != nil {
			return usagef("--witness-vkey: %v", err)
		}
		verifiers = append(verifiers, w)
	}
	msg, err := os.ReadFile(a.pos[0])
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		return fmt.Errorf("x/mod note.Open: %v", err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return err
	}
	origin := logV.Name()
	if o := a.flags["origin"]; len(o) == 1 {
		origin = o[0]
	}
	if c.Origin != origin {
		return fmt.Errorf("origin %q, want %q", c.Origin, origin)
	}
	signed := map[string]bool{}
	for _, s := range n.Sigs {
		signed[s.Name] = true
	}
	for _, v := range verifiers {
		if !signed[v.Name()] {
			return fmt.Errorf("no valid signature by %s", v.Name())
		}
	}
	fmt.Printf("ok: %s size %d signed by the log and cosigned by %d witness(es)\n", c.Origin, c.Size, len(verifiers)-1)
	return nil
}
