/**
 * The interpreters VS Code knows of for a PyTorch experiment, as the session ranks them
 * (src/session/interpreter.ts): the setting neumannLens.python.interpreter is used as given (after
 * the experiment's own pytorch.python); the Python extension's active environment for the file is
 * a candidate, passed over when it lacks torch. The Python extension is asked only for PyTorch
 * experiments and only when it is installed, so other runs never activate it.
 */
import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import type { PythonChoices } from '../protocol/messages';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

export async function pythonChoices(config: unknown, file: vscode.Uri, setting: string, log: (text: string) => void): Promise<PythonChoices | undefined> {
  if (!isPytorchExperiment(config)) return undefined;
  const choices: PythonChoices = {};
  if (setting.trim()) choices.preferred = { path: setting.trim(), source: 'neumannLens.python.interpreter' };
  const fromExtension = await activeEnvironment(file, log);
  if (fromExtension) choices.candidate = { path: fromExtension, source: 'the Python extension’s environment' };
  return choices;
}

function isPytorchExperiment(config: unknown): boolean {
  return typeof config === 'object' && config !== null && 'pytorch' in config;
}

async function activeEnvironment(file: vscode.Uri, log: (text: string) => void): Promise<string | null> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) return null;
  try {
    const api = await PythonExtension.api();
    const env = api.environments.getActiveEnvironmentPath(file);
    const resolved = await api.environments.resolveEnvironment(env);
    return resolved?.executable.uri?.fsPath ?? env.path;
  } catch (e) {
    log(`the Python extension gave no environment: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
