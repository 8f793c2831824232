// Command accord-interop checks accord's transparency log against an implementation
// nobody on the project wrote: Go's golang.org/x/mod/sumdb/tlog (RFC 6962 Merkle trees,
// tiles, proofs) and golang.org/x/mod/sumdb/note (signed notes, Ed25519).
//
// x/mod predates C2SP, so this program supplies the C2SP layer itself (c2sp.go): tile
// paths without a height element, entry bundles, checkpoint bodies, the RFC 6962 root of
// the empty tree. Everything cryptographic — leaf and node hashes, tile authentication,
// inclusion and consistency proofs, signatures — is x/mod's.
//
// Subcommands:
//
//	verify-log DIR VKEY [--origin O] [--old-checkpoint FILE]... [--samples N] [--seed S]
//	           [--dump-entries FILE]
//	gen-log DIR --name NAME --entries N [--batches K] [--seed S] [--extension LINE]...
//	gen-proof-vectors DIR
//	bench-append --entries N --batch B
//	check-proof FILE [--vkey VKEY [--checkpoint FILE]...]
//	flip-bit FILE OFFSET    flip-sig FILE [--key-id]    flip-proof FILE FIELD
//	forge-entry DIR INDEX   sign-note KEYFILE FILE   expect-entries (--lines FILE | --raw FILE...)
//
// Exit status: 0 on success, 1 on a fault found (the message says which), 2 on misuse.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type command struct {
	run   func(a *args) error
	usage string
	// flags maps each accepted --flag to whether it takes a value.
	flags map[string]bool
}

var commands = map[string]command{
	"verify-log": {runVerifyLog,
		"verify-log DIR VKEY [--origin ORIGIN] [--old-checkpoint FILE]... [--samples N] [--seed S] [--dump-entries FILE]",
		map[string]bool{"origin": true, "old-checkpoint": true, "samples": true, "seed": true, "dump-entries": true}},
	"gen-log": {runGenLog,
		"gen-log DIR --name NAME --entries N [--batches K] [--seed S] [--extension LINE]...",
		map[string]bool{"name": true, "entries": true, "batches": true, "seed": true, "extension": true}},
	"gen-proof-vectors": {runGenProofVectors,
		"gen-proof-vectors DIR   (RFC 6962 inclusion and consistency vectors judged by x/mod)", nil},
	"bench-append": {runBenchAppend,
		"bench-append --entries N --batch B",
		map[string]bool{"entries": true, "batch": true}},
	"check-proof": {runCheckProof,
		"check-proof FILE [--vkey VKEY [--checkpoint FILE]...]",
		map[string]bool{"vkey": true, "checkpoint": true}},
	"flip-bit": {runFlipBit, "flip-bit FILE OFFSET   (negative OFFSET counts from the end)", nil},
	"flip-sig": {runFlipSig, "flip-sig FILE [--key-id]   (flips a bit in the first signature of a note, or its key ID)",
		map[string]bool{"key-id": false}},
	"flip-proof": {runFlipProof,
		"flip-proof FILE FIELD   (FIELD: leaf_hash, root_hash, old_root, new_root, hashes.K)", nil},
	"forge-entry": {runForgeEntry,
		"forge-entry DIR INDEX   (rewrites an entry and its level-0 tile hash, not the tiles above)", nil},
	"sign-note": {runSignNote, "sign-note KEYFILE FILE   (signs FILE's text with a note private key)", nil},
	"expect-entries": {runExpectEntries,
		"expect-entries (--lines FILE | --raw FILE...)   (prints base64 of each entry, one a line)",
		map[string]bool{"lines": false, "raw": false}},
}

// usageError marks misuse of the command line (exit 2); every other error is a fault
// in the thing being checked (exit 1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...interface{}) error {
	return &usageError{fmt.Sprintf(format, a...)}
}

func main() {
	if len(os.Args) < 2 {
		printUsage()
		os.Exit(2)
	}
	name := os.Args[1]
	cmd, ok := commands[name]
	if !ok {
		printUsage()
		os.Exit(2)
	}
	a, err := parseArgs(os.Args[2:], cmd.flags)
	if err == nil {
		err = cmd.run(a)
	}
	if err != nil {
		if _, ok := err.(*usageError); ok {
			fmt.Fprintf(os.Stderr, "accord-interop %s: %v\nusage: accord-interop %s\n", name, err, cmd.usage)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "accord-interop %s: FAIL: %v\n", name, err)
		os.Exit(1)
	}
}

func printUsage() {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage:")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  accord-interop %s\n", commands[n].usage)
	}
}

// args holds positional arguments and --flags, which may appear in any order.
type args struct {
	pos   []string
	flags map[string][]string
}

func parseArgs(in []string, known map[string]bool) (*args, error) {
	a := &args{flags: map[string][]string{}}
	for i := 0; i < len(in); i++ {
		s := in[i]
		if !strings.HasPrefix(s, "--") || s == "--" {
			a.pos = append(a.pos, s)
			continue
		}
		name, value, hasValue := strings.Cut(s[2:], "=")
		takesValue, ok := known[name]
		if !ok {
			return nil, usagef("unknown flag --%s", name)
		}
		if takesValue && !hasValue {
			if i+1 >= len(in) {
				return nil, usagef("flag --%s needs a value", name)
			}
			i++
			value = in[i]
		} else if !takesValue && hasValue {
			return nil, usagef("flag --%s takes no value", name)
		}
		a.flags[name] = append(a.flags[name], value)
	}
	return a, nil
}

func (a *args) has(name string) bool { return len(a.flags[name]) > 0 }

func (a *args) str(name, def string) string {
	if v := a.flags[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return def
}

func (a *args) int(name string, def int64) (int64, error) {
	v := a.flags[name]
	if len(v) == 0 {
		return def, nil
	}
	n, err := strconv.ParseInt(v[len(v)-1], 10, 64)
	if err != nil {
		return 0, usagef("--%s: %q is not an integer", name, v[len(v)-1])
	}
	return n, nil
}

func (a *args) positional(n int) error {
	if len(a.pos) != n {
		return usagef("want %d positional arguments, got %d", n, len(a.pos))
	}
	return nil
}

// printJSON writes v as one indented JSON document on stdout.
func printJSON(v interface{}) error {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Printf("%s\n", out)
	return err
}
