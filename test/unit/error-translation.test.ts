import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { DynamoNotebookStore } from '../../functions/adapters/dynamo-notebook-store.ts';
import { toItem } from '../../functions/adapters/dynamo-util.ts';
import {
  DuplicateNameError,
  InvalidNotebookError,
  NotebookConflictError,
  NotFoundError,
  PayloadTooLargeError,
  StateConflictError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../functions/core/errors.ts';
import type { NotebookRecord } from '../../functions/core/notebook.ts';
import { toErrorResponse } from '../../functions/http/error-map.ts';

const record: NotebookRecord = {
  tenantId: 't',
  projectId: 'p',
  notebookId: 'n',
  investigationId: 'i',
  name: 'Name',
  description: null,
  notebookVersion: '1.0.0',
  kernelType: 'python3',
  status: 'Ready',
  notebookType: 0,
  notebookOrder: 1,
  integration: {
    enrichmentMode: false,
    datasetBinding: null,
    outputFormat: null,
    autoExecution: false,
    scheduleExecution: null,
  },
  environment: { pythonVersion: null, packages: [], customLibraries: [] },
  cellCount: 0,
  lastExecutionDuration: 0,
  lastExecutionDate: null,
  executionCount: 0,
  dateCreated: '2026-01-01T00:00:00.000Z',
  dateModified: '2026-01-01T00:00:00.000Z',
  createdBy: 'u',
  modifiedBy: null,
  contentKey: 'k',
  activeExecutionId: null,
};

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function storeWith(send: (command: { constructor: { name: string }; input?: unknown }) => unknown) {
  const db = { send: vi.fn(async (c) => send(c)) } as unknown as DynamoDBClient;
  return { store: new DynamoNotebookStore(db, 'table'), db };
}

describe('error translation: DynamoDB adapter', () => {
  it('turns a failed optimistic-lock condition into false, not an exception', async () => {
    const { store } = storeWith(() => {
      throw conditionFailed();
    });
    await expect(store.update(record, { ...record, description: 'x' })).resolves.toBe(false);
  });

  it('rethrows DynamoDB failures that are not condition failures', async () => {
    const { store } = storeWith(() => {
      throw Object.assign(new Error('throughput exceeded'), {
        name: 'ProvisionedThroughputExceededException',
      });
    });
    await expect(store.update(record, { ...record })).rejects.toThrow('throughput exceeded');
  });

  it('reports a delete refused by its condition as busy while the row still exists', async () => {
    const { store } = storeWith((command) => {
      if (command.constructor.name === 'DeleteItemCommand') throw conditionFailed();
      // The project's page index (one block holding the notebook) is counted before the delete.
      if ((command.input as { Key?: { sk?: { S?: string } } }).Key?.sk?.S === 'STATS')
        return { Item: toItem({ ixgen: 1, b_: { n: 1, c: 0, d: 0 }, total: 1 }), Attributes: {} };
      return { Item: toItem({ ...record, pk: 'x', sk: 'y', activeExecutionId: 'e' }) };
    });
    await expect(store.delete(record)).resolves.toBe('busy');
  });

  it('turns a taken name claim into DuplicateNameError when its owner still holds the name', async () => {
    const { store } = storeWith((command) => {
      if (command.constructor.name === 'PutItemCommand') throw conditionFailed();
      if (command.constructor.name === 'GetItemCommand')
        return { Item: toItem({ ...record, notebookId: 'other', pk: 'x', sk: 'y' }) };
      return {};
    });
    await expect(store.create({ ...record, notebookId: 'mine' })).rejects.toBeInstanceOf(DuplicateNameError);
  });
});

describe('error translation: HTTP error map', () => {
  it.each([
    [new ValidationError('bad', [{ path: 'body.x', message: 'm' }]), 400],
    [new InvalidNotebookError('broken', { Line: 1 }), 400],
    [new DuplicateNameError('n'), 400],
    [new UnauthorizedError('who'), 401],
    [new NotFoundError('Notebook', { NotebookId: 'n' }), 404],
    [new NotebookConflictError('n', 'a', 'b', null, 'r'), 409],
    [new StateConflictError('Busy', 'busy'), 409],
    [new PayloadTooLargeError('big'), 413],
    [new UnsupportedMediaTypeError('xml'), 415],
  ])('maps %s to %d in the contract shape', (error, status) => {
    const response = toErrorResponse(error);
    expect(response.statusCode).toBe(status);
    expect(response.body).toMatchObject({ Error: expect.any(String), Message: expect.any(String) });
  });

  it('adds Details only to validation errors', () => {
    expect(toErrorResponse(new ValidationError('bad', [{ path: 'p', message: 'm' }])).body.Details).toEqual([
      { path: 'p', message: 'm' },
    ]);
    expect(toErrorResponse(new NotFoundError('Notebook')).body.Details).toBeUndefined();
  });

  it('answers 500 for unexpected errors without leaking their message', () => {
    const response = toErrorResponse(new Error('password=hunter2 at db.internal'));
    expect(response.statusCode).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
  });
});
