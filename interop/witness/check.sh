#!/usr/bin/env bash
# Go verifies the cosignatures of accord's witness: accord_cosign_fixture writes a
# checkpoint cosigned by a federation::Witness; accord-interop verify-cosigned (x/mod's
# note.Open, Go's crypto/ed25519, a cosignature/v1 verifier written from the spec) must
# accept it, and must reject it once a bit of the cosignature or of the text is flipped.
#
# Usage: interop/witness/check.sh --fixture PATH --interop PATH
set -euo pipefail
fixture='' interop=''
while (($#)); do
  case $1 in
    --fixture) fixture=$2 ;;
    --interop) interop=$2 ;;
    *) echo "usage: $0 --fixture PATH --interop PATH" >&2; exit 2 ;;
  esac
  shift 2
done
work=$(mktemp -d "${TMPDIR:-/tmp}/accord-cosign.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$fixture" "$work"
log_vkey=$(cat "$work/log.vkey")
witness_vkey=$(cat "$work/witness.vkey")
verify() { "$interop" verify-cosigned "$1" --log-vkey "$log_vkey" --witness-vkey "$witness_vkey"; }

verify "$work/cosigned" || fail "Go rejected accord's cosigned checkpoint"
echo "ok: Go x/mod verifies accord's cosignature/v1"

# A byte near the end of the last line is inside the cosignature's base64 (the
# witness's line comes last); flipping a base64 digit there breaks the signature.
cp "$work/cosigned" "$work/bad-sig"
python3 - "$work/bad-sig" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = len(b) - 8
b[i] = ord('B') if b[i] != ord('B') else ord('C')
open(p, 'wb').write(bytes(b))
PY
if verify "$work/bad-sig" 2>/dev/null; then fail "Go accepted a tampered cosignature"; fi
echo "ok: Go rejects a tampered cosignature"

sed 's/extension line/extension linE/' "$work/cosigned" >"$work/bad-text"
if verify "$work/bad-text" 2>/dev/null; then fail "Go accepted a cosignature over other text"; fi
echo "ok: Go rejects a cosignature over a changed extension line"

head -n -1 "$work/cosigned" >"$work/no-cosig"
if verify "$work/no-cosig" 2>/dev/null; then fail "Go accepted a checkpoint without the cosignature"; fi
echo "ok: Go requires the witness's cosignature"
