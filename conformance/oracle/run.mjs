#!/usr/bin/env node
// Accel's TFLite oracle: runs a .tflite model with Google's LiteRT.js
// (@litertjs/core, XNNPACK compiled to wasm) under plain Node and writes the
// raw output tensors, to serve as golden data for Accel's conformance tests.
// See README.md beside this file.
//
//   node run.mjs MODEL.tflite [--input NAME_OR_INDEX=FILE.bin ...] --output-dir DIR
//   node run.mjs --list MODEL.tflite
//   node run.mjs --batch JOBS.json
//
// Common options: --verbose (show LiteRT's own log lines),
//                 --wasm-build compat|relaxed (default compat; see README).

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import crypto from 'node:crypto';
import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {readTfliteMeta} from './tflite-meta.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORE_DIR = path.join(HERE, 'node_modules', '@litertjs', 'core');
const WASM_BUILDS = {
  compat: 'litert_wasm_compat_internal.js',
  relaxed: 'litert_wasm_internal.js',
};

// Byte width of the element types this oracle can feed/read.
const DTYPE_BYTES = {
  float32: 4, int32: 4, uint8: 1, int8: 1, int16: 2, float16: 2, int64: 8,
  float64: 8, bool: 1, uint32: 4, uint16: 2, uint64: 8,
};
const TYPED_ARRAYS = {float32: Float32Array, int32: Int32Array, uint8: Uint8Array};

class UsageError extends Error {}

const USAGE = `usage:
  node run.mjs MODEL.tflite [--input NAME_OR_INDEX=FILE.bin ...] --output-dir DIR
  node run.mjs --list MODEL.tflite
  node run.mjs --batch JOBS.json
options: --verbose  --wasm-build compat|relaxed (default compat)
JOBS.json: [{"model": "m.tflite", "inputs": {"NAME_OR_INDEX": "in.bin"}, "outputDir": "out/m"}, ...]`;

// ---------------------------------------------------------------------------
// Argument parsing

function parseArgs(argv) {
  const opts = {mode: 'run', model: null, inputs: [], outputDir: null, verbose: false, wasmBuild: 'compat'};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    // Support both "--flag value" and "--flag=value".
    const [flag, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '-h': case '--help': opts.mode = 'help'; break;
      case '--list': opts.mode = 'list'; if (inline !== undefined) opts.model = inline; break;
      case '--batch': opts.mode = 'batch'; opts.jobsFile = value(); break;
      case '--input': case '-i': {
        const spec = value();
        const k = spec.indexOf('=');
        if (k <= 0 || k === spec.length - 1) throw new UsageError(`--input expects NAME_OR_INDEX=FILE, got '${spec}'`);
        opts.inputs.push([spec.slice(0, k), spec.slice(k + 1)]);
        break;
      }
      case '--output-dir': case '-o': opts.outputDir = value(); break;
      case '--verbose': case '-v': opts.verbose = true; break;
      case '--wasm-build': opts.wasmBuild = value(); break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (opts.model !== null) throw new UsageError(`unexpected extra argument '${a}' (model already given: '${opts.model}')`);
        opts.model = a;
    }
  }
  if (!(opts.wasmBuild in WASM_BUILDS)) {
    throw new UsageError(`--wasm-build must be one of ${Object.keys(WASM_BUILDS).join(', ')}`);
  }
  if (opts.mode === 'run' || opts.mode === 'list') {
    if (!opts.model) throw new UsageError('no MODEL.tflite given');
  }
  if (opts.mode === 'run' && !opts.outputDir) throw new UsageError('--output-dir DIR is required');
  return opts;
}

// ---------------------------------------------------------------------------
// Loading LiteRT.js under Node

// The LiteRT.js wasm log lines (Emscripten stdout/stderr) always go to our
// stderr so that stdout stays clean (--list prints JSON there). INFO lines
// and repeated warnings are dropped unless --verbose.
// LiteRT reports failed prepare/invoke only as ERROR log lines (run() still
// resolves, with garbage outputs), so every ERROR line is recorded here and a
// job that logged one fails instead of reporting "ok".
const litertErrors = [];

function makeLogSink(verbose) {
  const seen = new Set();
  return (line) => {
    const s = String(line);
    if (/\bERROR\b/.test(s)) litertErrors.push(s);
    if (!verbose) {
      if (/^INFO:/.test(s)) return;
      if (/NPU accelerator could not be loaded/.test(s)) return;
      if (seen.has(s)) return;
      seen.add(s);
    }
    process.stderr.write(`[litert] ${s}\n`);
  };
}

async function loadRuntime({verbose, wasmBuild}) {
  const glue = path.join(CORE_DIR, 'wasm', WASM_BUILDS[wasmBuild]);
  if (!fs.existsSync(glue)) {
    throw new Error(`LiteRT.js is not installed: ${glue} is missing. Run 'npm ci' in ${HERE} (or scripts/ensure-assets.sh).`);
  }
  // @litertjs/wasm-utils loads the Emscripten glue via importScripts() (web
  // worker style) and then reads self.ModuleFactory. The glue is a CommonJS
  // script but lives in an ESM ("type": "module") package, so it cannot be
  // require()d from there; evaluate it as CommonJS ourselves instead.
  globalThis.self ??= globalThis;
  globalThis.importScripts = (url) => {
    const file = String(url).startsWith('file:') ? fileURLToPath(url) : String(url);
    const src = fs.readFileSync(file, 'utf8');
    const fn = vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], {filename: file});
    const mod = {exports: {}};
    fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
    if (typeof mod.exports !== 'function') throw new Error(`${file} did not export a ModuleFactory`);
    globalThis.ModuleFactory = mod.exports;
  };
  // Emscripten Module overrides, picked up by createWasmLib via self.Module.
  const sink = makeLogSink(verbose);
  globalThis.Module = {print: sink, printErr: sink};

  const lrt = await import(pathToFileURL(path.join(CORE_DIR, 'dist', 'index.js')).href);
  if (wasmBuild !== 'compat' && !(await lrt.supportsFeature('relaxedSimd'))) {
    throw new Error(`--wasm-build ${wasmBuild} needs wasm relaxed SIMD; on Node 20 run 'node --experimental-wasm-relaxed-simd run.mjs ...'`);
  }
  // loadLiteRt() creates a default Environment and first tries to create a
  // WebGPU device (navigator.gpu), which does not exist under Node: it warns
  // and continues with CPU only. Silence just that warning.
  const warn = console.warn;
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Failed to create default WebGPU device')) {
      if (verbose) warn('[litert] (expected under Node) no WebGPU device');
      return;
    }
    warn(...args);
  };
  try {
    // A full .js path makes LiteRT.js load exactly that build (no feature detection).
    await lrt.loadLiteRt(glue);
  } finally {
    console.warn = warn;
  }
  return lrt;
}

// ---------------------------------------------------------------------------
// Model handling

function shapeElements(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Loads and compiles a model and works out how LiteRT.js's default signature
 * maps onto the .tflite subgraph's input/output lists.
 */
async function openModel(lrt, modelPath) {
  if (!fs.existsSync(modelPath)) throw new Error(`model file not found: ${modelPath}`);
  const bytes = new Uint8Array(fs.readFileSync(modelPath));
  const meta = readTfliteMeta(bytes);
  litertErrors.length = 0;
  const compiled = await lrt.loadAndCompile(bytes, {accelerator: 'wasm'});
  if (litertErrors.length > 0) throw new Error(`LiteRT failed to compile the model: ${litertErrors.join(' | ')}`);
  try {
    const sigKey = compiled.key;
    const sigDef = meta.signatureDefs.find((s) => s.key === sigKey) ?? null;
    const sgIndex = sigDef ? sigDef.subgraphIndex : 0;
    const sg = meta.subgraphs[sgIndex];
    if (!sg) throw new Error(`model has no subgraph ${sgIndex}`);
    const lrtIn = compiled.getInputDetails();
    const lrtOut = compiled.getOutputDetails();

    // For each tensor index of the subgraph's input (output) list, find the
    // LiteRT.js signature position. With a SignatureDef the signature names
    // are its TensorMap names; without one ("<placeholder signature>") they
    // are the tensor names, in subgraph order.
    const mapList = (kind, sgList, details, sigMaps) => {
      const byTensor = new Map();
      if (sigMaps) {
        for (const m of sigMaps) byTensor.set(m.tensorIndex, m.name);
      }
      if (details.length !== sgList.length) {
        throw new Error(`LiteRT.js reports ${details.length} ${kind}s but subgraph ${sgIndex} lists ${sgList.length}`);
      }
      const used = new Set();
      return sgList.map((tensorIndex, pos) => {
        const t = sg.tensors[tensorIndex];
        const wanted = byTensor.get(tensorIndex) ?? t.name;
        let j = details.findIndex((d, k) => !used.has(k) && d.name === wanted);
        if (j < 0) j = pos; // names unusable: fall back to same position
        used.add(j);
        const d = details[j];
        const dShape = Array.from(d.shape);
        if (d.dtype !== t.dtype || dShape.length !== t.shape.length || dShape.some((v, k) => v !== t.shape[k])) {
          throw new Error(`${kind} ${pos} ('${t.name}'): LiteRT.js says ${d.dtype}${JSON.stringify(dShape)}, ` +
            `the .tflite file says ${t.dtype}${JSON.stringify(t.shape)}`);
        }
        return {index: pos, name: t.name, signatureName: d.name, litertIndex: j, tensorIndex,
          shape: dShape, dtype: t.dtype};
      });
    };
    const inputs = mapList('input', sg.inputs, lrtIn, sigDef?.inputs);
    const outputs = mapList('output', sg.outputs, lrtOut, sigDef?.outputs);
    return {path: modelPath, file: path.basename(modelPath), meta, compiled, signatureKey: sigKey,
      subgraphIndex: sgIndex, inputs, outputs, fileSha256: sha256(bytes)};
  } catch (e) {
    compiled.delete();
    throw e;
  }
}

// JSON with 2-space indentation but number arrays (shapes) on one line.
function toJson(obj) {
  return JSON.stringify(obj, null, 2).replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g,
    (_, body) => `[${body.split(/,\s*/).join(', ')}]`) + '\n';
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function describe(list) {
  return list.map((t) => `  [${t.index}] ${t.name}  ${t.dtype}${JSON.stringify(t.shape)}`).join('\n');
}

function resolveInputKey(model, key) {
  const byName = model.inputs.filter((t) => t.name === key || t.signatureName === key);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new Error(`input name '${key}' is ambiguous in ${model.file}`);
  if (/^\d+$/.test(key)) {
    const i = Number(key);
    if (i < model.inputs.length) return model.inputs[i];
  }
  throw new Error(`${model.file} has no input '${key}'. Inputs (name or 0-based index):\n${describe(model.inputs)}`);
}

/**
 * Runs one job: inputs is an array of [NAME_OR_INDEX, FILE] pairs.
 * Returns the outputs.json object.
 */
async function runJob(lrt, model, inputPairs, outputDir) {
  const files = new Array(model.inputs.length).fill(null);
  for (const [key, file] of inputPairs) {
    const t = resolveInputKey(model, String(key));
    if (files[t.index] !== null) throw new Error(`input ${t.index} ('${t.name}') given twice`);
    files[t.index] = file;
  }
  const missing = model.inputs.filter((t) => files[t.index] === null);
  if (missing.length > 0) {
    throw new Error(`${model.file}: missing --input for ${missing.map((t) => `'${t.name}'`).join(', ')}. ` +
      `Inputs (name or 0-based index):\n${describe(model.inputs)}`);
  }

  const tensors = [];
  const inputRecords = [];
  let outTensors = [];
  try {
    // Feed inputs in LiteRT.js signature order.
    const ordered = new Array(model.inputs.length);
    for (const t of model.inputs) {
      const Ctor = TYPED_ARRAYS[t.dtype];
      if (!Ctor) throw new Error(`input '${t.name}' has dtype ${t.dtype}, which LiteRT.js cannot take (float32, int32, uint8 only)`);
      const file = files[t.index];
      if (!fs.existsSync(file)) throw new Error(`input file not found: ${file}`);
      const raw = fs.readFileSync(file);
      const want = shapeElements(t.shape) * Ctor.BYTES_PER_ELEMENT;
      if (raw.length !== want) {
        throw new Error(`input '${t.name}' (${t.dtype}${JSON.stringify(t.shape)}) needs ${want} bytes, but ${file} has ${raw.length}`);
      }
      // Copy into a fresh, aligned ArrayBuffer (Buffers may be pooled/unaligned).
      const ab = new ArrayBuffer(raw.length);
      new Uint8Array(ab).set(raw);
      const tensor = new lrt.Tensor(new Ctor(ab), t.shape);
      tensors.push(tensor);
      ordered[t.litertIndex] = tensor;
      inputRecords.push({index: t.index, name: t.name, shape: t.shape, dtype: t.dtype, file: path.resolve(file), sha256: sha256(raw)});
    }
    litertErrors.length = 0;
    outTensors = await model.compiled.run(ordered);
    if (litertErrors.length > 0) throw new Error(`LiteRT failed to run ${model.file}: ${litertErrors.join(' | ')}`);
    fs.mkdirSync(outputDir, {recursive: true});
    // Remove results of an earlier run so the directory holds exactly this one.
    for (const f of fs.readdirSync(outputDir)) {
      if (/^output_\d+\.bin$/.test(f) || f === 'outputs.json') fs.rmSync(path.join(outputDir, f));
    }
    const outputs = [];
    for (const t of model.outputs) {
      const ot = outTensors[t.litertIndex];
      const arr = ot.toTypedArray();
      const bytes = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
      const want = shapeElements(t.shape) * (DTYPE_BYTES[t.dtype] ?? 0);
      if (bytes.length !== want) throw new Error(`output '${t.name}': got ${bytes.length} bytes, expected ${want}`);
      fs.writeFileSync(path.join(outputDir, `output_${t.index}.bin`), bytes);
      outputs.push({index: t.index, name: t.name, shape: t.shape, dtype: t.dtype, sha256: sha256(bytes)});
    }
    const result = {
      model: model.file,
      outputs,
      inputs: inputRecords,
      modelSha256: model.fileSha256,
      oracle: oracleInfo(),
    };
    fs.writeFileSync(path.join(outputDir, 'outputs.json'), toJson(result));
    return result;
  } finally {
    for (const t of tensors) t.delete();
    for (const t of outTensors) t.delete();
  }
}

let ORACLE_INFO = null;
function oracleInfo() {
  return ORACLE_INFO;
}

function listJson(model) {
  const strip = (t) => ({index: t.index, name: t.name, shape: t.shape, dtype: t.dtype});
  return {
    model: model.file,
    sha256: model.fileSha256,
    signature: model.signatureKey,
    subgraphs: model.meta.subgraphs.length,
    signatureDefs: model.meta.signatureDefs.map((s) => s.key),
    inputs: model.inputs.map(strip),
    outputs: model.outputs.map(strip),
  };
}

// ---------------------------------------------------------------------------
// Main

function readJobs(jobsFile) {
  let jobs;
  try {
    jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read jobs file ${jobsFile}: ${e.message}`);
  }
  if (!Array.isArray(jobs)) throw new UsageError(`${jobsFile}: expected a JSON array of jobs`);
  return jobs.map((j, n) => {
    if (!j || typeof j.model !== 'string') throw new UsageError(`${jobsFile}: job ${n} has no "model"`);
    if (typeof j.outputDir !== 'string') throw new UsageError(`${jobsFile}: job ${n} has no "outputDir"`);
    const ins = j.inputs ?? {};
    const pairs = Array.isArray(ins) ? ins.map((f, k) => [String(k), f]) : Object.entries(ins);
    for (const [, f] of pairs) {
      if (typeof f !== 'string') throw new UsageError(`${jobsFile}: job ${n}: input files must be strings`);
    }
    return {model: j.model, inputs: pairs, outputDir: j.outputDir};
  });
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`oracle: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.mode === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let jobs = null;
  if (opts.mode === 'batch') {
    try {
      jobs = readJobs(opts.jobsFile);
    } catch (e) {
      process.stderr.write(`oracle: ${e.message}\n`);
      return 2;
    }
  }

  const t0 = performance.now();
  const lrt = await loadRuntime(opts);
  const corePkg = JSON.parse(fs.readFileSync(path.join(CORE_DIR, 'package.json'), 'utf8'));
  ORACLE_INFO = {runtime: `@litertjs/core@${corePkg.version}`, wasm: WASM_BUILDS[opts.wasmBuild], accelerator: 'wasm', node: process.version};
  const tLoad = performance.now() - t0;
  if (opts.verbose) process.stderr.write(`oracle: LiteRT.js loaded in ${tLoad.toFixed(0)} ms\n`);

  if (opts.mode === 'list') {
    const model = await openModel(lrt, opts.model);
    process.stdout.write(toJson(listJson(model)));
    model.compiled.delete();
    return 0;
  }

  if (opts.mode === 'run') {
    const model = await openModel(lrt, opts.model);
    try {
      await runJob(lrt, model, opts.inputs, opts.outputDir);
    } finally {
      model.compiled.delete();
    }
    return 0;
  }

  // Batch: one process, wasm loaded once; consecutive jobs on the same model
  // reuse the compiled model. A failing job is reported and the rest still run.
  let failures = 0;
  let current = null;
  for (let n = 0; n < jobs.length; n++) {
    const job = jobs[n];
    const tj = performance.now();
    try {
      const resolved = path.resolve(job.model);
      if (!current || current.resolved !== resolved) {
        current?.model.compiled.delete();
        current = null;
        current = {resolved, model: await openModel(lrt, job.model)};
      }
      await runJob(lrt, current.model, job.inputs, job.outputDir);
      process.stderr.write(`oracle: job ${n} ok: ${current.model.file} -> ${job.outputDir} (${(performance.now() - tj).toFixed(0)} ms)\n`);
    } catch (e) {
      failures++;
      process.stderr.write(`oracle: job ${n} FAILED (${job.model}): ${e.message}\n`);
    }
  }
  current?.model.compiled.delete();
  process.stderr.write(`oracle: ${jobs.length - failures} of ${jobs.length} jobs ok in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return failures === 0 ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`oracle: error: ${e?.message ?? e}\n`);
  if (process.env.ORACLE_DEBUG) process.stderr.write(`${e?.stack}\n`);
  process.exitCode = 1;
});
