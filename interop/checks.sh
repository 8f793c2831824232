#!/usr/bin/env bash
# Interoperability checks between accord and Go's golang.org/x/mod/sumdb (tlog, note),
# an implementation of RFC 6962 trees, tiles, proofs and Ed25519 signed notes that no one
# on this project wrote. interop/CMakeLists.txt registers each CHECK as a CTest test.
#
# Usage: interop/checks.sh CHECK --interop PATH [--accord PATH] [--testdata DIR]
#   --interop   the accord-interop program built from interop/go/accord-interop
#   --accord    the accord CLI (checks that run it need it)
#   --testdata  shared test vectors (tessera-log/ is read in place, never copied)
#
# Every check prints one line, "ok: <what was checked>"; the first failure prints
# "FAIL: <what>" with the tool's output and exits 1.
set -euo pipefail

usage() { sed -n '6,9p' "$0" >&2; exit 2; }
(($# >= 1)) || usage
check=$1
shift
accord='' interop='' testdata=''
while (($#)); do
  case $1 in
    --accord) accord=$2 ;;
    --interop) interop=$2 ;;
    --testdata) testdata=$2 ;;
    *) usage ;;
  esac
  shift 2
done
[[ -x $interop ]] || { echo "checks.sh: --interop $interop is not an executable" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/accord-interop.XXXXXX")
trap 'rm -rf "$work"' EXIT

tessera_vkey='example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx'

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_ok WHAT CMD...: CMD must succeed.
expect_ok() {
  local what=$1 out
  shift
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    fail "$what"
  fi
  ok "$what"
}

# expect_fail WHAT CMD...: CMD must fail; its last line of output is shown as the reason.
expect_fail() {
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    fail "$what: it was accepted"
  fi
  ok "$what — $(printf '%s\n' "$out" | grep -v '^$' | tail -n 1)"
}

# run CMD...: runs a step that must work (its stdout passes through); on failure, shows
# its stderr and fails naming the command.
run() {
  local rc=0
  "$@" 2>"$work/stderr" || rc=$?
  if ((rc)); then
    cat "$work/stderr" >&2
    fail "exit status $rc from: $*"
  fi
}

need_accord() {
  [[ -n $accord && -x $accord ]] || { echo "checks.sh: $check needs --accord" >&2; exit 2; }
}

# tessera_log prints the folder of Tessera's log in --testdata; a check that needs it
# fails, saying so, when it is not there.
tessera_log() {
  local t=$testdata/tessera-log
  [[ -n $testdata && -f $t/checkpoint ]] ||
    fail "no Tessera log at $t (--testdata: ../shared/testdata, see its README.md)"
  echo "$t"
}

# C2SP tile paths: tile_index 1234067 → x001/x234/067; tile_path L N W; bundle_path N W.
tile_index() {
  local n=$1 s
  s=$(printf '%03d' $((n % 1000)))
  while ((n >= 1000)); do
    n=$((n / 1000))
    s=$(printf 'x%03d/%s' $((n % 1000)) "$s")
  done
  printf '%s' "$s"
}
partial() { (($1 == 256)) || printf '.p/%d' "$1"; }
tile_path() { printf 'tile/%d/%s%s' "$1" "$(tile_index "$2")" "$(partial "$3")"; }
bundle_path() { printf 'tile/entries/%s%s' "$(tile_index "$1")" "$(partial "$2")"; }
checkpoint_size() { sed -n 2p "$1"; }

# by_size DIR [PREFIX]: the files DIR/PREFIX<number>, in increasing order of number.
by_size() {
  local f
  for f in "$1/${2:-}"*; do printf '%s\t%s\n' "${f##*/"${2:-}"}" "$f"; done | sort -n | cut -f2
}

# view DIR CHECKPOINT: a log directory that serves DIR's tiles under an older checkpoint
# (symlinks, so shared test data is read in place).
view() {
  local v
  v=$(mktemp -d "$work/view.XXXXXX")
  ln -s "$(cd "$1" && pwd)/tile" "$v/tile"
  cp "$2" "$v/checkpoint"
  printf '%s' "$v"
}

go_verify() { "$interop" verify-log "$@"; }
accord_verify() { "$accord" log verify "$1" --vkey "$2"; }

# corruptions LOG VKEY WITH_ACCORD: on a fresh copy of LOG per fault, one corruption of each
# kind; Go (and accord when WITH_ACCORD=1) must reject every copy. LOG must have at least
# two full level-0 tiles and a partial one.
corruptions() {
  local log=$1 vkey=$2 with_accord=$3
  local size n w l1w full partial_tile full_bundle partial_bundle cp_root
  size=$(checkpoint_size "$log/checkpoint")
  n=$((size / 256)) w=$((size % 256)) l1w=$((size / 65536 > 0 ? 256 : (size / 256) % 256))
  ((n >= 2 && w > 0)) || fail "corruptions: need a log with ≥ 2 full tiles and a partial one"
  full=$(tile_path 0 1 256)
  partial_tile=$(tile_path 0 "$n" "$w")
  full_bundle=$(bundle_path 1 256)
  partial_bundle=$(bundle_path "$n" "$w")
  # Offset of the 6th character of the checkpoint's root hash line.
  cp_root=$(($(sed -n 1p "$log/checkpoint" | wc -c) + $(sed -n 2p "$log/checkpoint" | wc -c) + 5))

  local -a cases=(
    "bit flipped in full tile $full|flip-bit $full 547"
    "bit flipped in partial tile $partial_tile|flip-bit $partial_tile -5"
    "bit flipped in level-1 tile $(tile_path 1 0 "$l1w")|flip-bit $(tile_path 1 0 "$l1w") 40"
    "bit flipped in an entry of full bundle $full_bundle|flip-bit $full_bundle 3"
    "bit flipped in a length prefix of full bundle $full_bundle|flip-bit $full_bundle 1"
    "bit flipped in the last entry of partial bundle $partial_bundle|flip-bit $partial_bundle -1"
    "entry 300 rewritten, with its hash in level-0 tile $full updated to match|forge-entry . 300"
    "partial bundle $partial_bundle truncated by one byte|truncate $partial_bundle"
    "trailing byte after full bundle $full_bundle|append $full_bundle"
    "full tile $full truncated by one hash|truncate32 $full"
    "partial tile $partial_tile deleted (no full tile to fall back on)|rm $partial_tile"
    "entry bundle $full_bundle deleted|rm $full_bundle"
    "bit flipped in the checkpoint body (root hash)|flip-bit checkpoint $cp_root"
    "bit flipped in the checkpoint body (tree size)|flip-bit checkpoint $(($(sed -n 1p "$log/checkpoint" | wc -c) + 1))"
    "bit flipped in the Ed25519 signature of the checkpoint|flip-sig checkpoint"
    "bit flipped in the key ID of the checkpoint's signature (so no known key signed it)|flip-key-id checkpoint"
  )
  local c what action file arg copy
  for c in "${cases[@]}"; do
    what=${c%%|*}
    read -r action file arg <<<"${c#*|}"
    copy=$(mktemp -d "$work/corrupt.XXXXXX")
    cp -a "$log/." "$copy"
    case $action in
      flip-bit) "$interop" flip-bit "$copy/$file" "$arg" ;;
      flip-sig) "$interop" flip-sig "$copy/$file" ;;
      flip-key-id) "$interop" flip-sig "$copy/$file" --key-id ;;
      truncate) truncate -s -1 "$copy/$file" ;;
      truncate32) truncate -s -32 "$copy/$file" ;;
      append) printf '\0' >>"$copy/$file" ;;
      rm) rm "$copy/$file" ;;
      forge-entry) "$interop" forge-entry "$copy" "$arg" ;;
    esac
    expect_fail "Go rejects: $what" go_verify "$copy" "$vkey"
    if ((with_accord)); then
      expect_fail "accord rejects: $what" accord_verify "$copy" "$vkey"
    fi
    rm -rf "$copy"
  done

  # A checkpoint signed by another key with the same name, and a fork signed by the log's
  # own key: neither may be accepted.
  local other_vkey
  other_vkey=$(run "$interop" gen-log "$work/other" --name "$(sed -n 1p "$log/checkpoint")" --entries 3 2>/dev/null)
  expect_fail "Go rejects the log under another key of the same name" go_verify "$log" "$other_vkey"
  if ((with_accord)); then
    expect_fail "accord rejects the log under another key of the same name" accord_verify "$log" "$other_vkey"
  fi
  rm -rf "$work/other"
}

# proofs_flipped CHECKER... -- PROOF...: CHECKER must reject each proof after one bit of
# one of its hashes is flipped: each root, the leaf hash, the first and the last path hash.
proofs_flipped() {
  local -a checker=()
  while [[ $1 != -- ]]; do checker+=("$1"); shift; done
  shift
  local p fields f k copy
  for p in "$@"; do
    k=$(grep -c '^    "' "$p" || true) # hashes, one a line in the indented JSON
    case $(basename "$p") in
      inclusion-*) fields="leaf_hash root_hash" ;;
      consistency-*) fields="old_root new_root" ;;
    esac
    ((k > 0)) && fields+=" hashes.0"
    ((k > 1)) && fields+=" hashes.$((k - 1))"
    for f in $fields; do
      copy=$work/flipped.json
      cp "$p" "$copy"
      "$interop" flip-proof "$copy" "$f"
      expect_fail "${checker[0]##*/} rejects $(basename "$p") with a bit flipped in $f" "${checker[@]}" "$copy"
    done
  done
}

# sizes_of_proof FILE: the tree sizes a Go proof file speaks of (from its name).
sizes_of_proof() {
  local b
  b=$(basename "$1" .json)
  case $b in
    inclusion-*) echo "${b##*-}" ;;
    consistency-*) b=${b#consistency-}; echo "${b%-*} ${b#*-}" ;;
  esac
}

# ---------------------------------------------------------------------------------------

# The Go checker on Tessera's log: root from tiles, every entry, inclusion proofs, and
# consistency from each of its 16 earlier checkpoints.
check_go_verifies_tessera_log() {
  local t
  t=$(tessera_log)
  local -a old=()
  for f in "$t"/checkpoint.*; do old+=(--old-checkpoint "$f"); done
  expect_ok "Go x/mod verifies Tessera's log (size $(checkpoint_size "$t/checkpoint")), consistent with its $((${#old[@]} / 2)) checkpoint.N" \
    go_verify "$t" "$tessera_vkey" --origin example.com/log/testdata "${old[@]}"
  expect_fail "Go rejects Tessera's log under the wrong origin" go_verify "$t" "$tessera_vkey" --origin example.com/other
}

# The Go checker on a log written by Go's own tree code, and its own proofs: shows the
# checker and the generator agree, and that the checker catches each kind of corruption.
check_go_verifies_go_log() {
  local log=$work/go-log vkey
  vkey=$(run "$interop" gen-log "$log" --name go.interop.example/log --entries 1500 --batches 8)
  local -a old=()
  for f in "$log"/checkpoints/*; do old+=(--old-checkpoint "$f"); done
  expect_ok "Go verifies its own log of 1500 entries, consistent with its $((${#old[@]} / 2)) checkpoints" \
    go_verify "$log" "$vkey" "${old[@]}"
  local p s
  for p in "$log"/proofs/*.json; do
    local -a cps=()
    for s in $(sizes_of_proof "$p"); do cps+=(--checkpoint "$log/checkpoints/$s"); done
    expect_ok "Go checks its proof $(basename "$p") against the signed checkpoints" \
      "$interop" check-proof "$p" --vkey "$vkey" "${cps[@]}"
  done
  proofs_flipped "$interop" check-proof -- "$log"/proofs/*.json
  corruptions "$log" "$vkey" 0
}

# accord writes a log; Go checks it: every entry byte for byte against the inputs, tiles,
# root, signatures, consistency with every intermediate checkpoint, accord's own proofs.
check_go_verifies_accord_log() {
  need_accord
  local log=$work/log key=$work/key vkey in=$work/in expected=$work/expected.b64
  mkdir -p "$work/checkpoints" "$in"
  vkey=$(run "$accord" keygen --name example.org/log --out "$key")
  run "$accord" log init "$log" --key "$key" >/dev/null
  [[ $(checkpoint_size "$log/checkpoint") == 0 ]] || fail "accord log init: size is not 0"
  cp "$log/checkpoint" "$work/checkpoints/0"
  : >"$expected"

  # Batches of lines (via stdin) of sizes that end on and around tile boundaries.
  printf 'first entry\n' >"$in/b1"
  seq -f 'line %g of the second batch' 1 255 >"$in/b255"
  seq -f 'entry %g: 256 of them' 1 256 >"$in/b256"
  seq -f 'entry %g: 257 of them' 1 257 >"$in/b257"
  seq -f '%g héllo wörld	tab' 1 1000 >"$in/b1000"
  printf 'a\n\nno final newline after this' >"$in/bedge" # 3 entries, the 2nd empty
  local size=0 b n printed
  for b in b1 b255 b256 b257 b1000 bedge; do
    n=$("$interop" expect-entries --lines "$in/$b" | tee -a "$expected" | wc -l)
    printed=$(run "$accord" log append "$log" --key "$key" <"$in/$b")
    size=$((size + n))
    [[ $(checkpoint_size "$log/checkpoint") == "$size" ]] ||
      fail "accord log append of $n lines ($b): checkpoint size $(checkpoint_size "$log/checkpoint"), want $size"
    [[ $printed == *"$size"* ]] || fail "accord log append ($b) printed '$printed', not the new size $size"
    cp "$log/checkpoint" "$work/checkpoints/$size"
    ok "accord log append: $n lines from stdin ($b) → size $size"
  done
  # Whole files as single entries: binary with newlines and NULs, empty, and maximal.
  head -c 3000 /dev/urandom >"$in/binary"
  : >"$in/empty"
  head -c 65535 /dev/urandom >"$in/max"
  "$interop" expect-entries --raw "$in/binary" "$in/empty" "$in/max" >>"$expected"
  run "$accord" log append "$log" --key "$key" --raw "$in/binary" "$in/empty" "$in/max" >/dev/null
  size=$((size + 3))
  [[ $(checkpoint_size "$log/checkpoint") == "$size" ]] || fail "accord log append --raw: size is not $size"
  cp "$log/checkpoint" "$work/checkpoints/$size"
  ok "accord log append --raw: 3 files (3000 random bytes, empty, 65535 bytes) → size $size"

  local -a old=()
  for f in "$work"/checkpoints/*; do old+=(--old-checkpoint "$f"); done
  expect_ok "Go x/mod verifies accord's log of $size entries, consistent with all $((${#old[@]} / 2)) checkpoints" \
    go_verify "$log" "$vkey" --samples 64 --dump-entries "$work/stored.b64" "${old[@]}"
  cmp -s "$expected" "$work/stored.b64" ||
    fail "the entries in accord's bundles differ from the appended inputs (diff $expected $work/stored.b64)"
  ok "every one of the $size entries in accord's bundles is byte for byte the appended input"
  expect_ok "accord verifies its own log" accord_verify "$log" "$vkey"
  local cp
  for cp in $(by_size "$work/checkpoints"); do
    expect_ok "Go verifies accord's log as of its checkpoint at size $(basename "$cp") (full tiles stand in for deleted partials)" \
      go_verify "$(view "$log" "$cp")" "$vkey"
    expect_ok "accord verifies its own log as of its checkpoint at size $(basename "$cp")" \
      accord_verify "$(view "$log" "$cp")" "$vkey"
  done

  # accord's proofs, checked by x/mod and bound to the checkpoints accord signed.
  local i s prev=0 p=$work/proof.json
  for s in $(by_size "$work/checkpoints" | xargs -n1 basename); do
    ((s > 0)) || continue
    for i in $(printf '%s\n' 0 $((s / 2)) $((s - 1)) | sort -nu); do
      run "$accord" log prove "$log" --index "$i" --size "$s" >"$p"
      expect_ok "Go checks accord's inclusion proof of entry $i in tree $s" \
        "$interop" check-proof "$p" --vkey "$vkey" --checkpoint "$work/checkpoints/$s"
    done
    if ((prev > 0)); then
      run "$accord" log prove "$log" --from "$prev" --to "$s" >"$p"
      expect_ok "Go checks accord's consistency proof $prev → $s" \
        "$interop" check-proof "$p" --vkey "$vkey" --checkpoint "$work/checkpoints/$prev" --checkpoint "$work/checkpoints/$s"
      run "$accord" log prove "$log" --from "$prev" >"$p"
      expect_ok "Go checks accord's consistency proof $prev → current ($size)" \
        "$interop" check-proof "$p" --vkey "$vkey" --checkpoint "$work/checkpoints/$prev" --checkpoint "$log/checkpoint"
    fi
    prev=$s
  done
  run "$accord" log prove "$log" --from "$size" --to "$size" >"$p"
  expect_ok "Go checks accord's (empty) consistency proof $size → $size" \
    "$interop" check-proof "$p" --vkey "$vkey" --checkpoint "$log/checkpoint"
  run "$accord" log prove "$log" --index 7 >"$p"
  expect_ok "Go checks accord's inclusion proof of entry 7 in the current tree" \
    "$interop" check-proof "$p" --vkey "$vkey" --checkpoint "$log/checkpoint"
}

# Each kind of corruption of an accord log must be caught by Go and by accord.
check_go_rejects_corruption() {
  need_accord
  local log=$work/log key=$work/key vkey
  vkey=$(run "$accord" keygen --name example.org/log --out "$key")
  run "$accord" log init "$log" --key "$key" >/dev/null
  seq -f 'entry %g' 1 300 | run "$accord" log append "$log" --key "$key" >/dev/null
  cp "$log/checkpoint" "$work/checkpoint.300"
  seq -f 'entry %g' 301 700 | run "$accord" log append "$log" --key "$key" >/dev/null
  expect_ok "Go verifies the intact accord log of 700 entries" go_verify "$log" "$vkey" --old-checkpoint "$work/checkpoint.300"
  expect_ok "accord verifies the intact log" accord_verify "$log" "$vkey"
  corruptions "$log" "$vkey" 1

  # A fork: the same key signs a different history; Go must refuse it as an old checkpoint.
  local fork=$work/fork
  run "$accord" log init "$fork" --key "$key" >/dev/null
  seq -f 'forked entry %g' 1 300 | run "$accord" log append "$fork" --key "$key" >/dev/null
  expect_fail "Go rejects a fork signed by the same key (size-300 checkpoint of another history)" \
    go_verify "$log" "$vkey" --old-checkpoint "$fork/checkpoint"
  expect_fail "Go rejects an 'old' checkpoint larger than the current one" \
    go_verify "$work/fork" "$vkey" --old-checkpoint "$log/checkpoint"
}

# Go writes a log and proofs; accord must accept them, at every checkpointed size, and
# reject each proof with one bit flipped.
check_accord_verifies_go_log() {
  need_accord
  local log=$work/go-log vkey
  vkey=$(run "$interop" gen-log "$log" --name go.interop.example/log --entries 1500 --batches 8)
  printf '%s\n' "$vkey" >"$work/vkey"
  expect_ok "accord verifies a Go x/mod log of 1500 entries (entries of 0 to 65535 bytes; cosigned by an unknown witness)" \
    accord_verify "$log" "$vkey"
  expect_ok "accord verifies it with --vkey naming a file" accord_verify "$log" "$work/vkey"
  local cp s
  for cp in $(by_size "$log/checkpoints"); do
    s=$(basename "$cp")
    expect_ok "accord verifies the Go log as of its checkpoint at size $s (partial tiles of that size)" \
      accord_verify "$(view "$log" "$cp")" "$vkey"
  done
  local p
  for p in "$log"/proofs/*.json; do
    expect_ok "accord accepts Go's $(basename "$p" .json) proof" "$accord" log check-proof "$p"
  done
  proofs_flipped "$accord" log check-proof -- "$log"/proofs/*.json

  local ext=$work/go-log-ext
  vkey=$(run "$interop" gen-log "$ext" --name go.interop.example/ext --entries 300 --batches 2 \
    --extension "extension line one" --extension "two")
  expect_ok "accord verifies a Go log whose checkpoints carry two extension lines" accord_verify "$ext" "$vkey"
}

# Checkpoint bodies, well and badly formed, signed by Go (x/mod note) with the private key
# accord keygen wrote: accord and Go must agree on each, as tlog-checkpoint decides it.
check_checkpoint_syntax() {
  need_accord
  local log=$work/log key=$work/key vkey root
  vkey=$(run "$accord" keygen --name example.org/log --out "$key")
  run "$accord" log init "$log" --key "$key" >/dev/null
  seq 1 300 | run "$accord" log append "$log" --key "$key" >/dev/null
  head -n 3 "$log/checkpoint" >"$work/body"
  run "$interop" sign-note "$key" "$work/body" >"$work/resigned"
  cmp -s "$work/resigned" "$log/checkpoint" ||
    fail "x/mod, signing with accord's private key, does not reproduce accord's checkpoint"
  ok "x/mod reads accord's private key and signs its checkpoint body byte for byte as accord did"

  root=$(sed -n 3p "$log/checkpoint")
  # The 43rd character carries the last 4 bits and 2 padding bits; the next letter sets one.
  local noncanonical
  noncanonical=${root:0:42}$(printf '%s' "${root:42:1}" | tr 'A-Za-z0-9+/' 'B-Za-z0-9+/A')=
  local -a cases=(
    "accept|an extension line|example.org/log\n300\n$root\nextension\n"
    "reject|a tree size with a leading zero|example.org/log\n0300\n$root\n"
    "reject|a tree size with a plus sign|example.org/log\n+300\n$root\n"
    "reject|a tree size with a trailing space|example.org/log\n300 \n$root\n"
    "reject|a smaller tree size (299) with the root of 300|example.org/log\n299\n$root\n"
    "reject|a larger tree size (301) with the root of 300|example.org/log\n301\n$root\n"
    "reject|a root hash without base64 padding|example.org/log\n300\n${root%=}\n"
    "reject|a root hash with non-zero padding bits|example.org/log\n300\n$noncanonical\n"
    "reject|a 31-byte root hash|example.org/log\n300\n$(printf '%s' "$root" | base64 -d | head -c 31 | base64 -w0)\n"
    "reject|no root hash line|example.org/log\n300\n"
    "reject|an empty origin line|\n300\n$root\n"
    "reject|an origin other than the key's name|example.org/other\n300\n$root\n"
    "reject|CRLF line ends|example.org/log\r\n300\r\n$root\r\n"
  )
  local c verdict what body copy
  for c in "${cases[@]}"; do
    IFS='|' read -r verdict what body <<<"$c"
    copy=$(mktemp -d "$work/checkpoint.XXXXXX")
    cp -a "$log/." "$copy"
    printf '%b' "$body" >"$work/body"
    run "$interop" sign-note "$key" "$work/body" >"$copy/checkpoint"
    if [[ $verdict == accept ]]; then
      expect_ok "Go accepts a checkpoint with $what" go_verify "$copy" "$vkey"
      expect_ok "accord accepts a checkpoint with $what" accord_verify "$copy" "$vkey"
    else
      expect_fail "Go rejects a checkpoint with $what" go_verify "$copy" "$vkey"
      expect_fail "accord rejects a checkpoint with $what" accord_verify "$copy" "$vkey"
    fi
    rm -rf "$copy"
  done
}

# Logs past 256,000 entries, whose tile paths have an x-prefixed element (tile/0/x001/000),
# written by each side and verified by the other.
check_large_logs_both_ways() {
  need_accord
  local golog=$work/go-log vkey
  vkey=$(run "$interop" gen-log "$golog" --name go.interop.example/large --entries 300000 --batches 3)
  [[ -f $golog/tile/0/x001/000 && -f $golog/tile/entries/x001/000 ]] || fail "gen-log: no tile/0/x001/000"
  expect_ok "accord verifies a Go log of 300,000 entries (paths such as tile/0/x001/000)" \
    accord_verify "$golog" "$vkey"
  local p
  for p in "$golog"/proofs/*-300000.json; do
    expect_ok "accord accepts Go's $(basename "$p" .json) proof" "$accord" log check-proof "$p"
  done

  local log=$work/log key=$work/key
  vkey=$(run "$accord" keygen --name example.org/large --out "$key")
  run "$accord" log init "$log" --key "$key" >/dev/null
  seq -f 'large log entry %g' 1 1000 | run "$accord" log append "$log" --key "$key" >/dev/null
  cp "$log/checkpoint" "$work/checkpoint.1000"
  seq -f 'large log entry %g' 1001 300000 | run "$accord" log append "$log" --key "$key" >/dev/null
  [[ $(checkpoint_size "$log/checkpoint") == 300000 ]] || fail "accord log append: size is not 300000"
  expect_ok "Go verifies an accord log of 300,000 entries, consistent with its checkpoint at 1000" \
    go_verify "$log" "$vkey" --old-checkpoint "$work/checkpoint.1000"
  run "$accord" log prove "$log" --index 299999 --size 300000 >"$work/proof.json"
  expect_ok "Go checks accord's inclusion proof of entry 299999" \
    "$interop" check-proof "$work/proof.json" --vkey "$vkey" --checkpoint "$log/checkpoint"
}

# Tessera wrote this log; accord must accept it at each of its 16 sizes (0 to 15), as Go does.
check_accord_verifies_tessera_log() {
  need_accord
  local t
  t=$(tessera_log)
  expect_ok "accord verifies Tessera's log (size $(checkpoint_size "$t/checkpoint"))" accord_verify "$t" "$tessera_vkey"
  local cp v s
  for cp in $(by_size "$t" checkpoint.); do
    s=${cp##*.}
    v=$(view "$t" "$cp")
    expect_ok "accord verifies Tessera's log as of its checkpoint.$s" accord_verify "$v" "$tessera_vkey"
    expect_ok "Go verifies Tessera's log as of its checkpoint.$s" go_verify "$v" "$tessera_vkey"
  done
  local other
  other=$("$interop" gen-log "$work/other" --name example.com/log/testdata --entries 1 2>/dev/null)
  expect_fail "accord rejects Tessera's log under another key of the same name" accord_verify "$t" "$other"
}

# A running node's log, read by Go's x/mod while the node keeps appending: the folder is
# a valid C2SP log at every moment (each checkpoint read finds every tile it needs, or
# the full tile that superseded a deleted partial).
check_go_verifies_node_log() {
  need_accord
  local data=$work/node line url vkey i readings=0
  "$accord" serve --data "$data" --listen 127.0.0.1:0 --name node.interop.example/log --json \
    >"$work/serve.out" 2>"$work/serve.err" &
  node_pid=$!
  trap 'kill -9 $node_pid 2>/dev/null; rm -rf "$work"' EXIT
  for i in $(seq 100); do
    line=$(head -n 1 "$work/serve.out" 2>/dev/null || true)
    [[ -n $line ]] && break
    sleep 0.1
  done
  [[ -n $line ]] || fail "accord serve did not start: $(cat "$work/serve.err")"
  url=$(printf '%s' "$line" | sed -n 's/.*"url":"\([^"]*\)".*/\1/p')
  vkey=$(printf '%s' "$line" | sed -n 's/.*"vkey":"\([^"]*\)".*/\1/p')
  ok "accord serve started at $url"
  # Submitters in the background; Go reads the folder over and over meanwhile.
  local submitters=() running
  for i in $(seq 3); do
    (
      for n in $(seq 40); do
        printf '{"title":"Scan %s-%s","summary":"Port scan.","detected":"2026-05-01T08:00:00Z","sector":"energy","severity":"low"}' \
          "$i" "$n" >"$work/p$i.json"
        "$accord" submit --node "$url" --key "$data/party.key" --kind incident "$work/p$i.json" >/dev/null || exit 1
      done
    ) &
    submitters+=($!)
  done
  while ((readings < 200)); do
    go_verify "$data/log" "$vkey" --samples 4 >/dev/null 2>"$work/go.err" ||
      fail "Go rejected the node's log while it was being appended to: $(cat "$work/go.err")"
    readings=$((readings + 1))
    running=0
    for i in "${submitters[@]}"; do kill -0 "$i" 2>/dev/null && running=1; done
    ((running)) || break
  done
  for i in "${submitters[@]}"; do wait "$i" || fail "a submission failed"; done
  expect_ok "Go x/mod accepted the node's log at each of $readings readings during appends, and at the end" \
    go_verify "$data/log" "$vkey" --samples 32
  expect_ok "accord verify accepts the node's log over HTTP" "$accord" verify --node "$url" --vkey "$vkey"
  kill "$node_pid"
}

case $check in
  go_verifies_tessera_log | go_verifies_go_log | go_verifies_accord_log | go_rejects_corruption | \
    accord_verifies_go_log | accord_verifies_tessera_log | large_logs_both_ways | checkpoint_syntax | \
    go_verifies_node_log)
    "check_$check"
    ;;
  *) echo "checks.sh: unknown check $check" >&2; usage ;;
esac
