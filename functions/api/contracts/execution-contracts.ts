import type { RouteContract } from '../../http/contract.ts';
import { errorBody, notebookParams } from '../schemas/common.ts';
import {
  executeBody,
  executionParams,
  listExecutionsQuery,
  resultsQuery,
  resumeBody,
  runPage,
  runResults,
  runStatus,
} from '../schemas/executions.ts';
import { liveOutputs, liveOutputsQuery } from '../schemas/live-outputs.ts';
import { runDiff, runDiffQuery } from '../schemas/run-diff.ts';
import { errors, scopedErrors } from './shared.ts';

const tags = ['Executions'];

export const executeNotebook = {
  id: 'executeNotebook',
  summary: 'Run the notebook (all cells or a range) with papermill-style parameters; asynchronous',
  tags,
  auth: true,
  params: notebookParams,
  body: executeBody,
  losslessBody: [['parameters']],
  responses: {
    202: {
      description: 'Accepted: the run is Running (admitted) or Queued (waiting for a slot of the tenant)',
      schema: runStatus,
    },
    200: { description: 'The run this idempotencyToken already started (no new run)', schema: runStatus },
    ...scopedErrors({
      DatasetNotFound: 'parameters.dataset_id names no dataset of the project',
      SecretNotFound: '`secrets` names a secret the project does not have (GET .../secrets lists them)',
      ResourcesAboveMaximum:
        "a `resources` limit is above this deployment's maximum (by default four times the default: 8192 MiB, 1024 processes, 4096 MiB of disk)",
      ParameterMismatch:
        'with `strictParameters` (or the notebook metadata `cellwise.strictParameters`): a parameter the parameters cell does not declare, or a value whose type does not fit its default (Details names each; GET .../parameters lists them)',
    }),
    ...errors(409, 413, 415, 503),
  },
} satisfies RouteContract;

export const getExecution = {
  id: 'getExecution',
  summary: 'Status, progress, per-cell results and measured resources of a run',
  tags,
  auth: true,
  params: executionParams,
  responses: { 200: { description: 'The run', schema: runStatus }, ...scopedErrors() },
} satisfies RouteContract;

export const getExecutionResults = {
  id: 'getExecutionResults',
  summary: 'Outputs of a run (filter by outputType, cellId; format summary, detailed or download)',
  tags,
  auth: true,
  params: executionParams,
  query: resultsQuery,
  responses: {
    200: { description: 'Results', schema: runResults },
    ...scopedErrors(),
    404: {
      description:
        'Not found: no such notebook or run (also for other tenants and projects), or `cellId` is not a cell the run ran (markdown and raw cells are not run)',
      schema: errorBody,
    },
  },
} satisfies RouteContract;

export const getExecutionOutputs = {
  id: 'getExecutionOutputs',
  summary: 'Live output of a run: what its cells printed and displayed since a cursor (long poll)',
  tags,
  auth: true,
  params: executionParams,
  query: liveOutputsQuery,
  responses: {
    200: {
      description:
        'The chunks since the cursor. Output reaches this route while a cell runs (within about a second of the print), with the byte caps of stored outputs. Read from no cursor, then from each answer’s `nextCursor` until `ended`; `waitSeconds` holds an answer until a first chunk comes. Live output is kept for a week; a run’s stored outputs (results, executed notebook) are what stays. A run with `captureOutputs: false` has none.',
      schema: liveOutputs,
    },
    ...scopedErrors(),
  },
} satisfies RouteContract;

export const getExecutionDiff = {
  id: 'getExecutionDiff',
  summary:
    'Differences between this run and another run of the notebook (or its last successful run), cell by cell',
  tags,
  auth: true,
  params: executionParams,
  query: runDiffQuery,
  responses: {
    200: {
      description:
        'Per cell (matched by cell id): status, time, error, stdout/stderr as unified diffs, displays by content hash; then the metrics logged (`log_metrics`, models) and the parameters that differ. `before` is the run compared with, `after` this run.',
      schema: runDiff,
    },
    ...scopedErrors(),
    404: {
      description:
        'Not found: no such notebook or run, `against` is not a run of this notebook (also for other tenants and projects), or `lastSuccessful` and the notebook has no other Completed run (`Successful execution not found`)',
      schema: errorBody,
    },
    409: {
      description: '`ExecutionNotEnded`: this run or the other is still Queued or Running',
      schema: errorBody,
    },
  },
} satisfies RouteContract;

export const listExecutions = {
  id: 'listExecutions',
  summary: 'Run history of a notebook, newest first (filter by status, pages of up to 100)',
  tags,
  auth: true,
  params: notebookParams,
  query: listExecutionsQuery,
  responses: { 200: { description: 'A page of runs', schema: runPage }, ...scopedErrors() },
} satisfies RouteContract;

export const cancelExecution = {
  id: 'cancelExecution',
  summary: 'Cancel a run: a queued run never starts, a running one is interrupted (409 once ended)',
  tags,
  auth: true,
  params: executionParams,
  responses: {
    202: { description: 'Cancellation accepted', schema: runStatus },
    ...scopedErrors(),
    ...errors(409),
  },
} satisfies RouteContract;

export const resumeExecution = {
  id: 'resumeExecution',
  summary:
    'Resume a run that ended Error or Cancelled from the cell that failed: in its kept kernel, or a fresh one that replays the cells that had succeeded',
  tags,
  auth: true,
  params: executionParams,
  body: resumeBody,
  responses: {
    202: { description: 'The new run (trigger "resume", resumedFrom, replayedCells)', schema: runStatus },
    ...scopedErrors(),
    ...errors(409, 413, 415, 503),
  },
} satisfies RouteContract;
