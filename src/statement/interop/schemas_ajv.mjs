// Checks docs/schemas and docs/examples with an independent JSON Schema validator (Ajv,
// draft-07, strict mode, with its date-time format): every schema compiles, with the
// relative $id/$ref layout resolved; every example is valid; and a few mistakes made to
// each example are refused there as they are in accord.
//
//   npm install --prefix DIR ajv@8 ajv-formats@3
//   NODE_PATH=DIR/node_modules node schemas_ajv.mjs SCHEMAS_DIR EXAMPLES_DIR
//
// Prints "N passed, M failed" and exits non-zero on any failure.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [schemasDir, examplesDir] = process.argv.slice(2);
// strictRequired off: it flags "required" in an if/then branch that does not repeat the
// properties, which draft-07 allows (and ajv's default leaves it off too).
const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
for (const f of fs.readdirSync(schemasDir)) {
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemasDir, f))));
}
const mutations = [
  ['wrong kind', (d, kind) => { d.kind = kind === 'claim' ? 'incident' : 'claim'; }],
  ['no issuer', (d) => { delete d.issuer; }],
  ['time with a space', (d) => { d.issued = '2026-03-14 09:40:12Z'; }],
  ['time with an offset', (d) => { d.issued = '2026-03-14T11:40:12+02:00'; }],
  ['unknown member', (d) => { d.colour = 'red'; }],
  ['short leaf hash', (d) => { d.refs = [{ origin: 'cert.example.ee/log', index: 1, leaf_hash: 'AAAA' }]; }],
];
let passed = 0, failed = 0;
for (const f of fs.readdirSync(examplesDir)) {
  const kind = path.basename(f, '.json');
  const validate = ajv.getSchema(`${kind}.v1.json`);
  const doc = JSON.parse(fs.readFileSync(path.join(examplesDir, f)));
  if (validate(doc)) { passed++; } else { failed++; console.log(`FAIL ${kind}:`, validate.errors); }
  for (const [name, mutate] of mutations) {
    const d = structuredClone(doc);
    mutate(d, kind);
    if (validate(d)) { failed++; console.log(`FAIL ${kind}: ${name} accepted`); } else { passed++; }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
