/**
 * One declaration of the protocol: the committed python/neumann_lens/protocol.schema.json is what
 * scripts/gen-bridge-schema.ts makes from src/protocol/bridge.ts, and the Python validator accepts
 * and refuses the same headers as TypeBox's Value.Check (run side by side on the same cases).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { bridgeSchemaText, BridgeRequestSchemas, checkBridgeReply } from '../../src/protocol/bridge';
import { BRIDGE_SCHEMA_PATH } from '../../scripts/gen-bridge-schema';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import { torchPython } from './helpers';

test('the committed protocol.schema.json is up to date with src/protocol/bridge.ts (run npm run build)', () => {
  assert.equal(readFileSync(BRIDGE_SCHEMA_PATH, 'utf8'), bridgeSchemaText());
  assert.equal(BRIDGE_SCHEMA_PATH, join(bridgePythonPath(), 'neumann_lens', 'protocol.schema.json'));
});

const vectors = { dtype: 'float64', count: 2, length: 5 };
const cases: Record<string, unknown>[] = [
  { type: 'hello', id: 0, protocolVersion: 1 },
  { type: 'hello', id: 1, protocolVersion: 1, token: 'secret' },
  { type: 'hello', id: 1, protocolVersion: 1, token: 7 },
  { type: 'hello', id: 1, protocolVersion: 1.5 },
  { type: 'hello', id: -1, protocolVersion: 1 },
  { type: 'hello', id: 1 },
  { type: 'getParams', id: 3 },
  { type: 'getParams', id: 3, extra: true },
  { type: 'getParams', id: '3' },
  { type: 'getParams', id: true },
  { type: 'setParams', id: 4, vectors },
  { type: 'setParams', id: 4, vectors: { ...vectors, dtype: 'float16' } },
  { type: 'setParams', id: 4, vectors: { dtype: 'float64', count: 1 } },
  { type: 'setParams', id: 4, vectors: { ...vectors, count: -1 } },
  { type: 'loss', id: 5, split: 'train' },
  { type: 'loss', id: 5, split: 'test' },
  { type: 'gradient', id: 6, split: 'val' },
  { type: 'hvp', id: 7, vectors },
  { type: 'hvp', id: 7, vectors: { ...vectors, extra: 1 } },
  { type: 'train', id: 8, steps: 3, learningRate: 0.1, weightDecay: 0 },
  { type: 'train', id: 8, epochs: 1, learningRate: 0.1, weightDecay: 'perParameter', vectors },
  { type: 'train', id: 8, steps: 0, learningRate: 0.1, weightDecay: 0 },
  { type: 'train', id: 8, steps: 1, learningRate: 0, weightDecay: 0 },
  { type: 'train', id: 8, steps: 1, learningRate: 0.1, weightDecay: -0.5 },
  { type: 'train', id: 8, steps: 1, learningRate: 0.1, weightDecay: 'perparameter' },
  { type: 'train', id: 8, steps: 1, learningRate: 0.1 },
  { type: 'shutdown', id: 9 },
];

test('the Python validator agrees with TypeBox on every request case, and names the same field', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const script = [
    'import json, sys',
    'from neumann_lens import schema',
    'doc = schema.load_document()',
    'out = []',
    'for h in json.load(sys.stdin):',
    '    err = schema.check(doc["requests"][h["type"]], h)',
    '    out.append(None if err is None else err[0])',
    'print(json.dumps(out))',
  ].join('\n');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify(cases), env: bridgeEnv(bridgePythonPath()), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const pyFields = JSON.parse(r.stdout) as (string | null)[];
  cases.forEach((h, i) => {
    const schema = BridgeRequestSchemas[h.type as keyof typeof BridgeRequestSchemas];
    const tsOk = Value.Check(schema, h);
    assert.equal(pyFields[i] === null, tsOk, `case ${i} ${JSON.stringify(h)}: python ${pyFields[i]}, typebox ${tsOk}`);
    if (!tsOk) {
      const first = [...Value.Errors(schema, h)].map((e) => e.path.split('/').filter(Boolean).join('.'));
      assert.ok(first.includes(pyFields[i]!), `case ${i}: python names ${pyFields[i]}, typebox ${first.join(', ')}`);
    }
  });
  assert.ok(pyFields.some((f) => f === null) && pyFields.some((f) => f !== null));
});

test('reply check names the field of a malformed reply', () => {
  assert.equal(checkBridgeReply({ type: 'done', id: 1 }), null);
  assert.deepEqual(checkBridgeReply({ type: 'lossValue', id: 1, value: 'nan' })?.field, 'value');
  assert.equal(checkBridgeReply({ type: 'lossValue', id: 1, value: 'NaN' }), null);
  assert.deepEqual(checkBridgeReply({ type: 'hvpValue', id: 1, vectors: { dtype: 'float64', count: 1 } })?.field, 'vectors.length');
  assert.deepEqual(checkBridgeReply({ type: 'nope', id: 1 })?.field, 'type');
  assert.deepEqual(checkBridgeReply([1])?.field, '(header)');
});
