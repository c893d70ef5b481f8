/**
 * The extension's settings (contributes.configuration in package.json), read through a getter so
 * this stays free of vscode and testable. Settings are user input: a wrong type or range falls
 * back to the default instead of reaching the worker.
 */
import type { BackendChoice } from '../core/config/experiment';

export interface Settings {
  backend: BackendChoice;
  /** Overrides the experiment's analysis.exactMaxParams; null → the experiment's own value. */
  exactMaxParams: number | null;
  /** --max-old-space-size of the worker. */
  maxMemoryMb: number;
  runOnSave: boolean;
  showPanelOnRun: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  backend: 'auto',
  exactMaxParams: null,
  maxMemoryMb: 4096,
  runOnSave: false,
  showPanelOnRun: true,
};

const BACKENDS: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** `get(key)` with keys relative to the `neumannLens` section. */
export function readSettings(get: (key: string) => unknown): Settings {
  const backend = get('backend');
  const exact = get('analysis.exactMaxParams');
  const mem = get('worker.maxMemoryMb');
  const bool = (key: string, dflt: boolean) => {
    const v = get(key);
    return typeof v === 'boolean' ? v : dflt;
  };
  return {
    backend: BACKENDS.includes(backend as BackendChoice) ? (backend as BackendChoice) : DEFAULT_SETTINGS.backend,
    exactMaxParams: Number.isInteger(exact) && (exact as number) >= 0 ? (exact as number) : null,
    maxMemoryMb: Number.isInteger(mem) && (mem as number) >= 256 ? (mem as number) : DEFAULT_SETTINGS.maxMemoryMb,
    runOnSave: bool('runOnSave', DEFAULT_SETTINGS.runOnSave),
    showPanelOnRun: bool('showPanelOnRun', DEFAULT_SETTINGS.showPanelOnRun),
  };
}
