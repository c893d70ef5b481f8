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

/**
 * The prefix and header of a frame whose payload of `payloadBytes` follows. Writing the two
 * (corked, so they leave in one gathered write) sends a frame without copying its payload.
 */
export function encodeFrameHead(header: object, payloadBytes: number): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  if (head.length > MAX_HEADER_BYTES) throw new FramingError(`frame header of ${head.length} bytes exceeds ${MAX_HEADER_BYTES}`);
  if (payloadBytes > MAX_PAYLOAD_BYTES) throw new FramingError(`frame payload of ${payloadBytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const out = Buffer.allocUnsafe(PREFIX_BYTES + head.length);
  out.writeUInt32LE(head.length, 0);
  out.writeUInt32LE(payloadBytes, 4);
  head.copy(out, PREFIX_BYTES);
  return out;
}

/** A whole frame as one buffer. */
export function encodeFrame(header: object, payload: Uint8Array = new Uint8Array(0)): Buffer {
  return Buffer.concat([encodeFrameHead(header, payload.length), payload]);
}

/**
 * Incremental decoder. push() returns every frame completed by the chunk; bytes of an unfinished
 * frame are kept. Each payload is copied once, from the chunks straight into a buffer of its own
 * (so it owns its memory, a chunk can be collected, and float64 values can be viewed in place: it
 * starts at offset 0). A header past the size limit or one that is not JSON throws FramingError:
 * the stream cannot be trusted after that, so the caller closes it.
 */
export class FrameDecoder {
  /** Pieces of the current frame's prefix and header, until the header is complete. */
  private head: Buffer[] = [];
  private headBytes = 0;
  /** Known once the prefix is in. */
  private headerBytes = -1;
  private payloadBytes = 0;
  private header: unknown = null;
  /** Allocated once the header is in; filled as chunks arrive. */
  private payload: Buffer | null = null;
  private filled = 0;

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      if (this.payload === null) {
        const need = PREFIX_BYTES + Math.max(this.headerBytes, 0) - this.headBytes;
        const take = Math.min(need, chunk.length - at);
        if (take > 0) {
          this.head.push(chunk.subarray(at, at + take));
          this.headBytes += take;
          at += take;
        }
        if (take < need) return frames;
        if (this.headerBytes < 0) {
          this.readPrefix();
          continue;
        }
        this.readHeader();
      }
      const payload = this.payload!;
      const take = Math.min(payload.length - this.filled, chunk.length - at);
      chunk.copy(payload, this.filled, at, at + take);
      this.filled += take;
      at += take;
      if (this.filled < payload.length) return frames;
      frames.push({ header: this.header, payload });
      this.reset();
    }
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.headBytes + this.filled;
  }

  private readPrefix(): void {
    const prefix = Buffer.concat(this.head);
    this.head = [prefix];
    const headerBytes = prefix.readUInt32LE(0);
    const payloadBytes = prefix.readUInt32LE(4);
    if (headerBytes > MAX_HEADER_BYTES) throw new FramingError(`frame header of ${headerBytes} bytes exceeds ${MAX_HEADER_BYTES}`);
    if (payloadBytes > MAX_PAYLOAD_BYTES) throw new FramingError(`frame payload of ${payloadBytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
    this.headerBytes = headerBytes;
    this.payloadBytes = payloadBytes;
  }

  private readHeader(): void {
    const bytes = Buffer.concat(this.head);
    try {
      this.header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES));
    } catch (e) {
      throw new FramingError(`frame header is not JSON: ${(e as Error).message}`);
    }
    this.payload = this.payloadBytes > 0 ? Buffer.allocUnsafeSlow(this.payloadBytes) : Buffer.alloc(0);
    this.filled = 0;
  }

  private reset(): void {
    this.head = [];
    this.headBytes = 0;
    this.headerBytes = -1;
    this.payloadBytes = 0;
    this.header = null;
    this.payload = null;
    this.filled = 0;
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
