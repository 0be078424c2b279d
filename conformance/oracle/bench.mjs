#!/usr/bin/env node
// LiteRT.js timing for Accel's peer comparisons: runs a .tflite model with Google's LiteRT.js (@litertjs/core,
// XNNPACK in wasm) under Node and times each run. Two modes:
//
//   node bench.mjs MODEL.tflite [--wasm-build compat|relaxed|threaded] [--threads N] [--runs N] [--warmup N]
//                               [--input NAME_OR_INDEX=FILE.bin ...] [--random-seed N]
//       prints one JSON object: {model, wasm, threads, loadMs, compileMs, firstMs, samplesMs: [...], ...}
//   node bench.mjs --serve MODEL.tflite [same options]
//       line protocol for interleaved runs driven by another process (perf/Accel.Perf.Peers): prints
//       {"ready": true, ...} once, then answers each "run K" line on stdin with {"samplesMs": [K values]};
//       "quit" (or end of input) exits. Nothing else is ever written to stdout.
//
// Builds: compat = wasm SIMD128; relaxed = relaxed SIMD (Node 20: node --experimental-wasm-relaxed-simd);
// threaded = relaxed SIMD + pthreads (worker_threads; also needs the flag on Node 20). --threads sets XNNPACK's
// thread count (cpuOptions.numThreads; default 1). Inputs not given as files are generated exactly as
// `accel run`/`accel bench` generate them (SplitMix64 per input, see Accel.Cli/InputGenerator.cs), so both sides
// see the same bytes. Each sample times model.run() alone; inputs are made once, outputs are freed after timing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import readline from 'node:readline';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORE_DIR = path.join(HERE, 'node_modules', '@litertjs', 'core');
const BUILDS = {
  compat: 'litert_wasm_compat_internal.js',
  relaxed: 'litert_wasm_internal.js',
  threaded: 'litert_wasm_threaded_internal.js',
};
const PTHREAD_ENTRY = path.join(HERE, 'bench-pthread.cjs');

class UsageError extends Error {}

const USAGE = `usage: node bench.mjs [--serve] MODEL.tflite [--wasm-build compat|relaxed|threaded] [--threads N]
                        [--runs N] [--warmup N] [--input NAME_OR_INDEX=FILE.bin ...] [--random-seed N]`;

function parseArgs(argv) {
  const o = {serve: false, model: null, build: 'compat', threads: 1, runs: 50, warmup: 3, inputs: [], seed: 0n, verbose: false};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      return argv[++i];
    };
    const int = (min) => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag} expects an integer >= ${min}, got '${v}'`);
      return Number(v);
    };
    switch (flag) {
      case '-h': case '--help': o.help = true; break;
      case '--serve': o.serve = true; break;
      case '--wasm-build': o.build = value(); break;
      case '--threads': o.threads = int(1); break;
      case '--runs': o.runs = int(1); break;
      case '--warmup': o.warmup = int(0); break;
      case '--random-seed': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--random-seed expects a non-negative integer, got '${v}'`);
        o.seed = BigInt(v) & 0xFFFFFFFFFFFFFFFFn;
        break;
      }
      case '--input': case '-i': {
        const spec = value();
        const k = spec.indexOf('=');
        if (k <= 0 || k === spec.length - 1) throw new UsageError(`--input expects NAME_OR_INDEX=FILE, got '${spec}'`);
        o.inputs.push([spec.slice(0, k), spec.slice(k + 1)]);
        break;
      }
      case '--verbose': case '-v': o.verbose = true; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (o.model !== null) throw new UsageError(`unexpected extra argument '${a}'`);
        o.model = a;
    }
  }
  if (o.help) return o;
  if (!(o.build in BUILDS)) throw new UsageError(`--wasm-build must be one of ${Object.keys(BUILDS).join(', ')}`);
  if (!o.model) throw new UsageError('no MODEL.tflite given');
  if (o.threads > 1 && o.build !== 'threaded') throw new UsageError(`--threads ${o.threads} needs --wasm-build threaded`);
  return o;
}

// --- loading LiteRT.js under Node (see run.mjs for why the glue is evaluated by hand) ----------------------

async function loadRuntime(o) {
  const glue = path.join(CORE_DIR, 'wasm', BUILDS[o.build]);
  if (!fs.existsSync(glue)) throw new Error(`LiteRT.js is not installed (${glue} missing): run scripts/ensure-assets.sh`);
  globalThis.self ??= globalThis;
  globalThis.importScripts = (url) => {
    const file = String(url).startsWith('file:') ? fileURLToPath(url) : String(url);
    const src = fs.readFileSync(file, 'utf8');
    const fn = vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], {filename: file});
    const mod = {exports: {}};
    fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
    globalThis.ModuleFactory = mod.exports;
  };
  const seen = new Set();
  const log = (line) => {
    const s = String(line);
    if (!o.verbose && (/^INFO:|NPU accelerator|Created TensorFlow Lite XNNPACK delegate/.test(s) || seen.has(s))) return;
    seen.add(s);
    process.stderr.write(`[litert] ${s}\n`);
  };
  // Pthread workers start from a CommonJS entry that evaluates the glue like importScripts above: Node would
  // otherwise load the glue itself as an ES module (the package is "type": "module") and fail.
  globalThis.Module = {print: log, printErr: log, mainScriptUrlOrBlob: PTHREAD_ENTRY};
  // The threaded glue sizes its worker pool from navigator.hardwareConcurrency, which Node 20 lacks.
  if (o.build === 'threaded' && globalThis.navigator === undefined) {
    globalThis.navigator = {hardwareConcurrency: Math.max(os.cpus().length, o.threads)};
  }
  const lrt = await import(pathToFileURL(path.join(CORE_DIR, 'dist', 'index.js')).href);
  if (o.build !== 'compat' && !(await lrt.supportsFeature('relaxedSimd'))) {
    throw new Error(`--wasm-build ${o.build} needs wasm relaxed SIMD; on Node 20 run 'node --experimental-wasm-relaxed-simd bench.mjs ...'`);
  }
  const warn = console.warn;
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Failed to create default WebGPU device')) return;
    if (typeof args[0] === 'string' && args[0].includes('threads') && args[0].includes('full file path')) return;
    warn(...args);
  };
  try {
    await lrt.loadLiteRt(glue);
  } finally {
    console.warn = warn;
  }
  return lrt;
}

// --- inputs: accel's SplitMix64 generator, bit for bit ----------------------------------------------------

const MASK = 0xFFFFFFFFFFFFFFFFn;
function* splitMix64(seed, inputIndex) {
  let s = (seed ^ ((BigInt(inputIndex) * 0xD1B54A32D192ED03n) & MASK)) & MASK;
  for (;;) {
    s = (s + 0x9E3779B97F4A7C15n) & MASK;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    yield z ^ (z >> 31n);
  }
}

function generate(dtype, count, seed, inputIndex) {
  const rng = splitMix64(seed, inputIndex);
  const next = () => rng.next().value;
  switch (dtype) {
    case 'float32': {
      const a = new Float32Array(count);
      for (let k = 0; k < count; k++) a[k] = Math.fround(Math.fround(Number(next() >> 40n) * (1 / 16777216)) * 2 - 1);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let k = 0; k < count; k++) a[k] = Number(BigInt.asIntN(32, next() >> 32n));
      return a;
    }
    case 'uint8': {
      const a = new Uint8Array(count);
      for (let k = 0; k < count; k++) a[k] = Number(next() >> 56n);
      return a;
    }
    default:
      throw new Error(`cannot generate ${dtype} inputs; give them with --input`);
  }
}

const TYPED = {float32: Float32Array, int32: Int32Array, uint8: Uint8Array};

async function openModel(lrt, o) {
  if (!fs.existsSync(o.model)) throw new Error(`model file not found: ${o.model}`);
  const bytes = new Uint8Array(fs.readFileSync(o.model));
  const t0 = performance.now();
  const compiled = await lrt.loadAndCompile(bytes, {accelerator: 'wasm', cpuOptions: {numThreads: o.threads}});
  const compileMs = performance.now() - t0;
  const details = compiled.getInputDetails();
  const files = new Map();
  for (const [key, file] of o.inputs) {
    let j = details.findIndex((d) => d.name === key);
    if (j < 0 && /^\d+$/.test(key) && Number(key) < details.length) j = Number(key);
    if (j < 0) throw new Error(`no input '${key}'; inputs: ${details.map((d, k) => `[${k}] ${d.name}`).join(', ')}`);
    files.set(j, file);
  }
  // Inputs in LiteRT.js signature order; generated data uses that position as the input index, which for the
  // corpus (single-input models) is the subgraph order accel uses.
  const inputs = details.map((d, j) => {
    const shape = Array.from(d.shape);
    const count = shape.reduce((a, b) => a * b, 1);
    let data;
    if (files.has(j)) {
      const raw = fs.readFileSync(files.get(j));
      const Ctor = TYPED[d.dtype];
      if (!Ctor) throw new Error(`input ${j} is ${d.dtype}, which LiteRT.js cannot take`);
      if (raw.length !== count * Ctor.BYTES_PER_ELEMENT) throw new Error(`input ${j} needs ${count * Ctor.BYTES_PER_ELEMENT} bytes, ${files.get(j)} has ${raw.length}`);
      const ab = new ArrayBuffer(raw.length);
      new Uint8Array(ab).set(raw);
      data = new Ctor(ab);
    } else {
      data = generate(d.dtype, count, o.seed, j);
    }
    return new lrt.Tensor(data, shape);
  });
  return {compiled, inputs, compileMs, details};
}

async function timeOne(m) {
  const t0 = performance.now();
  const outputs = await m.compiled.run(m.inputs);
  const ms = performance.now() - t0;
  for (const t of outputs) t.delete();
  return ms;
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const t0 = performance.now();
  const lrt = await loadRuntime(o);
  const loadMs = performance.now() - t0;
  const m = await openModel(lrt, o);
  const firstMs = await timeOne(m);
  for (let w = 0; w < o.warmup; w++) await timeOne(m);
  const corePkg = JSON.parse(fs.readFileSync(path.join(CORE_DIR, 'package.json'), 'utf8'));
  const info = {
    model: path.basename(o.model), runtime: `@litertjs/core@${corePkg.version}`, wasm: o.build, threads: o.threads,
    node: process.version, loadMs, compileMs: m.compileMs, firstMs, warmup: o.warmup,
    inputs: m.details.map((d) => ({name: d.name, dtype: d.dtype, shape: Array.from(d.shape)})),
  };
  try {
    if (!o.serve) {
      const samplesMs = [];
      for (let r = 0; r < o.runs; r++) samplesMs.push(await timeOne(m));
      process.stdout.write(JSON.stringify({...info, samplesMs}) + '\n');
      return 0;
    }
    process.stdout.write(JSON.stringify({ready: true, ...info}) + '\n');
    const lines = readline.createInterface({input: process.stdin, terminal: false});
    for await (const line of lines) {
      const cmd = line.trim().split(/\s+/);
      if (cmd[0] === 'quit') break;
      if (cmd[0] === 'run' && /^\d+$/.test(cmd[1] ?? '1')) {
        const k = Number(cmd[1] ?? '1');
        const samplesMs = [];
        for (let r = 0; r < k; r++) samplesMs.push(await timeOne(m));
        process.stdout.write(JSON.stringify({samplesMs}) + '\n');
      } else {
        process.stdout.write(JSON.stringify({error: `unknown command '${line}'`}) + '\n');
      }
    }
    return 0;
  } finally {
    for (const t of m.inputs) t.delete();
    m.compiled.delete();
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`bench: error: ${e?.stack ?? e}\n`);
  process.exit(1);
});
