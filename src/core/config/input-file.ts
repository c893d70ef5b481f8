/**
 * Reading a file the user named (experiment, CSV data, state_dict): one wording for the three ways
 * it fails, an InputError at the file, so every reader says the same thing.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors';

/**
 * The file's text. `what` names it ("experiment file"); `expected`, when given, is what the path
 * should name instead of a folder ("a *.neumann.json file").
 */
export function readInputFile(file: string, what: string, expected?: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `${what} not found`
        : code === 'EISDIR'
          ? `is a folder, not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}${expected ? ` (expected ${expected})` : ''}`
          : `cannot read ${what} (${code ?? String(e)})`;
    throw new InputError(why, { kind: 'file', file });
  }
}
