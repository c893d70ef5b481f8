/**
 * The extension's settings, declared once: package.json's contributes.configuration is generated
 * from SETTINGS (scripts/gen-experiment-files.ts; a test fails when it is stale), and settings that
 * mirror experiment keys take their enum, range and default wording from the experiment's
 * declaration. Read through a getter so this stays free of vscode and testable. Settings are user
 * input: a value that fails its schema falls back to the default instead of reaching the worker.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { compileSchema } from '../core/config/ajv';
import { Analysis, BackendChoice } from '../core/config/experiment-schema';
import { plainSchema } from '../core/config/schema-kit';

const exact = Analysis.properties.exactMaxParams;

function setting<T extends TSchema>(key: string, schema: T, value: Static<T>): { key: string; schema: T & { default: Static<T> } } {
  return { key, schema: { ...schema, default: value } };
}

/** Each setting by the field `readSettings` returns it as; `key` is relative to `neumannLens.`. */
export const SETTINGS = {
  backend: setting('backend', BackendChoice, 'auto'),
  /** Overrides the experiment's analysis.exactMaxParams; null → the experiment's own value. */
  exactMaxParams: setting(
    'analysis.exactMaxParams',
    Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      minimum: exact.minimum,
      markdownDescription: `Overrides the experiment's \`analysis.exactMaxParams\`: models with at most this many parameters get the exact path (full Hessian from batched HVPs, all eigenvalues, exact hypergradient); larger ones use Lanczos. \`null\` keeps the experiment's own value (default ${exact.default}). Set \`0\` to always use Lanczos.`,
    }),
    null,
  ),
  /** --max-old-space-size of the worker. */
  maxMemoryMb: setting(
    'worker.maxMemoryMb',
    Type.Integer({
      minimum: 256,
      markdownDescription:
        'Heap limit of the background worker process in MB (`--max-old-space-size`). When a run stops with an out-of-memory error, raise this or use a smaller model or `analysis.exactMaxParams`.',
    }),
    4096,
  ),
  /** The interpreter of PyTorch experiments without pytorch.python; '' → the Python extension's, then discovery. */
  pythonInterpreter: setting(
    'python.interpreter',
    Type.String({
      markdownDescription:
        "Python interpreter (with `torch ≥ 1.13`) for PyTorch experiments (`\"pytorch\"` block) whose experiment names none in `pytorch.python`. Empty: the Python extension's active environment when it has torch, else the first of `python3`, `python`, `/usr/bin/python3` that imports torch. The report records the interpreter that ran.",
    }),
    '',
  ),
  runOnSave: setting('runOnSave', Type.Boolean({ markdownDescription: 'Run the diagnosis again whenever a `*.neumann.json` experiment file is saved.' }), false),
  showPanelOnRun: setting(
    'showPanelOnRun',
    Type.Boolean({ markdownDescription: 'Open the **Neumann Lens** panel (beside the editor) when a diagnosis starts, so it fills live.' }),
    true,
  ),
};

type Declared = typeof SETTINGS;
export type Settings = { [F in keyof Declared]: Static<Declared[F]['schema']> };

export const DEFAULT_SETTINGS = Object.freeze(
  Object.fromEntries(Object.entries(SETTINGS).map(([f, s]) => [f, s.schema.default])),
) as Readonly<Settings>;

/** package.json's contributes.configuration. */
export function contributedConfiguration(): { title: string; properties: Record<string, unknown> } {
  const properties = Object.fromEntries(Object.values(SETTINGS).map((s) => [`neumannLens.${s.key}`, plainSchema(s.schema)]));
  return { title: 'Neumann Lens', properties };
}

// One compiled schema for all settings (each ajv compile costs tens of milliseconds).
let check: ValidateFunction | null = null;

/** `get(key)` with keys relative to the `neumannLens` section. */
export function readSettings(get: (key: string) => unknown): Settings {
  check ??= compileSchema({ type: 'object', properties: contributedConfiguration().properties });
  const values = Object.fromEntries(Object.values(SETTINGS).map((s) => [`neumannLens.${s.key}`, get(s.key)]));
  const rejected = new Set(check(values) ? [] : (check.errors ?? []).map((e) => e.instancePath.slice(1).split('/')[0]));
  const out: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(SETTINGS)) {
    const key = `neumannLens.${s.key}`;
    out[field] = values[key] === undefined || rejected.has(key) ? s.schema.default : values[key];
  }
  return out as Settings;
}
