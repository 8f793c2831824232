// Checks accord's DSSE envelopes against an independent implementation: the PAE of
// sigstore-js (@sigstore/core's preAuthEncoding) with Node's own Ed25519.
//
//   npm install --prefix DIR @sigstore/core@4
//   NODE_PATH=DIR/node_modules node dsse_interop.mjs BUILD/src/statement/interop/dsse_tool EXAMPLES_DIR
//
// For every docs/examples/<kind>.json it checks that
//  1. accord's envelope for a fixed key is byte for byte the one made here, and verifies
//     here (PAE, base64, keyid, signature);
//  2. an envelope made here with a key accord has never seen verifies in accord;
//  3. tampering with either is caught by the other side.
// Prints "N passed, M failed" and exits non-zero on any failure.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { preAuthEncoding } = require('@sigstore/core/dist/dsse.js');

const [tool, examplesDir] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed++; } else { failed++; console.log(`FAIL ${name} ${detail}`); }
}

// An Ed25519 key from a 32-byte seed, and its C2SP signed-note verifier key and keyid.
function noteKey(name, seed) {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const pub = spki.subarray(spki.length - 32);
  const hash = crypto.createHash('sha256')
    .update(Buffer.concat([Buffer.from(name + '\n'), Buffer.from([1]), pub])).digest()
    .subarray(0, 4).toString('hex');
  return {
    privateKey, publicKey: crypto.createPublicKey(privateKey),
    keyid: `${name}+${hash}`,
    vkey: `${name}+${hash}+${Buffer.concat([Buffer.from([1]), pub]).toString('base64')}`,
  };
}

function signHere(kind, payload, key) {
  const payloadType = `application/vnd.accord.${kind}.v1+json`;
  const sig = crypto.sign(null, preAuthEncoding(payloadType, Buffer.from(payload)), key.privateKey);
  return JSON.stringify({
    payload: Buffer.from(payload).toString('base64'), payloadType,
    signatures: [{ keyid: key.keyid, sig: sig.toString('base64') }],
  });
}

function verifyHere(envelopeJson, key) {
  const e = JSON.parse(envelopeJson);
  const pae = preAuthEncoding(e.payloadType, Buffer.from(e.payload, 'base64'));
  return e.signatures.some((s) => s.keyid === key.keyid &&
    crypto.verify(null, pae, key.publicKey, Buffer.from(s.sig, 'base64')));
}

function accordVerifies(envelope, vkey) {
  try {
    execFileSync(tool, ['verify', vkey], { input: envelope, stdio: ['pipe', 'pipe', 'pipe'] });
    return true;
  } catch { return false; }
}

const fixedSeed = Buffer.alloc(32, 7);
const fixed = noteKey('cert.example.ee/log', fixedSeed);
const fresh = noteKey('interop.example/key', crypto.randomBytes(32));
const kinds = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
for (const kind of kinds) {
  const payload = JSON.stringify(JSON.parse(fs.readFileSync(path.join(examplesDir, `${kind}.json`))));
  // 1. accord signs; compare and verify here.
  const fromAccord = execFileSync(tool, ['sign', kind, 'cert.example.ee/log', fixedSeed.toString('hex')],
    { input: payload }).toString();
  check(`${kind}: accord's envelope equals sigstore-js+node's`, fromAccord === signHere(kind, payload, fixed));
  check(`${kind}: accord's envelope verifies here`, verifyHere(fromAccord, fixed));
  const e = JSON.parse(fromAccord);
  e.payloadType = e.payloadType.replace('.v1+', '.v2+');
  check(`${kind}: changed payloadType fails here`, !verifyHere(JSON.stringify(e), fixed));
  // 2. signed here with a fresh key; accord validates and verifies.
  const fromHere = signHere(kind, payload, fresh);
  check(`${kind}: envelope made here verifies in accord`, accordVerifies(fromHere, fresh.vkey));
  const t = JSON.parse(fromHere);
  t.payload = Buffer.from(payload.replace('"issuer":"cert', '"issuer":"xert')).toString('base64');
  check(`${kind}: tampered payload fails in accord`, !accordVerifies(JSON.stringify(t), fresh.vkey));
}
// The vector pinned in envelope_test.cc.
const vectorPayload = '{"kind":"incident","issuer":"cert.example.ee/log"}';
console.log(`vector: ${signHere('incident', vectorPayload, fixed)}`);
console.log(`vkey: ${fixed.vkey}`);
const other = noteKey('interop.example/key', Buffer.alloc(32, 0x2a));
console.log(`foreign vector (${other.vkey}): ${signHere('incident', vectorPayload, other)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
