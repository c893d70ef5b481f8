import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeVectors, encodeFrame, encodeFrameHead, encodeVectors, FrameDecoder, FramingError, PREFIX_BYTES } from '../../src/bridge/framing';
import { MAX_HEADER_BYTES } from '../../src/protocol/bridge';

const frames = [
  { header: { type: 'hello', id: 1, protocolVersion: 1 }, payload: new Uint8Array(0) },
  { header: { type: 'hvp', id: 2, text: 'ünïcödé ∇²' }, payload: Uint8Array.from({ length: 37 }, (_, i) => (i * 7) & 255) },
  { header: {}, payload: new Uint8Array([0, 0, 0, 0, 255, 255, 255, 255]) },
];
const stream = Buffer.concat(frames.map((f) => encodeFrame(f.header, f.payload)));

function decodeAll(chunks: Buffer[]): { header: unknown; payload: number[] }[] {
  const d = new FrameDecoder();
  const out = chunks.flatMap((c) => d.push(c));
  assert.equal(d.pending, 0);
  return out.map((f) => ({ header: f.header, payload: [...f.payload] }));
}
const expected = frames.map((f) => ({ header: f.header, payload: [...f.payload] }));

test('frame layout: u32le header length, u32le payload length, UTF-8 JSON header, payload', () => {
  const f = encodeFrame({ a: 'é' }, new Uint8Array([9, 8]));
  const head = Buffer.from(JSON.stringify({ a: 'é' }), 'utf8');
  assert.equal(f.readUInt32LE(0), head.length);
  assert.equal(f.readUInt32LE(4), 2);
  assert.deepEqual(f.subarray(PREFIX_BYTES, PREFIX_BYTES + head.length), head);
  assert.deepEqual([...f.subarray(PREFIX_BYTES + head.length)], [9, 8]);
});

test('coalesced frames in one chunk decode to every frame in order', () => {
  assert.deepEqual(decodeAll([stream]), expected);
});

test('a stream split at every byte boundary decodes the same', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.deepEqual(decodeAll([stream.subarray(0, cut), stream.subarray(cut)]), expected, `split at ${cut}`);
  }
});

test('a stream fed one byte at a time decodes the same, with nothing early', () => {
  const d = new FrameDecoder();
  const got: unknown[] = [];
  const firstEnd = encodeFrame(frames[0].header, frames[0].payload).length;
  for (let i = 0; i < stream.length; i++) {
    const out = d.push(stream.subarray(i, i + 1));
    if (i < firstEnd - 1) assert.equal(out.length, 0);
    got.push(...out.map((f) => ({ header: f.header, payload: [...f.payload] })));
  }
  assert.deepEqual(got, expected);
});

test('a header past the limit and a header that is not JSON are framing errors', () => {
  const big = Buffer.alloc(8);
  big.writeUInt32LE(MAX_HEADER_BYTES + 1, 0);
  assert.throws(() => new FrameDecoder().push(big), FramingError);
  const bad = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x}')]);
  assert.throws(() => new FrameDecoder().push(bad), /not JSON/);
});

test('vectors: float64 round-trip is exact; float32 rounds each value once; byte order is little-endian', () => {
  const vs = [Float64Array.from([1, -2.5, Math.PI, 1e-300]), Float64Array.from([0, Number.MAX_VALUE, -0, 1 / 3])];
  const e64 = encodeVectors(vs, 'float64');
  assert.deepEqual(e64.vectors, { dtype: 'float64', count: 2, length: 4 });
  assert.equal(Buffer.from(e64.payload).readDoubleLE(16), Math.PI);
  assert.deepEqual(decodeVectors(e64.vectors, e64.payload), vs);
  const e32 = encodeVectors(vs, 'float32');
  assert.equal(e32.payload.length, 32);
  assert.equal(Buffer.from(e32.payload).readFloatLE(8), Math.fround(Math.PI));
  assert.deepEqual([...decodeVectors(e32.vectors, e32.payload)[0]], [1, -2.5, Math.fround(Math.PI), 0]);
});

test('vectors: an unaligned payload slice decodes; a size mismatch is an error', () => {
  const { vectors, payload } = encodeVectors([Float64Array.from([1.5, 2.5, 3.5])], 'float64');
  const shifted = Buffer.concat([Buffer.from([7]), Buffer.from(payload)]).subarray(1);
  assert.notEqual(shifted.byteOffset % 8, 0);
  assert.deepEqual([...decodeVectors(vectors, shifted)[0]], [1.5, 2.5, 3.5]);
  assert.throws(() => decodeVectors({ ...vectors, count: 2 }, payload), /payload has 24 bytes/);
  assert.throws(() => encodeVectors([new Float64Array(2), new Float64Array(3)], 'float64'), /length 3/);
});

test('a payload spread over many chunks decodes into a buffer of its own, at offset 0, that later chunks do not touch', () => {
  const values = Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 1e3);
  const { vectors, payload } = encodeVectors([values], 'float64');
  const bytes = Buffer.concat([encodeFrame({ type: 'hvpValue', id: 7, vectors }, payload), encodeFrame({ type: 'done', id: 8 })]);
  const d = new FrameDecoder();
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) chunks.push(Buffer.from(bytes.subarray(at, at + 65_536)));
  const out = chunks.flatMap((c) => d.push(c));
  assert.equal(d.pending, 0);
  assert.deepEqual(out.map((f) => f.header), [{ type: 'hvpValue', id: 7, vectors }, { type: 'done', id: 8 }]);
  const got = out[0].payload;
  assert.equal(got.byteOffset, 0);
  for (const c of chunks) c.fill(0);
  assert.deepEqual(decodeVectors(vectors, got)[0], values);
  assert.equal(out[1].payload.length, 0);
});

test('encodeFrameHead is encodeFrame without the payload', () => {
  const payload = Uint8Array.from([1, 2, 3, 4, 5]);
  assert.deepEqual(Buffer.concat([encodeFrameHead({ type: 'x', id: 1 }, payload.length), payload]), encodeFrame({ type: 'x', id: 1 }, payload));
});
