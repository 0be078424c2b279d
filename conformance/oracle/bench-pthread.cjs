// Entry point of LiteRT.js pthread workers for bench.mjs --wasm-build threaded under Node. Emscripten starts each
// pthread as `new Worker(mainScriptUrlOrBlob, {workerData: 'em-pthread'})`; the glue cannot be that script itself
// because Node would load it as an ES module (its package is "type": "module"). This CommonJS file evaluates the
// glue as CommonJS instead, whose last lines start the pthread runtime when workerData is 'em-pthread'.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const {createRequire} = require('node:module');

const glue = path.join(__dirname, 'node_modules', '@litertjs', 'core', 'wasm', 'litert_wasm_threaded_internal.js');
const fn = vm.compileFunction(fs.readFileSync(glue, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], {filename: glue});
const mod = {exports: {}};
fn.call(mod.exports, mod.exports, createRequire(glue), mod, glue, path.dirname(glue));
