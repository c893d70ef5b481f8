/**
 * The one ajv instance: strict JSON Schema draft-07 with every error (a file gets all its problems
 * at once) and the failing data attached (messages quote what was found). The annotation keywords
 * VS Code reads are declared so strict mode accepts them.
 */
import Ajv, { type ValidateFunction } from 'ajv';

let ajv: Ajv | null = null;

export function compileSchema(schema: object): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
    for (const k of ['markdownDescription', 'enumDescriptions', 'errorMessage', 'patternErrorMessage']) ajv.addKeyword(k);
  }
  return ajv.compile(schema);
}
