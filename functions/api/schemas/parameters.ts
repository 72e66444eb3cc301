import { z } from 'zod';
import { PYTHON_IDENTIFIER, PYTHON_KEYWORDS } from '../../core/parameters.ts';

/** The largest parameters object, as JSON text. */
export const MAX_PARAMETERS_JSON = 64 * 1024;

/**
 * papermill-style parameters: any JSON values under names a Python notebook can assign. The
 * names are checked where the kernel is known (execute: the notebook's; schedules: Python);
 * the document states the Python rule as `propertyNames`, so a client generated from it only
 * sends names a Python kernel takes.
 */
export function pythonParameters(what: string, more = '') {
  return z
    .record(z.string(), z.unknown())
    .refine((p) => JSON.stringify(p).length <= MAX_PARAMETERS_JSON, 'must be at most 64 KiB as JSON')
    .meta({
      description: `${what}: names are Python identifiers (not keywords, also after NFKC normalisation), values any JSON; at most 64 KiB as JSON.${more ? ` ${more}` : ''}`,
      propertyNames: {
        type: 'string',
        pattern: PYTHON_IDENTIFIER.source,
        not: { enum: [...PYTHON_KEYWORDS] },
      },
    });
}
