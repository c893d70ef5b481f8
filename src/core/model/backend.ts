/**
 * Chooses the TF.js backend a session computes on: `tensorflow` (the native tfjs-node addon, an
 * optional dependency that usually cannot install offline), else `wasm` (SIMD, single-threaded in
 * Node), else plain-JS `cpu`. The backend that actually ran goes into every result.
 */
import * as tf from '@tensorflow/tfjs-core';
// Named imports used below, not bare ones: the packages declare themselves side-effect free, so
// esbuild drops a bare (or unused) import, and with it the backend's registration.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendChoice, BackendName } from '../config/experiment';
import { InputError } from '../errors';

const WASM_FILE = 'tfjs-backend-wasm.wasm';

const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendOptions {
  /** Folder holding the .wasm binaries; default: beside the bundle, else the npm package. */
  wasmDir?: string;
}

/**
 * Makes `choice` the active backend and returns the one that runs. `auto` takes the first that
 * loads in ORDER; an explicit choice that cannot load is an InputError (the user asked for it).
 */
export async function initBackend(choice: BackendChoice = 'auto', options: BackendOptions = {}): Promise<BackendName> {
  // PROD skips TF.js's debug checks and its "install tfjs-node" console banner.
  tf.env().set('PROD', true);
  const candidates = choice === 'auto' ? ORDER : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    const why = await tryBackend(name, options);
    if (why === null) return name;
    failures.push(`${name}: ${why}`);
  }
  const bundled = `bundled: tfjs-backend-wasm ${version_wasm}, tfjs-backend-cpu ${version_cpu}`;
  throw new InputError(`backend "${choice}" is not available (${failures.join('; ')}; ${bundled})`, { kind: 'json', path: 'backend' });
}

/** The backend currently active, as one of ours. */
export function activeBackend(): BackendName {
  const name = tf.getBackend();
  if (name === 'tensorflow' || name === 'wasm' || name === 'cpu') return name;
  throw new Error(`unexpected TF.js backend "${name}"`);
}

/** Where the wasm binaries are: an explicit folder, beside this bundle (dist/), or in node_modules. */
export function findWasmDir(explicit?: string): string | null {
  const candidates = [explicit, __dirname, packageWasmDir()].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(join(d, WASM_FILE))) ?? null;
}

/** null when the backend is active, else why not. */
async function tryBackend(name: BackendName, options: BackendOptions): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      if (!tf.findBackendFactory('tensorflow')) {
        // Registers itself with tfjs-core on load; absent or without its native library here, so lazily.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-node');
      }
      if (!tf.findBackendFactory('tensorflow')) return '@tensorflow/tfjs-node loaded but registered no backend';
    }
    if (name === 'wasm') {
      const dir = findWasmDir(options.wasmDir);
      if (!dir) return `${WASM_FILE} not found (looked in ${options.wasmDir ?? ''} ${__dirname} ${packageWasmDir() ?? ''})`;
      setWasmPaths(dir.endsWith('/') ? dir : dir + '/');
    }
    return (await tf.setBackend(name)) ? null : 'initialisation failed';
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

function packageWasmDir(): string | null {
  try {
    return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return null;
  }
}
