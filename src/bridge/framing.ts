/**
 * Frames of the bridge protocol on a byte stream (see src/protocol/bridge.ts):
 * `u32le headerBytes | u32le payloadBytes | header (UTF-8 JSON) | payload`. Pure: the encoder
 * returns bytes and the decoder is fed chunks as they arrive, split or coalesced anywhere.
 */
import { MAX_HEADER_BYTES, type VectorsBlock } from '../protocol/bridge';

export const PREFIX_BYTES = 8;
/** Payloads are capped below the u32 limit so one frame never needs a 4 GiB buffer. */
export const MAX_PAYLOAD_BYTES = 0x7fff_ffff;

export interface Frame {
  /** The header parsed as JSON (not yet validated). */
  header: unknown;
  payload: Buffer;
}

export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

export function encodeFrame(header: object, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  if (head.length > MAX_HEADER_BYTES) throw new FramingError(`frame header of ${head.length} bytes exceeds ${MAX_HEADER_BYTES}`);
  if (payload.length > MAX_PAYLOAD_BYTES) throw new FramingError(`frame payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const out = Buffer.allocUnsafe(PREFIX_BYTES + head.length + payload.length);
  out.writeUInt32LE(head.length, 0);
  out.writeUInt32LE(payload.length, 4);
  head.copy(out, PREFIX_BYTES);
  out.set(payload, PREFIX_BYTES + head.length);
  return out;
}

/**
 * Incremental decoder. push() returns every frame completed by the chunk; bytes of an unfinished
 * frame are kept. A header past the size limit or one that is not JSON throws FramingError: the
 * stream cannot be trusted after that, so the caller closes it.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < PREFIX_BYTES) return frames;
      const prefix = this.peek(PREFIX_BYTES);
      const headerBytes = prefix.readUInt32LE(0);
      const payloadBytes = prefix.readUInt32LE(4);
      if (headerBytes > MAX_HEADER_BYTES) throw new FramingError(`frame header of ${headerBytes} bytes exceeds ${MAX_HEADER_BYTES}`);
      if (payloadBytes > MAX_PAYLOAD_BYTES) throw new FramingError(`frame payload of ${payloadBytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
      const total = PREFIX_BYTES + headerBytes + payloadBytes;
      if (this.buffered < total) return frames;
      const bytes = this.take(total);
      let header: unknown;
      try {
        header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerBytes));
      } catch (e) {
        throw new FramingError(`frame header is not JSON: ${(e as Error).message}`);
      }
      // A copy, so the payload owns its memory and the chunk can be collected.
      frames.push({ header, payload: Buffer.from(bytes.subarray(PREFIX_BYTES + headerBytes)) });
    }
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.buffered -= n;
    return all.subarray(0, n);
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** k vectors of equal length as one payload of `dtype` values, and the header block that describes it. */
export function encodeVectors(vs: readonly Float64Array[], dtype: 'float64' | 'float32'): { vectors: VectorsBlock; payload: Uint8Array } {
  const n = vs.length > 0 ? vs[0].length : 0;
  for (const [i, v] of vs.entries()) {
    if (v.length !== n) throw new RangeError(`vector ${i} has length ${v.length}, vector 0 has ${n}`);
  }
  const width = dtype === 'float64' ? 8 : 4;
  const payload = new Uint8Array(vs.length * n * width);
  if (littleEndian) {
    const view = dtype === 'float64' ? new Float64Array(payload.buffer) : new Float32Array(payload.buffer);
    vs.forEach((v, i) => view.set(v, i * n));
  } else {
    const dv = new DataView(payload.buffer);
    vs.forEach((v, i) => v.forEach((x, j) => (width === 8 ? dv.setFloat64 : dv.setFloat32).call(dv, (i * n + j) * width, x, true)));
  }
  return { vectors: { dtype, count: vs.length, length: n }, payload };
}

/**
 * The payload's vectors as float64 (float32 values widen exactly); they may share the payload's
 * memory. Throws when the sizes disagree.
 */
export function decodeVectors(block: VectorsBlock, payload: Uint8Array): Float64Array[] {
  const width = block.dtype === 'float64' ? 8 : 4;
  const expected = block.count * block.length * width;
  if (payload.length !== expected) {
    throw new FramingError(`payload has ${payload.length} bytes, vectors ${block.count}×${block.length} ${block.dtype} need ${expected}`);
  }
  // A typed-array view needs an aligned offset; a payload slice may start at any byte, so copy then.
  let bytes = payload;
  if (payload.byteOffset % width !== 0) {
    bytes = new Uint8Array(expected);
    bytes.set(payload);
  }
  let flat: Float64Array;
  const count = block.count * block.length;
  if (littleEndian) {
    flat =
      block.dtype === 'float64'
        ? new Float64Array(bytes.buffer, bytes.byteOffset, count)
        : Float64Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, count));
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, expected);
    flat = new Float64Array(count);
    for (let i = 0; i < flat.length; i++) flat[i] = width === 8 ? dv.getFloat64(i * 8, true) : dv.getFloat32(i * 4, true);
  }
  const out: Float64Array[] = [];
  for (let i = 0; i < block.count; i++) out.push(flat.subarray(i * block.length, (i + 1) * block.length));
  return out;
}
