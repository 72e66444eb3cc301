import { describe, expect, it } from 'vitest';
import type { NbDocument } from '../../functions/core/nbformat/types.ts';
import { planRun } from '../../functions/core/run/run-plan.ts';

describe('unit', () => {
  describe('planRun with allowErrors', () => {
    const source: NbDocument = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: 'a',
          cell_type: 'code' as const,
          source: '1/0',
          metadata: {},
          outputs: [],
          execution_count: null,
        },
        {
          id: 'b',
          cell_type: 'code' as const,
          source: 'raise ValueError',
          metadata: { tags: ['raises-exception'] },
          outputs: [],
          execution_count: null,
        },
      ],
    };
    const base = { executionMode: 'all' as const, cellRange: null, parameters: {} };

    it('allows every cell’s errors when the run allows errors', () => {
      expect(planRun(source, { ...base, allowErrors: true }).plan.map((p) => p.allowErrors)).toEqual([
        true,
        true,
      ]);
    });

    it('allows only raises-exception cells’ errors when the run does not', () => {
      expect(planRun(source, base).plan.map((p) => p.allowErrors)).toEqual([false, true]);
    });
  });
});
