import { describe, expect, it } from 'vitest';
import { InvalidNotebookError } from '../../functions/core/errors.ts';
import { applyCellEdits, buildCells, ensureCellIds } from '../../functions/core/nbformat/cells.ts';
import { firstSyntaxError } from '../../functions/core/nbformat/json-position.ts';
import type { NbCell } from '../../functions/core/nbformat/types.ts';
import { parseNotebook } from '../../functions/core/nbformat/validate-notebook.ts';

const valid = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
  cells: [{ id: 'a1', cell_type: 'code', metadata: {}, source: 'x', execution_count: null, outputs: [] }],
};

function parseError(text: string): InvalidNotebookError {
  try {
    parseNotebook(text);
  } catch (error) {
    return error as InvalidNotebookError;
  }
  throw new Error('expected the notebook to be rejected');
}

describe('parseNotebook', () => {
  it('accepts a valid 4.5 notebook without warnings', () => {
    const { parseResult } = parseNotebook(JSON.stringify(valid));
    expect(parseResult).toEqual({ nbformat: 4, nbformatMinor: 5, cellCount: 1, warnings: [] });
  });

  it('reports line and column of a JSON syntax error', () => {
    const error = parseError('{\n  "nbformat": 4,\n  "cells": [1,,2]\n}');
    expect(error).toBeInstanceOf(InvalidNotebookError);
    expect(error.context).toMatchObject({ Line: 3, Column: 15 });
  });

  it('reports the JSON path of a schema violation', () => {
    const bad = {
      ...valid,
      cells: [{ ...valid.cells[0], cell_type: 'code', outputs: [{ output_type: 'stream' }] }],
    };
    const error = parseError(JSON.stringify(bad));
    expect(error.context.Path).toBe('/cells/0/outputs/0');
  });

  it('rejects unknown top-level properties as the official schema does', () => {
    expect(parseError(JSON.stringify({ ...valid, extra: true })).message).toMatch(/additional properties/);
  });

  it('rejects a document that is not an object or not nbformat 4', () => {
    expect(parseError('[]').message).toMatch(/top level must be an object/);
    expect(parseError('{"nbformat": 5}').message).toMatch(/Unsupported nbformat 5/);
  });

  it('warns when it replaces duplicate cell ids', () => {
    const dup = { ...valid, cells: [valid.cells[0], { ...valid.cells[0] }] };
    const { document, parseResult } = parseNotebook(JSON.stringify(dup));
    expect(new Set(document.cells.map((c) => c.id)).size).toBe(2);
    expect(parseResult.warnings).toContain('1 cell(s) had no id; ids were assigned');
  });
});

describe('firstSyntaxError', () => {
  it.each([
    ['{"a": 1}', -1],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[1, 2', 5],
    ['"unterminated', 13],
    ['{"a": tru}', 6],
    ['{} x', 3],
    ['{"a": "\\q"}', 8],
  ])('finds the first error in %j at %d', (text, at) => {
    expect(firstSyntaxError(text)).toBe(at);
  });
});

describe('cells', () => {
  it('numbers new cells cell-001, cell-002 and skips ids already taken', () => {
    const cells = buildCells(
      [
        { cellType: 'code', source: 'a' },
        { cellId: 'cell-002', cellType: 'markdown', source: 'b' },
        { cellType: 'code', source: 'c' },
      ],
      '2026-01-01T00:00:00.000Z',
    );
    expect(cells.map((c) => c.id)).toEqual(['cell-001', 'cell-002', 'cell-003']);
    expect(cells[1]).not.toHaveProperty('outputs');
  });

  it('keeps outputs of unchanged cells and drops them for edited ones', () => {
    const current: NbCell[] = [
      {
        id: 'k',
        cell_type: 'code',
        source: 'same',
        metadata: {},
        execution_count: 2,
        outputs: [{ output_type: 'stream' }],
      },
      {
        id: 'e',
        cell_type: 'code',
        source: 'old',
        metadata: {},
        execution_count: 3,
        outputs: [{ output_type: 'stream' }],
      },
    ];
    const { cells, changed } = applyCellEdits(
      current,
      [
        { cellId: 'k', cellType: 'code', source: 'same' },
        { cellId: 'e', cellType: 'code', source: 'new' },
      ],
      'now',
    );
    expect(changed).toBe(true);
    expect(cells[0]).toBe(current[0]);
    expect(cells[1]).toMatchObject({ id: 'e', source: 'new', outputs: [], execution_count: null });
  });

  it('reports no change when the same cells come back', () => {
    const current = buildCells([{ cellType: 'code', source: 'x', tags: ['parameters'] }], 't');
    const { changed } = applyCellEdits(
      current,
      [{ cellId: 'cell-001', cellType: 'code', source: 'x' }],
      't2',
    );
    expect(changed).toBe(false);
  });

  it('assigns ids to cells that lack valid ones', () => {
    const cells = [
      { cell_type: 'code', source: '', metadata: {} },
      { id: 'bad id!', cell_type: 'code', source: '', metadata: {} },
    ] as NbCell[];
    expect(ensureCellIds(cells)).toBe(2);
    expect(cells.every((c) => /^[\w-]+$/.test(c.id!))).toBe(true);
  });
});
