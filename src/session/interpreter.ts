/**
 * Which Python runs a PyTorch experiment's bridge. In order: an override from the command line
 * (--python, NEUMANN_LENS_PYTHON), the experiment's pytorch.python, the editor setting
 * (neumannLens.python.interpreter); an interpreter named by one of these is used as given, and a
 * missing torch there is the user's to fix (exit 2, naming it and who chose it). Otherwise
 * discovery: the Python extension's environment, then python3, python and /usr/bin/python3, the
 * first whose probe imports torch ≥ 1.13 (python3 on PATH is often a Python without torch).
 */
import { BridgeError } from '../bridge/errors';
import { findPythonWithTorch, type ProbeResult } from '../bridge/python-env';
import type { PytorchExperiment } from '../core/config/experiment';
import { InputError, type InputLocation } from '../core/errors';
import type { PythonChoices } from '../protocol/messages';

/** Tried in order when nobody named an interpreter. */
export const DISCOVERY_CANDIDATES = ['python3', 'python', '/usr/bin/python3'] as const;

export const HOW_TO_CHOOSE =
  'choose an interpreter with torch ≥ 1.13 by "pytorch.python" in the experiment, --python PATH or NEUMANN_LENS_PYTHON (CLI), or the setting neumannLens.python.interpreter (VS Code)';

export interface ChosenInterpreter {
  python: string;
  /** Who chose it, for the report and messages: "--python", "pytorch.python", "discovery"… */
  source: string;
  /** Where a mistake in the choice is reported: the experiment key when the experiment chose it. */
  where?: InputLocation;
}

export type Finder = (candidates: readonly string[]) => Promise<{ found: ProbeResult | null; tried: ProbeResult[] }>;

export async function chooseInterpreter(
  exp: PytorchExperiment,
  choices: PythonChoices = {},
  find: Finder = (c) => findPythonWithTorch(c),
): Promise<ChosenInterpreter> {
  if (choices.override) return { python: choices.override.path, source: choices.override.source };
  if (exp.pytorch.kind === 'spawn' && exp.pytorch.python) {
    return { python: exp.pytorch.python, source: 'pytorch.python', where: { kind: 'json', file: exp.file, path: 'pytorch.python' } };
  }
  if (choices.preferred) return { python: choices.preferred.path, source: choices.preferred.source };
  const candidates = [...new Set([...(choices.candidate ? [choices.candidate.path] : []), ...DISCOVERY_CANDIDATES])];
  const { found, tried } = await find(candidates);
  if (found) {
    const source = choices.candidate && found.python === choices.candidate.path ? choices.candidate.source : 'discovery';
    return { python: found.python, source };
  }
  const why = tried.map((t) => `${t.python}: ${t.error}`).join('; ');
  throw new InputError(`no Python interpreter with torch ≥ 1.13 found (tried ${why}); ${HOW_TO_CHOOSE}`, { kind: 'json', file: exp.file, path: 'pytorch' });
}

/** A bridge that could not start because of its interpreter, as the user's error naming it. */
export function interpreterError(e: BridgeError, chosen: ChosenInterpreter): InputError {
  const by = chosen.source === 'discovery' ? 'found by discovery' : `chosen by ${chosen.source}`;
  // The server's own advice on choosing is replaced by the ways this product offers.
  const said = e.message.replace(/[.;]?\s*choose an interpreter[\s\S]*$/i, '');
  const what = e.code === 'python-missing' ? `${said} (${by})` : `${said} (${chosen.python}, ${by})`;
  return new InputError(`${what}; ${HOW_TO_CHOOSE}`, chosen.where);
}
