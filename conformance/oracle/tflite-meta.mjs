// Minimal, dependency-free reader for the parts of a .tflite flatbuffer
// (schema: tensorflow/compiler/mlir/lite/schema/schema.fbs) that the oracle
// needs: subgraph 0's tensors, its input/output tensor index lists (the
// "model order") and the SignatureDefs. Weights and operators are not read.

// TensorType enum of the TFLite schema, index = enum value.
export const TFLITE_TENSOR_TYPES = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16',
  'complex64', 'int8', 'float64', 'complex128', 'uint64', 'resource',
  'variant', 'uint32', 'uint16', 'int4', 'bfloat16',
];

class Table {
  constructor(view, pos) {
    this.view = view;
    this.pos = pos;
    this.vtable = pos - view.getInt32(pos, true);
    this.vtableSize = view.getUint16(this.vtable, true);
  }
  fieldPos(id) {
    const entry = 4 + 2 * id;
    if (entry >= this.vtableSize) return 0;
    const off = this.view.getUint16(this.vtable + entry, true);
    return off === 0 ? 0 : this.pos + off;
  }
  deref(p) {
    return p + this.view.getUint32(p, true);
  }
  u8(id, dflt = 0) {
    const p = this.fieldPos(id);
    return p ? this.view.getUint8(p) : dflt;
  }
  u32(id, dflt = 0) {
    const p = this.fieldPos(id);
    return p ? this.view.getUint32(p, true) : dflt;
  }
  string(id) {
    const p = this.fieldPos(id);
    if (!p) return null;
    const s = this.deref(p);
    const len = this.view.getUint32(s, true);
    return new TextDecoder().decode(
      new Uint8Array(this.view.buffer, this.view.byteOffset + s + 4, len));
  }
  vectorStart(id) {
    const p = this.fieldPos(id);
    if (!p) return null;
    const v = this.deref(p);
    return {start: v + 4, length: this.view.getUint32(v, true)};
  }
  int32Vector(id) {
    const v = this.vectorStart(id);
    if (!v) return [];
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(this.view.getInt32(v.start + 4 * i, true));
    return out;
  }
  tableVector(id) {
    const v = this.vectorStart(id);
    if (!v) return [];
    const out = [];
    for (let i = 0; i < v.length; i++) {
      const elem = v.start + 4 * i;
      out.push(new Table(this.view, this.deref(elem)));
    }
    return out;
  }
}

/**
 * Reads the tensor metadata of a .tflite model.
 * @param {Uint8Array} bytes the whole .tflite file
 * @returns {{version:number, description:string|null,
 *   subgraphs: {name:string|null, inputs:number[], outputs:number[],
 *               tensors:{name:string, shape:number[], dtype:string}[]}[],
 *   signatureDefs: {key:string|null, subgraphIndex:number,
 *               inputs:{name:string, tensorIndex:number}[],
 *               outputs:{name:string, tensorIndex:number}[]}[]}}
 */
export function readTfliteMeta(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) throw new Error('file too small to be a .tflite model');
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new Error(`not a .tflite flatbuffer (file identifier '${ident}', expected 'TFL3')`);
  const model = new Table(view, view.getUint32(0, true));
  // Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description,
  //        4 buffers, 5 metadata_buffer, 6 metadata, 7 signature_defs
  const subgraphs = model.tableVector(2).map((sg) => {
    // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
    const tensors = sg.tableVector(0).map((t) => {
      // Tensor: 0 shape, 1 type, 2 buffer, 3 name, ...
      const type = t.u8(1, 0);
      return {
        name: t.string(3) ?? '',
        shape: t.int32Vector(0),
        dtype: TFLITE_TENSOR_TYPES[type] ?? `tflite_type_${type}`,
      };
    });
    return {name: sg.string(4), inputs: sg.int32Vector(1), outputs: sg.int32Vector(2), tensors};
  });
  const signatureDefs = model.tableVector(7).map((sd) => {
    // SignatureDef: 0 inputs, 1 outputs, 2 signature_key, 3 (deprecated), 4 subgraph_index
    // TensorMap: 0 name, 1 tensor_index
    const maps = (id) => sd.tableVector(id).map((m) => ({name: m.string(0) ?? '', tensorIndex: m.u32(1)}));
    return {key: sd.string(2), subgraphIndex: sd.u32(4), inputs: maps(0), outputs: maps(1)};
  });
  return {version: model.u32(0), description: model.string(3), subgraphs, signatureDefs};
}
