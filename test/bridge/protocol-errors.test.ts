/**
 * The Python server answers every malformed or unexpected message with an `error` reply that
 * names the field, and keeps serving. Raw frames are written to a real server's stdin (no client
 * class in between), so the server's own validation is what is tested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { encodeFrame, encodeVectors, FrameDecoder, type Frame } from '../../src/bridge/framing';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import { BRIDGE_EXIT_CODES, BRIDGE_PROTOCOL_VERSION, BridgeRequestSchemas, checkBridgeReply } from '../../src/protocol/bridge';
import { fixture, torchPython } from './helpers';

class RawServer {
  readonly child: ChildProcess;
  private readonly decoder = new FrameDecoder();
  private readonly frames: Frame[] = [];
  private waiting: ((f: Frame) => void) | null = null;
  readonly exited: Promise<number | null>;

  constructor(python: string, problem: string) {
    this.child = spawn(python, ['-m', 'neumann_lens', 'serve', '--problem', problem, '--dtype', 'float64'], {
      env: bridgeEnv(bridgePythonPath()),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.stdout!.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk)) {
        const w = this.waiting;
        this.waiting = null;
        if (w) w(f);
        else this.frames.push(f);
      }
    });
  }

  sendBytes(b: Buffer): void {
    this.child.stdin!.write(b);
  }

  /** The next reply, checked against the protocol's reply schema. */
  async next(): Promise<Record<string, any>> {
    const f = this.frames.shift() ?? (await new Promise<Frame>((resolve) => (this.waiting = resolve)));
    assert.equal(checkBridgeReply(f.header), null, `malformed reply ${JSON.stringify(f.header)}`);
    return f.header as Record<string, any>;
  }

  async ask(header: object, payload?: Uint8Array): Promise<Record<string, any>> {
    this.sendBytes(encodeFrame(header, payload));
    return this.next();
  }
}

function rawFrame(headerText: string, payload = Buffer.alloc(0)): Buffer {
  const head = Buffer.from(headerText, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(head.length, 0);
  prefix.writeUInt32LE(payload.length, 4);
  return Buffer.concat([prefix, head, payload]);
}

function assertError(reply: Record<string, any>, field: string, message: RegExp, id: number | null): void {
  assert.equal(reply.type, 'error', JSON.stringify(reply));
  assert.equal(reply.id, id);
  assert.equal(reply.error.code, 'protocol');
  assert.equal(reply.error.field, field, JSON.stringify(reply.error));
  assert.match(reply.error.message, message);
}

test('malformed headers, unknown types and payload mismatches get error replies naming the field; the server keeps serving', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const s = new RawServer(python, fixture('conv_net.py'));
  try {
    assertError(await s.ask({ type: 'getParams', id: 1 }), 'type', /first message must be hello/, 1);
    assertError(await s.ask({ type: 'hello', id: 2, protocolVersion: 99 }), 'protocolVersion', new RegExp(`version 99.*speaks ${BRIDGE_PROTOCOL_VERSION} `), 2);
    const ready = await s.ask({ type: 'hello', id: 3, protocolVersion: BRIDGE_PROTOCOL_VERSION });
    assert.equal(ready.type, 'ready');
    const n = ready.params.count as number;

    s.sendBytes(rawFrame('{"type": "loss", "id": 4,'));
    assertError(await s.next(), '(header)', /not UTF-8 JSON/, null);
    s.sendBytes(rawFrame('[1, 2]'));
    assertError(await s.next(), '(header)', /JSON object/, null);
    s.sendBytes(rawFrame(Buffer.from([0xff, 0xfe, 0x7b]).toString('latin1')));
    assertError(await s.next(), '(header)', /not UTF-8 JSON/, null);
    assertError(await s.ask({ id: 5 }), 'type', /missing message type/, 5);
    assertError(await s.ask({ type: 'frobnicate', id: 6 }), 'type', /unknown message type 'frobnicate'.*hello, getParams/, 6);
    assertError(await s.ask({ type: 'loss', id: 7, split: 'test' }), 'split', /expected "train" or "val"/, 7);
    assertError(await s.ask({ type: 'loss', id: 8, split: 'train', foo: 1 }), 'foo', /unknown field/, 8);
    assertError(await s.ask({ type: 'loss', split: 'train' }), 'id', /missing/, null);
    assertError(await s.ask({ type: 'loss', id: 'nine', split: 'train' }), 'id', /expected an integer/, null);
    assertError(await s.ask({ type: 'hvp', id: 10, vectors: { dtype: 'float64', count: 1.5, length: n } }), 'vectors.count', /integer/, 10);

    const one = encodeVectors([new Float64Array(n)], 'float64');
    assertError(await s.ask({ type: 'setParams', id: 11, vectors: one.vectors }, one.payload.subarray(8)), 'vectors', /payload has \d+ bytes/, 11);
    const short = encodeVectors([new Float64Array(n - 1)], 'float64');
    assertError(await s.ask({ type: 'setParams', id: 12, vectors: short.vectors }, short.payload), 'vectors.length', new RegExp(`expected vectors of length ${n}`), 12);
    assertError(await s.ask({ type: 'getParams', id: 13 }, new Uint8Array(8)), '(payload)', /carries no payload/, 13);
    assertError(await s.ask({ type: 'train', id: 14, steps: 1, epochs: 1, learningRate: 0.1, weightDecay: 0 }), 'steps', /exactly one of steps and epochs/, 14);
    assertError(await s.ask({ type: 'train', id: 15, steps: 1, learningRate: 0.1, weightDecay: 'perParameter' }), 'vectors', /needs a vectors block/, 15);
    const nan = encodeVectors([new Float64Array(n).fill(NaN)], 'float64');
    assertError(await s.ask({ type: 'setParams', id: 16, vectors: nan.vectors }, nan.payload), '(payload)', /non-finite/, 16);
    assertError(await s.ask({ type: 'hello', id: 17, protocolVersion: 1 }), 'type', /already received/, 17);

    const ok = await s.ask({ type: 'loss', id: 18, split: 'train' });
    assert.equal(ok.type, 'lossValue');
    assert.equal(ok.id, 18);
    assert.equal(typeof ok.value, 'number');

    // A frame prefix past the header limit: the stream cannot be resynchronised, so the server says so and exits.
    const huge = Buffer.alloc(8);
    huge.writeUInt32LE(0xffffffff, 0);
    s.sendBytes(huge);
    assertError(await s.next(), '(frame)', /exceeds the limit/, null);
    assert.equal(await s.exited, BRIDGE_EXIT_CODES.protocol);
  } finally {
    s.child.kill('SIGKILL');
  }
});

/** A valid value for every field a request requires (besides type and id); `n` is the parameter count. */
const VALID_FIELD: Record<string, (n: number) => unknown> = {
  protocolVersion: () => BRIDGE_PROTOCOL_VERSION,
  vectors: (n) => ({ dtype: 'float64', count: 1, length: n }),
  split: () => 'train',
  learningRate: () => 0.1,
  weightDecay: () => 0,
  action: () => 'mark',
};

test('every request type: each required field missing, and an unknown field, get an error naming that field', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const s = new RawServer(python, fixture('conv_net.py'));
  try {
    const ready = await s.ask({ type: 'hello', id: 1, protocolVersion: BRIDGE_PROTOCOL_VERSION });
    assert.equal(ready.type, 'ready');
    const n = ready.params.count as number;
    let id = 100;
    const types = Object.keys(BridgeRequestSchemas) as (keyof typeof BridgeRequestSchemas)[];
    assert.ok(types.includes('shutdown') && types.length >= 8, types.join(', '));
    for (const type of types) {
      const required = (BridgeRequestSchemas[type].required ?? []).filter((k) => k !== 'type' && k !== 'id');
      const unlisted = required.filter((k) => !(k in VALID_FIELD));
      assert.deepEqual(unlisted, [], `${type}: give VALID_FIELD a value for ${unlisted.join(', ')}`);
      const complete = Object.fromEntries(required.map((k) => [k, VALID_FIELD[k](n)]));
      for (const missing of required) {
        const { [missing]: _gone, ...header } = complete;
        assertError(await s.ask({ type, id: ++id, ...header }), missing, new RegExp(`^${type}: ${missing}: missing \\(expected `), id);
      }
      assertError(await s.ask({ type, id: ++id, ...complete, colour: 'blue' }), 'colour', new RegExp(`^${type}: colour: unknown field \\(known: `), id);
    }
    // None of that ended the server or its session: it still answers.
    const ok = await s.ask({ type: 'loss', id: ++id, split: 'val' });
    assert.equal(ok.type, 'lossValue');
  } finally {
    s.child.kill('SIGKILL');
  }
});
