import type { ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { InvalidNotebookError } from '../errors.ts';
import { assertJsonDepth } from '../json-limits.ts';
import { ensureCellIds } from './cells.ts';
import { locateJsonError } from './json-position.ts';
import { LATEST_MINOR, NBFORMAT_V4_SCHEMAS } from './schemas.ts';
import type { NbDocument } from './types.ts';

const validators = new Map<number, ValidateFunction>();

/** The official nbformat v4.x JSON schema for a minor version, compiled once. */
function validatorFor(minor: number): ValidateFunction {
  const known = Math.min(Math.max(minor, 0), LATEST_MINOR);
  const cached = validators.get(known);
  if (cached) return cached;
  // ajv-draft-04 is CommonJS: its class is the default export's `default` under ESM interop.
  const Ajv = ((AjvDraft04 as unknown as { default?: typeof AjvDraft04 }).default ??
    AjvDraft04) as unknown as new (
    options: object,
  ) => { compile(schema: object): ValidateFunction };
  const validate = new Ajv({ allErrors: true, strict: false }).compile(NBFORMAT_V4_SCHEMAS[known]!);
  validators.set(known, validate);
  return validate;
}

export interface ParseResult {
  nbformat: number;
  nbformatMinor: number;
  cellCount: number;
  warnings: string[];
}

/**
 * Parses and validates an uploaded .ipynb against the official nbformat v4 schema for its
 * minor version (as `nbformat.validate` does), then upgrades it to v4.5 (cell ids).
 * Throws InvalidNotebookError with the reason and where (line/column or JSON path), and
 * RequestTooDeepError for a document nesting deeper than MAX_JSON_DEPTH.
 */
export function parseNotebook(text: string): { document: NbDocument; parseResult: ParseResult } {
  // Before parsing: the validator, the upgrade and storing the document all recurse.
  assertJsonDepth(text, 'file');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const where = locateJsonError(text);
    throw new InvalidNotebookError(`The file is not valid JSON: ${where.reason}`, {
      Line: where.line,
      Column: where.column,
      Position: where.position,
    });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidNotebookError('The file is JSON but not a notebook: the top level must be an object', {
      Path: '/',
    });
  }
  const doc = raw as Record<string, unknown>;
  if (doc.nbformat !== 4) {
    throw new InvalidNotebookError(
      `Unsupported nbformat ${JSON.stringify(doc.nbformat ?? null)}: only nbformat 4 notebooks are accepted`,
      { Path: '/nbformat' },
    );
  }
  const minor = doc.nbformat_minor;
  const warnings: string[] = [];
  if (typeof minor === 'number' && minor > LATEST_MINOR) {
    warnings.push(
      `nbformat_minor ${minor} is newer than 4.${LATEST_MINOR}; validated against the 4.${LATEST_MINOR} schema`,
    );
  }
  const validate = validatorFor(typeof minor === 'number' ? minor : LATEST_MINOR);
  if (!validate(doc)) {
    // Cells and outputs are oneOf alternatives: drop the "not this alternative" noise
    // (a cell_type/output_type that names another branch), then the deepest error is the
    // one closest to the real problem.
    const depth = (path: string) => path.split('/').length;
    const all = validate.errors ?? [];
    const discriminator = (e: (typeof all)[number]) =>
      /\/(cell_type|output_type)$/.test(e.instancePath) && (e.keyword === 'const' || e.keyword === 'enum');
    const relevant = all.filter((e) => !discriminator(e) && e.keyword !== 'oneOf');
    const errors = (relevant.length > 0 ? relevant : all).sort(
      (a, b) => depth(b.instancePath) - depth(a.instancePath),
    );
    const first = errors[0];
    const path = first?.instancePath || '/';
    throw new InvalidNotebookError(
      `The notebook does not match the nbformat v4 schema at ${path}: ${first?.message}`,
      {
        Path: path,
        Details: errors
          .slice(0, 10)
          .map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' })),
      },
    );
  }
  const document = doc as unknown as NbDocument;
  if (document.nbformat_minor < LATEST_MINOR) {
    warnings.push(`Upgraded from nbformat 4.${document.nbformat_minor} to 4.${LATEST_MINOR}`);
  }
  const added = ensureCellIds(document.cells);
  if (added > 0) warnings.push(`${added} cell(s) had no id; ids were assigned`);
  if (!document.metadata.kernelspec)
    warnings.push('No kernelspec in metadata; the notebook kernel was taken from the request');
  const upgraded: NbDocument = {
    ...document,
    nbformat_minor: Math.max(document.nbformat_minor, LATEST_MINOR),
  };
  return {
    document: upgraded,
    parseResult: {
      nbformat: 4,
      nbformatMinor: document.nbformat_minor,
      cellCount: document.cells.length,
      warnings,
    },
  };
}

/** Validates a document the service built itself against the v4.5 schema (a guard, not user input). */
export function assertValidNotebook(document: NbDocument): void {
  const validate = validatorFor(LATEST_MINOR);
  if (!validate(document)) {
    throw new Error(`internal: built notebook is invalid: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
}
