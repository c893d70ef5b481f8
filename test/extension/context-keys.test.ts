import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changedKeys, CONTEXT_KEYS, contextValues, type ContextValues } from '../../src/extension/context-keys';
import { PanelModel } from '../../src/extension/panel-model';
import { sampleReport } from '../fixtures/sample-report';

test('Stop is offered only while a run is active, Export only once there is a report', () => {
  const model = new PanelModel();
  const seen: ContextValues[] = [];
  model.subscribe((s) => seen.push(contextValues(s)));
  assert.deepEqual(contextValues(model.current), { 'neumannLens.running': false, 'neumannLens.hasReport': false }, 'nothing ran');
  const id = model.startSession('seed', '/x/seed.neumann.json');
  assert.equal(contextValues(model.current)['neumannLens.running'], true);
  model.report(id, sampleReport());
  model.ended(id, 'completed', null);
  assert.deepEqual(contextValues(model.current), { 'neumannLens.running': false, 'neumannLens.hasReport': true });
  const failed = model.startSession('seed', '/x/seed.neumann.json');
  model.ended(failed, 'failed', { message: 'boom', code: 'internal' });
  assert.equal(contextValues(model.current)['neumannLens.running'], false);
  assert.ok(seen.length >= 3);
});

test('changedKeys sets every key the first time, then only what changed', () => {
  const a = { 'neumannLens.running': false, 'neumannLens.hasReport': false };
  assert.deepEqual(changedKeys(null, a), [['neumannLens.running', false], ['neumannLens.hasReport', false]]);
  assert.deepEqual(changedKeys(a, a), []);
  assert.deepEqual(changedKeys(a, { ...a, 'neumannLens.hasReport': true }), [['neumannLens.hasReport', true]]);
});

test("package.json's when clauses name these keys: Stop and Export are hidden from the palette when they cannot act", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
    contributes: { menus: Record<string, { command: string; when?: string }[]> };
  };
  const palette = pkg.contributes.menus.commandPalette;
  const when = (cmd: string) => palette.find((m) => m.command === cmd)?.when;
  assert.equal(when('neumannLens.stop'), CONTEXT_KEYS.running);
  assert.equal(when('neumannLens.exportReport'), CONTEXT_KEYS.hasReport);
  // Every context key a menu reads is one this module sets.
  const used = Object.values(pkg.contributes.menus).flat().flatMap((m) => m.when?.match(/neumannLens\.\w+/g) ?? []);
  for (const k of used) assert.ok((Object.values(CONTEXT_KEYS) as string[]).includes(k), `${k} is set by context-keys.ts`);
});
