// JPEG extended (process 2/4): sequential Huffman DCT with 12-bit samples, which neither the
// libjpeg-turbo 8-bit codec nor the lossless decoder handles. Written to ITU-T T.81 (sections
// F.2.2 Huffman decoding, A.3.3 IDCT); float IDCT, so values may differ by ±1 from libjpeg's
// integer IDCT (this syntax is lossy anyway).

const ZIGZAG = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36,
  29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

interface Huffman {
  /** maxCode[l] = largest code of length l (or -1); valPtr/minCode as in T.81 F.2.2.3. */
  maxCode: Int32Array;
  minCode: Int32Array;
  valPtr: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksWide: number;
  blocksHigh: number;
  coefficients: Float32Array;
  pred: number;
  dc?: Huffman;
  ac?: Huffman;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxCode = new Int32Array(18).fill(-1);
  const minCode = new Int32Array(17);
  const valPtr = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    valPtr[l] = k;
    minCode[l] = code;
    code += counts[l - 1];
    k += counts[l - 1];
    maxCode[l] = counts[l - 1] > 0 ? code - 1 : -1;
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { maxCode, minCode, valPtr, values };
}

// Cosine table for the separable IDCT: COS[x*8+u] = C(u)/2 * cos((2x+1)uπ/16).
const COS = new Float32Array(64);
for (let x = 0; x < 8; x++) for (let u = 0; u < 8; u++) COS[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);

function idctBlock(input: Float32Array, offset: number, out: Float32Array, tmp: Float32Array): void {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let v = 0; v < 8; v++) sum += COS[y * 8 + v] * input[offset + v * 8 + u];
      tmp[y * 8 + u] = sum;
    }
  }
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let u = 0; u < 8; u++) sum += COS[x * 8 + u] * tmp[y * 8 + u];
      out[y * 8 + x] = sum;
    }
  }
}

class BitReader {
  private bits = 0;
  private count = 0;
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
  ) {}

  /** Entropy-coded data ends at a marker or the end of the stream; decoding past it is an error, not zeros. */
  private fill(): void {
    const byte = this.pos < this.data.length ? this.data[this.pos] : undefined;
    if (byte === undefined || (byte === 0xff && this.data[this.pos + 1] !== 0x00)) {
      throw new Error(`JPEG entropy-coded data ends at byte ${this.pos} before the scan's last block`);
    }
    this.pos += byte === 0xff ? 2 : 1;
    this.bits = ((this.bits << 8) | byte) & 0xffff;
    this.count += 8;
  }

  bit(): number {
    if (this.count === 0) this.fill();
    this.count -= 1;
    return (this.bits >> this.count) & 1;
  }

  receive(length: number): number {
    let value = 0;
    for (let i = 0; i < length; i++) value = (value << 1) | this.bit();
    return value;
  }

  decode(table: Huffman): number {
    let code = this.bit();
    let length = 1;
    while (code > table.maxCode[length]) {
      code = (code << 1) | this.bit();
      length += 1;
      if (length > 16) throw new Error("corrupt Huffman code in JPEG scan");
    }
    return table.values[table.valPtr[length] + code - table.minCode[length]];
  }

  /** Discards buffered bits and steps over an RSTn marker. */
  restart(): void {
    this.bits = 0;
    this.count = 0;
    const atRestartMarker = () => this.data[this.pos] === 0xff && this.data[this.pos + 1] >= 0xd0 && this.data[this.pos + 1] <= 0xd7;
    while (this.pos + 1 < this.data.length && !atRestartMarker()) this.pos += 1;
    this.pos += 2;
  }
}

function extend(value: number, length: number): number {
  return length === 0 ? 0 : value < 1 << (length - 1) ? value - (1 << length) + 1 : value;
}

/** Decodes a sequential Huffman DCT JPEG (8- or 12-bit) into samples, components interleaved per pixel. */
export function decodeJpeg12(data: Uint8Array): Int32Array {
  const quant: Float32Array[] = [];
  const dcTables: Huffman[] = [];
  const acTables: Huffman[] = [];
  let components: Component[] = [];
  let width = 0;
  let height = 0;
  let precision = 8;
  let hMax = 1;
  let vMax = 1;
  let restartInterval = 0;
  let pos = 2;
  const u16 = (at: number) => (data[at] << 8) | data[at + 1];
  let scans = 0;
  for (;;) {
    // Streams that stop (or are padded) after the last scan without a clean EOI are still complete.
    if (pos + 2 > data.length) {
      if (scans > 0) break;
      throw new Error("JPEG stream ends before its first scan");
    }
    if (data[pos] !== 0xff) throw new Error(`invalid JPEG marker at byte ${pos}`);
    const marker = data[pos + 1];
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === 0xd9) break;
    if (pos + 4 > data.length) throw new Error("JPEG stream ends inside a marker segment");
    const length = u16(pos + 2);
    const segment = pos + 4;
    const end = pos + 2 + length;
    if (marker === 0xdb) {
      for (let p = segment; p < end; ) {
        const wide = data[p] >> 4;
        const id = data[p] & 15;
        const table = new Float32Array(64);
        p += 1;
        for (let k = 0; k < 64; k++, p += wide ? 2 : 1) table[k] = wide ? u16(p) : data[p];
        quant[id] = table;
      }
    } else if (marker === 0xc4) {
      for (let p = segment; p < end; ) {
        const cls = data[p] >> 4;
        const id = data[p] & 15;
        const counts = data.subarray(p + 1, p + 17);
        const total = counts.reduce((a, b) => a + b, 0);
        const table = buildHuffman(counts, data.slice(p + 17, p + 17 + total));
        (cls === 0 ? dcTables : acTables)[id] = table;
        p += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      precision = data[segment];
      height = u16(segment + 1);
      width = u16(segment + 3);
      const n = data[segment + 5];
      components = [];
      for (let i = 0; i < n; i++) {
        const at = segment + 6 + 3 * i;
        const sampling = data[at + 1];
        const component = { id: data[at], h: sampling >> 4, v: sampling & 15, tq: data[at + 2] };
        components.push({ ...component, blocksWide: 0, blocksHigh: 0, coefficients: new Float32Array(0), pred: 0 });
      }
      hMax = Math.max(...components.map((c) => c.h));
      vMax = Math.max(...components.map((c) => c.v));
      const mcusWide = Math.ceil(width / (8 * hMax));
      const mcusHigh = Math.ceil(height / (8 * vMax));
      for (const c of components) {
        c.blocksWide = mcusWide * c.h;
        c.blocksHigh = mcusHigh * c.v;
        c.coefficients = new Float32Array(c.blocksWide * c.blocksHigh * 64);
      }
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`JPEG process with SOF marker 0x${marker.toString(16)} is not supported by the 12-bit decoder`);
    } else if (marker === 0xdd) {
      restartInterval = u16(segment);
    } else if (marker === 0xda) {
      if (components.length === 0) throw new Error("JPEG scan before frame header");
      const n = data[segment];
      const scan: Component[] = [];
      for (let i = 0; i < n; i++) {
        const c = components.find((x) => x.id === data[segment + 1 + 2 * i]);
        if (!c) throw new Error("JPEG scan names an unknown component");
        const tables = data[segment + 2 + 2 * i];
        c.dc = dcTables[tables >> 4];
        c.ac = acTables[tables & 15];
        if (!c.dc || !c.ac || !quant[c.tq]) throw new Error("JPEG scan uses an undefined Huffman or quantisation table");
        scan.push(c);
      }
      pos = decodeScan(data, end, scan, hMax, vMax, width, height, restartInterval);
      scans += 1;
      continue;
    }
    pos = end;
  }
  if (components.length === 0) throw new Error("JPEG stream has no frame header");
  return assemble(components, quant, width, height, precision, hMax, vMax);
}

function decodeBlock(reader: BitReader, c: Component, blockIndex: number): void {
  const coef = c.coefficients;
  const base = blockIndex * 64;
  const s = reader.decode(c.dc!);
  c.pred += extend(reader.receive(s), s);
  coef[base] = c.pred;
  for (let k = 1; k < 64; ) {
    const rs = reader.decode(c.ac!);
    const r = rs >> 4;
    const size = rs & 15;
    if (size === 0) {
      if (r !== 15) break;
      k += 16;
      continue;
    }
    k += r;
    if (k > 63) throw new Error("corrupt JPEG block (coefficient index past 63)");
    coef[base + ZIGZAG[k]] = extend(reader.receive(size), size);
    k += 1;
  }
}

function decodeScan(
  data: Uint8Array,
  start: number,
  scan: Component[],
  hMax: number,
  vMax: number,
  width: number,
  height: number,
  restartInterval: number,
): number {
  const reader = new BitReader(data, start);
  for (const c of scan) c.pred = 0;
  const single = scan.length === 1;
  const c0 = scan[0];
  // A single-component scan covers only that component's own blocks (T.81 A.2.2).
  const wide = single ? Math.ceil(Math.ceil((width * c0.h) / hMax) / 8) : Math.ceil(width / (8 * hMax));
  const high = single ? Math.ceil(Math.ceil((height * c0.v) / vMax) / 8) : Math.ceil(height / (8 * vMax));
  const total = wide * high;
  for (let mcu = 0; mcu < total; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      for (const c of scan) c.pred = 0;
    }
    const row = Math.floor(mcu / wide);
    const col = mcu % wide;
    if (single) {
      decodeBlock(reader, c0, row * c0.blocksWide + col);
    } else {
      for (const c of scan) {
        for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) decodeBlock(reader, c, (row * c.v + v) * c.blocksWide + col * c.h + h);
      }
    }
  }
  // Continue at the next marker after the entropy-coded data.
  let pos = reader.pos;
  while (pos + 1 < data.length && !(data[pos] === 0xff && data[pos + 1] !== 0x00 && !(data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7))) pos += 1;
  return pos;
}

function assemble(components: Component[], quant: Float32Array[], width: number, height: number, precision: number, hMax: number, vMax: number): Int32Array {
  const n = components.length;
  const out = new Int32Array(width * height * n);
  const shift = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  const dequantised = new Float32Array(64);
  const tmp = new Float32Array(64);
  const spatial = new Float32Array(64);
  components.forEach((c, ci) => {
    const q = quant[c.tq];
    const planeWidth = c.blocksWide * 8;
    const plane = new Float32Array(planeWidth * c.blocksHigh * 8);
    for (let by = 0; by < c.blocksHigh; by++) {
      for (let bx = 0; bx < c.blocksWide; bx++) {
        const base = (by * c.blocksWide + bx) * 64;
        for (let k = 0; k < 64; k++) dequantised[ZIGZAG[k]] = c.coefficients[base + ZIGZAG[k]] * q[k];
        idctBlock(dequantised, 0, spatial, tmp);
        for (let y = 0; y < 8; y++) plane.set(spatial.subarray(y * 8, y * 8 + 8), (by * 8 + y) * planeWidth + bx * 8);
      }
    }
    const sx = c.h / hMax;
    const sy = c.v / vMax;
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y * sy) * planeWidth;
      for (let x = 0; x < width; x++) {
        const value = Math.round(plane[row + Math.floor(x * sx)] + shift);
        out[(y * width + x) * n + ci] = value < 0 ? 0 : value > max ? max : value;
      }
    }
  });
  return out;
}
