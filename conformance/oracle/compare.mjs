#!/usr/bin/env node
// Compare another runtime's outputs with the oracle's.
//
//   node compare.mjs ORACLE_DIR OTHER_DIR [--atol 1e-4] [--rtol 1e-3]
//
// ORACLE_DIR is a directory written by run.mjs (outputs.json + output_<i>.bin);
// OTHER_DIR holds output_<i>.bin files in the same order/layout. An element
// passes when |a - b| <= atol + rtol * |a| (a = oracle); NaNs must match.
// Prints one line per output and exits 1 if any output fails.

import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
let atol = 1e-4;
let rtol = 1e-3;
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--atol') atol = Number(args[++i]);
  else if (args[i] === '--rtol') rtol = Number(args[++i]);
  else dirs.push(args[i]);
}
if (dirs.length !== 2 || !Number.isFinite(atol) || !Number.isFinite(rtol)) {
  process.stderr.write('usage: node compare.mjs ORACLE_DIR OTHER_DIR [--atol X] [--rtol Y]\n');
  process.exit(2);
}
const [oracleDir, otherDir] = dirs;
const manifest = JSON.parse(fs.readFileSync(path.join(oracleDir, 'outputs.json'), 'utf8'));

const READERS = {
  float32: (b) => new Float32Array(b.buffer, b.byteOffset, b.length / 4),
  int32: (b) => new Int32Array(b.buffer, b.byteOffset, b.length / 4),
  uint8: (b) => new Uint8Array(b.buffer, b.byteOffset, b.length),
};
// Fresh, aligned copy of a file.
const read = (file) => {
  const raw = fs.readFileSync(file);
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return copy;
};

let failed = 0;
for (const o of manifest.outputs) {
  const label = `${manifest.model} output ${o.index} '${o.name}' ${o.dtype}[${o.shape.join(',')}]`;
  const otherFile = path.join(otherDir, `output_${o.index}.bin`);
  if (!fs.existsSync(otherFile)) {
    console.log(`FAIL ${label}: ${otherFile} is missing`);
    failed++;
    continue;
  }
  const reader = READERS[o.dtype];
  const a = read(path.join(oracleDir, `output_${o.index}.bin`));
  const b = read(otherFile);
  if (a.length !== b.length) {
    console.log(`FAIL ${label}: ${b.length} bytes, oracle has ${a.length}`);
    failed++;
    continue;
  }
  if (!reader) {
    const same = Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
    console.log(`${same ? 'ok  ' : 'FAIL'} ${label}: byte comparison`);
    if (!same) failed++;
    continue;
  }
  const va = reader(a);
  const vb = reader(b);
  let maxAbs = 0;
  let worst = -1;
  let bad = 0;
  for (let i = 0; i < va.length; i++) {
    const x = va[i];
    const y = vb[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (!(Number.isNaN(x) && Number.isNaN(y))) bad++;
      continue;
    }
    const d = Math.abs(x - y);
    if (d > maxAbs) {
      maxAbs = d;
      worst = i;
    }
    if (!(d <= atol + rtol * Math.abs(x))) bad++;
  }
  const where = worst >= 0 ? ` (at ${worst}: oracle ${va[worst]}, other ${vb[worst]})` : '';
  console.log(`${bad === 0 ? 'ok  ' : 'FAIL'} ${label}: max |diff| ${maxAbs.toExponential(3)}${where}, ${bad} of ${va.length} outside atol=${atol} rtol=${rtol}`);
  if (bad) failed++;
}
process.exit(failed ? 1 : 0);
