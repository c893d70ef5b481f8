/**
 * The cluster address and token file of an experiment's pytorch block, read as the server reads its
 * own: HOST:PORT or [IPv6]:PORT, the token without surrounding whitespace; mistakes are code input
 * with the expected form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBridgeAddress, readBridgeToken } from '../../src/bridge/address';
import { BridgeError } from '../../src/bridge/errors';

test('addresses: HOST:PORT and [IPv6]:PORT; anything else says what is expected', () => {
  assert.deepEqual(parseBridgeAddress('node0:7777'), { host: 'node0', port: 7777 });
  assert.deepEqual(parseBridgeAddress('127.0.0.1:1'), { host: '127.0.0.1', port: 1 });
  assert.deepEqual(parseBridgeAddress('[::1]:65535'), { host: '::1', port: 65535 });
  for (const bad of ['node0', 'node0:', ':7777', 'node0:0', 'node0:65536', 'node0:77a', '::1:7777', 'a b:1']) {
    assert.throws(
      () => parseBridgeAddress(bad),
      (e: unknown) => e instanceof BridgeError && e.code === 'input' && e.message === `expected HOST:PORT (e.g. node0:7777, 127.0.0.1:7777 or [::1]:7777), got ${JSON.stringify(bad)}`,
      bad,
    );
  }
});

test('token files: the content without surrounding whitespace; a missing or empty file is code input naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-token-'));
  writeFileSync(join(dir, 'token'), '  s3cret-token\n');
  writeFileSync(join(dir, 'empty'), '\n \n');
  assert.equal(readBridgeToken(join(dir, 'token')), 's3cret-token');
  const check = (file: string, message: RegExp) =>
    assert.throws(() => readBridgeToken(file), (e: unknown) => e instanceof BridgeError && e.code === 'input' && message.test(e.message));
  check(join(dir, 'missing'), /^cannot read the token file .*missing: no such file$/);
  check(join(dir, 'empty'), /^the token file .*empty is empty/);
});
