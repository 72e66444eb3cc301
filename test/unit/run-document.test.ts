import { describe, expect, it } from 'vitest';
import type { NbDocument } from '../../functions/core/nbformat/types.ts';
import { parseParametersLossless } from '../../functions/core/parameters.ts';
import { planRun } from '../../functions/core/run/run-plan.ts';
import { plannedAgain } from '../../functions/core/use-cases/run-document.ts';

const source: NbDocument = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    { id: 'intro', cell_type: 'markdown', metadata: {}, source: '# Report' },
    {
      id: 'params',
      cell_type: 'code',
      metadata: { tags: ['parameters'] },
      source: 'n = 1',
      execution_count: 3,
      outputs: [{ output_type: 'stream', name: 'stdout', text: 'old\n' }],
    },
    { id: 'body', cell_type: 'code', metadata: {}, source: 'print(n)', execution_count: 4, outputs: [] },
  ],
} as unknown as NbDocument;

/** What the run record keeps of a request, as launchRun writes it. */
function recordOf(body: string, kernelType: string) {
  const parameters = (parseParametersLossless(body) as { parameters: Record<string, unknown> }).parameters;
  return {
    parameters,
    run: {
      executionMode: 'all' as const,
      cellRange: null,
      parametersJson: JSON.stringify(parameters),
      kernelType,
    },
  };
}

describe("a run's document planned again from its record", () => {
  it.each([
    ['python3', '{"parameters": {}}'],
    [
      'python3',
      '{"parameters": {"n": 1.0, "big": 123456789012345678901234567890, "e": 1e400, "s": "a\\"b\\\\c\\nd \\u00e9 \\ud83d\\ude00", "l": [1, {"k": null}], "t": true}}',
    ],
    ['r', '{"parameters": {"n": 1.0, "s": "it\'s", "v": [1, 2.50]}}'],
  ])('is the document planned at submission (%s, %s)', (kernelType, body) => {
    const { parameters, run } = recordOf(body, kernelType);
    const atSubmission = planRun(source, {
      executionMode: 'all',
      cellRange: null,
      parameters,
      kernelType,
    }).document;
    expect(plannedAgain(source, run)).toEqual(atSubmission);
  });

  it('has the injected parameters and no outputs of the source', () => {
    const { run } = recordOf('{"parameters": {"n": 2.0}}', 'python3');
    const document = plannedAgain(source, run);
    expect(document.cells.map((c) => c.id)).toEqual(['intro', 'params', 'injected-parameters', 'body']);
    expect(document.cells[2]!.source).toContain('n = 2.0');
    expect(document.cells.filter((c) => c.cell_type === 'code').every((c) => c.outputs!.length === 0)).toBe(
      true,
    );
  });
});
