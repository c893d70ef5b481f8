/**
 * Writes python/neumann_lens/protocol.schema.json from the TypeBox declaration in
 * src/protocol/bridge.ts, so the Python server validates against the same schemas the TypeScript
 * side is typed and validated with. Run by scripts/build.mjs; test/bridge/schema.test.ts fails when
 * the committed file is stale. With --check (CI) it writes nothing and fails when the file is stale.
 *   node --import tsx scripts/gen-bridge-schema.ts [--check]
 */
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeSchemaText } from '../src/protocol/bridge';

export const BRIDGE_SCHEMA_PATH = join(__dirname, '..', 'python', 'neumann_lens', 'protocol.schema.json');

if (require.main === module) {
  const text = bridgeSchemaText();
  const stale = !existsSync(BRIDGE_SCHEMA_PATH) || readFileSync(BRIDGE_SCHEMA_PATH, 'utf8') !== text;
  if (stale && process.argv.includes('--check')) {
    console.error(`${BRIDGE_SCHEMA_PATH} is stale: run node --import tsx scripts/gen-bridge-schema.ts and commit it`);
    process.exit(1);
  }
  if (stale) {
    writeFileSync(BRIDGE_SCHEMA_PATH, text);
    console.log(`wrote ${BRIDGE_SCHEMA_PATH}`);
  }
}
