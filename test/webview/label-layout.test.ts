import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spreadLabels } from '../../src/webview/label-layout';

const overlaps = (starts: number[], sizes: number[]) =>
  starts.some((a, i) => starts.some((b, j) => i !== j && a < b + sizes[j] && b < a + sizes[i]));

test('labels that would overprint are moved apart, in order, inside the bounds', () => {
  // The tanh chart: "0" and "exact λ_min = −0.004997" want nearly the same row.
  const labels = [{ at: 100, size: 13 }, { at: 103, size: 13 }, { at: 20, size: 13 }];
  const out = spreadLabels(labels, 0, 200);
  assert.ok(!overlaps(out, labels.map((l) => l.size)), JSON.stringify(out));
  assert.equal(out[2], 20, 'a label with room stays where it wants to be');
  assert.equal(out[0], 100);
  assert.equal(out[1], 113, 'the second moves just past the first');
});

test('labels pushed past the far end come back, pushing their neighbours; apart labels do not move', () => {
  const labels = [{ at: 180, size: 13 }, { at: 185, size: 13 }, { at: 190, size: 13 }];
  const out = spreadLabels(labels, 0, 200);
  assert.ok(!overlaps(out, [13, 13, 13]));
  assert.ok(out.every((s) => s >= 0 && s + 13 <= 200), JSON.stringify(out));
  assert.deepEqual(out, [161, 174, 187]);
  assert.deepEqual(spreadLabels([{ at: 10, size: 5 }, { at: 50, size: 5 }], 0, 100), [10, 50]);
  assert.deepEqual(spreadLabels([], 0, 100), []);
});
