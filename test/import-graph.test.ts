/**
 * The import graph of src/ has no cycles, between files or between areas (src/core, src/session,
 * src/worker, …): a cycle makes two modules one that cannot be understood, tested or bundled
 * apart. Imports are read with TypeScript's own pre-processor, type-only ones included (a type
 * cycle is still a design cycle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** file → the src/ files it imports (packages and JSON files are not part of the graph). */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => resolve(dirname(file), spec))
      .map((p) => [`${p}.ts`, join(p, 'index.ts')].find((c) => existsSync(c)))
      .filter((p): p is string => p !== undefined);
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Every cycle's members (strongly connected components with more than one node, or a self-loop). */
function cycles<T>(graph: Map<T, T[]>): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const out: T[][] = [];
  let next = 0;
  const visit = (v: T): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: T[] = [];
    let w: T;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const files = sourceFiles(SRC);
const graph = importGraph(files);
const name = (f: string): string => relative(SRC, f);
const area = (f: string): string => name(f).split('/')[0];

test('the checker finds cycles (a graph with one and one without)', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])).map((c) => c.sort()), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', []], ['c', ['c']]])), [['c']]);
  assert.deepEqual(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
  // The graph is real: the worker entry imports the session runner.
  assert.ok(graph.get(join(SRC, 'worker', 'main.ts'))?.includes(join(SRC, 'session', 'run-session.ts')));
});

test('no two files of src/ import each other, directly or through others', () => {
  assert.deepEqual(cycles(graph).map((c) => c.map(name).sort()), []);
});

test('no two areas of src/ import each other (session ↛ worker: both use src/process)', () => {
  const areas = new Map<string, string[]>();
  for (const [file, deps] of graph) {
    const from = area(file);
    const to = new Set([...(areas.get(from) ?? []), ...deps.map(area).filter((a) => a !== from)]);
    areas.set(from, [...to]);
  }
  assert.deepEqual(cycles(areas), [], JSON.stringify(Object.fromEntries(areas)));
  assert.ok(!areas.get('session')?.includes('worker'), 'session imports nothing from worker');
  assert.deepEqual(areas.get('core'), [], 'core imports nothing above it');
});
