/**
 * A typed client of the project-scoped API (`/api/{tenantId}/{projectId}/...`) for the CLI.
 * Every answer keeps its raw text beside the parsed body, so `--json` can print numbers
 * exactly as the API sent them (big integers in run parameters).
 */
import type {
  ApiErrorBody,
  LiveOutputs,
  Notebook,
  NotebookPage,
  NotebookParameters,
  NotebookUploadSlot,
  NotebookUrl,
  ResumeBody,
  RunDiff,
  RunPage,
  RunResults,
  RunStatus,
  SecretInfo,
  SecretList,
  UploadedNotebook,
} from './api-types.ts';
import type { CliConfig } from './config.ts';
import { ApiError, ConnectionError } from './errors.ts';

/** A successful answer: its status, parsed body and raw JSON text. */
export interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

type Query = Record<string, string | number | undefined>;

/**
 * The routes the CLI calls, by their route id (the ids of `infra/routes.ts` and of the contracts
 * the types come from), as paths under the project; a unit test checks them against the manifest.
 */
export const CLI_ROUTES = {
  listNotebooks: ['GET', '/notebooks'],
  getNotebook: ['GET', '/notebook/{notebookId}'],
  uploadNotebook: ['POST', '/notebook/upload'],
  createNotebookUpload: ['POST', '/notebook/uploads'],
  getNotebookUrl: ['GET', '/notebook/{notebookId}/url'],
  getNotebookParameters: ['GET', '/notebook/{notebookId}/parameters'],
  executeNotebook: ['POST', '/notebook/{notebookId}/execute'],
  getExecution: ['GET', '/notebook/{notebookId}/execution/{executionId}'],
  getExecutionOutputs: ['GET', '/notebook/{notebookId}/execution/{executionId}/outputs'],
  listExecutions: ['GET', '/notebook/{notebookId}/executions'],
  cancelExecution: ['POST', '/notebook/{notebookId}/execution/{executionId}/cancel'],
  resumeExecution: ['POST', '/notebook/{notebookId}/execution/{executionId}/resume'],
  getExecutionResults: ['GET', '/notebook/{notebookId}/execution/{executionId}/results'],
  getExecutionDiff: ['GET', '/notebook/{notebookId}/execution/{executionId}/diff'],
  putSecret: ['PUT', '/secrets/{name}'],
  listSecrets: ['GET', '/secrets'],
  deleteSecret: ['DELETE', '/secrets/{name}'],
} as const;

type RouteId = keyof typeof CLI_ROUTES;

export class CellwiseClient {
  constructor(readonly config: CliConfig) {}

  /** The project's base path, `/api/{tenantId}/{projectId}`. */
  get base(): string {
    return `/api/${this.config.tenantId}/${this.config.projectId}`;
  }

  private async request<T>(
    id: RouteId,
    params: Record<string, string>,
    init: { query?: Query; body?: string | FormData; json?: boolean } = {},
  ) {
    const [method, template] = CLI_ROUTES[id];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]!));
    const url = new URL(`${this.config.url}${this.base}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${this.config.token}` };
    if (init.json) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: init.body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ConnectionError(`cannot reach ${this.config.url}: ${cause?.code ?? cause?.message ?? error}`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ConnectionError(`${method} ${url.pathname}: ${response.status}, not a Cellwise API answer`);
    }
    if (!response.ok) throw apiError(response.status, body);
    return { status: response.status, body: body as T, text } satisfies Answer<T>;
  }

  listNotebooks(query: { page?: number; pageSize?: number; status?: string } = {}) {
    return this.request<NotebookPage>('listNotebooks', {}, { query });
  }

  getNotebook(notebookId: string) {
    return this.request<Notebook>('getNotebook', { notebookId });
  }

  /** Route 7: uploads an .ipynb file's bytes as multipart/form-data. */
  uploadNotebook(file: Uint8Array, fileName: string, fields: Record<string, string | undefined>) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
    form.append('file', new Blob([file], { type: 'application/x-ipynb+json' }), fileName);
    return this.request<UploadedNotebook>('uploadNotebook', {}, { body: form });
  }

  /**
   * A large .ipynb through a presigned upload: a slot (`POST .../notebook/uploads`), the PUT of
   * the bytes straight to storage, then route 7 with `{uploadId, …fields}` as JSON.
   */
  async uploadNotebookStaged(file: Uint8Array, fields: Record<string, string | undefined>) {
    const slot = (await this.request<NotebookUploadSlot>('createNotebookUpload', {})).body;
    if (file.byteLength > slot.maxBytes)
      throw new ApiError(
        413,
        { Error: 'PayloadTooLarge' },
        `The file is ${file.byteLength} bytes; the limit is ${slot.maxBytes} bytes`,
      );
    let put: Response;
    try {
      put = await fetch(slot.uploadUrl, { method: 'PUT', headers: slot.headers, body: file });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ConnectionError(`cannot reach the upload URL: ${cause?.code ?? cause?.message ?? error}`);
    }
    if (!put.ok) throw new ConnectionError(`PUT to the upload URL: ${put.status} ${await put.text()}`);
    const body = { uploadId: slot.uploadId, ...fields };
    return this.request<UploadedNotebook>('uploadNotebook', {}, { body: JSON.stringify(body), json: true });
  }

  getNotebookUrl(notebookId: string, expiresIn?: number) {
    return this.request<NotebookUrl>('getNotebookUrl', { notebookId }, { query: { expiresIn } });
  }

  /** Creates or replaces a project secret (201 created, 200 replaced); the answer has no value. */
  putSecret(name: string, value: string) {
    return this.request<SecretInfo>('putSecret', { name }, { body: JSON.stringify({ value }), json: true });
  }

  listSecrets() {
    return this.request<SecretList>('listSecrets', {});
  }

  deleteSecret(name: string) {
    return this.request<undefined>('deleteSecret', { name });
  }

  /** The parameters the notebook's parameters cell declares. */
  getParameters(notebookId: string) {
    return this.request<NotebookParameters>('getNotebookParameters', { notebookId });
  }

  /**
   * Route 12. `bodyText` is the JSON text of an `ExecuteBody` (api-types.ts), written by the caller so
   * parameter numbers reach the API exactly as typed (see `parameters.ts`).
   */
  execute(notebookId: string, bodyText: string) {
    return this.request<RunStatus>('executeNotebook', { notebookId }, { body: bodyText, json: true });
  }

  getExecution(notebookId: string, executionId: string) {
    return this.request<RunStatus>('getExecution', { notebookId, executionId });
  }

  /** The run's live output after `after` (long poll up to `waitSeconds`). */
  getExecutionOutputs(
    notebookId: string,
    executionId: string,
    query: { after?: string; waitSeconds?: number },
  ) {
    return this.request<LiveOutputs>('getExecutionOutputs', { notebookId, executionId }, { query });
  }

  listExecutions(notebookId: string, query: { page?: number; pageSize?: number } = {}) {
    return this.request<RunPage>('listExecutions', { notebookId }, { query });
  }

  cancel(notebookId: string, executionId: string) {
    return this.request<RunStatus>('cancelExecution', { notebookId, executionId });
  }

  resume(notebookId: string, executionId: string, body: ResumeBody = {}) {
    return this.request<RunStatus>(
      'resumeExecution',
      { notebookId, executionId },
      {
        body: JSON.stringify(body),
        json: true,
      },
    );
  }

  /** The run's differences from `against` (an execution id or `lastSuccessful`). */
  diff(notebookId: string, executionId: string, against: string) {
    return this.request<RunDiff>('getExecutionDiff', { notebookId, executionId }, { query: { against } });
  }

  /** One page of a run's results (outputs are listed a page at a time; `hasNextPage`). */
  results(
    notebookId: string,
    executionId: string,
    format: 'summary' | 'detailed' | 'download' = 'download',
    page = 1,
  ) {
    return this.request<RunResults>(
      'getExecutionResults',
      { notebookId, executionId },
      {
        query: { format, ...(page > 1 ? { page: String(page) } : {}) },
      },
    );
  }
}

/** What API Gateway's own refusals (`{"message": …}`, before any route runs) mean here. */
const GATEWAY_REFUSALS: Record<number, string> = {
  401: 'no API token was sent',
  403: 'the API token was not accepted (unknown, revoked or expired)',
};

/** The API's error body as one line: `404 Notebook not found: ...` plus each validation detail. */
function apiError(status: number, body: unknown): ApiError {
  const e = (body ?? {}) as Partial<ApiErrorBody> & { message?: unknown };
  const gateway =
    typeof e.message === 'string' && !e.Error
      ? `${e.message}: ${GATEWAY_REFUSALS[status] ?? 'refused by the API gateway'}`
      : '';
  const head = gateway || [e.Error, e.Message].filter(Boolean).join(': ') || 'request failed';
  const details = (e.Details ?? []).map((d) => `\n  ${d.path || '(body)'}: ${d.message}`).join('');
  return new ApiError(status, body, `${status} ${head}${details}`);
}
