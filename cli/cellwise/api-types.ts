/**
 * The CLI's request and response types, inferred from the same zod contracts the handlers
 * validate with and the OpenAPI document is generated from (`functions/api/contracts`), so
 * they cannot drift from the API. Type-only imports: nothing of the server is loaded at run time.
 */
import type { z } from 'zod';
import type * as executions from '../../functions/api/contracts/execution-contracts.ts';
import type * as notebooks from '../../functions/api/contracts/notebook-contracts.ts';
import type * as notebookUploads from '../../functions/api/contracts/notebook-upload-contracts.ts';
import type * as parameters from '../../functions/api/contracts/parameter-contracts.ts';
import type * as secrets from '../../functions/api/contracts/secret-contracts.ts';

/** The body a contract answers with for `status`. */
type Answer<C, S extends number> = C extends {
  responses: { [K in S]: { schema: infer T extends z.ZodType } };
}
  ? z.output<T>
  : never;

/** The body a contract accepts (before defaults are applied). */
type Body<C> = C extends { body: infer T extends z.ZodType } ? z.input<T> : never;

export type NotebookPage = Answer<typeof notebooks.listNotebooks, 200>;
export type NotebookSummary = NotebookPage['notebooks'][number];
export type Notebook = Answer<typeof notebooks.getNotebook, 200>;
export type UploadedNotebook = Answer<typeof notebooks.uploadNotebook, 201>;
export type NotebookUploadSlot = Answer<typeof notebookUploads.createNotebookUpload, 201>;
export type NotebookUrl = Answer<typeof notebooks.getNotebookUrl, 200>;
export type NotebookParameters = Answer<typeof parameters.getNotebookParameters, 200>;

export type SecretInfo = Answer<typeof secrets.putSecret, 201>;
export type SecretList = Answer<typeof secrets.listSecrets, 200>;

export type ExecuteBody = Body<typeof executions.executeNotebook>;
export type ResumeBody = Body<typeof executions.resumeExecution>;
export type RunStatus = Answer<typeof executions.getExecution, 200>;
export type CellResult = RunStatus['cellResults'][number];
export type RunPage = Answer<typeof executions.listExecutions, 200>;
export type LiveOutputs = Answer<typeof executions.getExecutionOutputs, 200>;
export type LiveChunk = LiveOutputs['chunks'][number];
export type RunResults = Answer<typeof executions.getExecutionResults, 200>;
export type RunDiff = Answer<typeof executions.getExecutionDiff, 200>;

/** The contract's error body. */
export interface ApiErrorBody {
  Error: string;
  Message?: string;
  Details?: { path: string; message: string }[];
  [context: string]: unknown;
}

export const FINAL_STATUSES: ReadonlySet<RunStatus['status']> = new Set(['Completed', 'Error', 'Cancelled']);
