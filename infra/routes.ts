/**
 * THE route manifest. CDK creates one Lambda and one API Gateway route per entry; the local
 * server routes with the same list. A route cannot exist in one and not the other.
 */
export interface RouteDefinition {
  /** Stable id; also the contract id in `functions/api/contracts`. */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path with `{param}` segments. */
  path: string;
  /** Handler module (exports `handler`), relative to the repository root. */
  entry: string;
  /** Whether the Lambda authorizer runs for this route. */
  auth: boolean;
  memoryMb?: number;
  timeoutSeconds?: number;
  /**
   * What the route's function reaches beyond the table and the bucket; each grants exactly that:
   * `workflow` — may start the run workflow (`states:StartExecution` on that one state machine,
   * `CELLWISE_STATE_MACHINE_ARN`); `kernelHost` — runs in the VPC beside the kernel host, may
   * read its token secret (`CELLWISE_KERNEL_HOST_URL`, `CELLWISE_KERNEL_HOST_TOKEN_SECRET`);
   * `webhooks` — ends runs, so may invoke the webhook delivery function
   * (`lambda:InvokeFunction` on that one function, `CELLWISE_WEBHOOK_FUNCTION_NAME`);
   * `schedules` — creates, updates or deletes notebook schedules: may manage the schedules of
   * the tenant's EventBridge Scheduler group and pass the role the scheduler invokes the fire
   * function with (`CELLWISE_SCHEDULE_GROUP`, `CELLWISE_SCHEDULER_TARGET_ARN`, `CELLWISE_SCHEDULER_ROLE_ARN`).
   */
  uses?: readonly RouteDependency[];
}

/** Run infrastructure a route may use (see `RouteDefinition.uses`). */
export type RouteDependency =
  | 'workflow'
  | 'kernelHost'
  | 'webhooks'
  | 'schedules'
  /** Signs notebook links: may read the link signing key secret (`CELLWISE_LINK_SIGNING_KEY_SECRET`). */
  | 'linkSigningKey'
  /**
   * Seals or opens project secrets: may read the secrets master key secret
   * (`CELLWISE_SECRETS_KEY_SECRET`). Only the secrets routes and the run tasks that set them
   * in a kernel.
   */
  | 'secretsKey'
  /** Serves the pages' browser bundles, built into the function's package (`CELLWISE_STATIC_DIR`). */
  | 'staticAssets';

const P = '/api/{tenantId}/{projectId}';
const NB = 'functions/api/handlers/notebooks';
const INV = 'functions/api/handlers/investigations';
const SVC = 'functions/api/handlers/service';
const EX = 'functions/api/handlers/executions';
const WH = 'functions/api/handlers/webhooks';
const DS = 'functions/api/handlers/datasets';
const SEC = 'functions/api/handlers/secrets';

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'listNotebooks',
    method: 'GET',
    path: `${P}/notebooks`,
    entry: `${NB}/list-notebooks.ts`,
    auth: true,
  },
  {
    id: 'listInvestigationNotebooks',
    method: 'GET',
    path: `${P}/notebook/investigation/{investigationId}`,
    entry: `${NB}/list-investigation-notebooks.ts`,
    auth: true,
  },
  {
    id: 'listTemplates',
    method: 'GET',
    path: `${P}/notebook/templates`,
    entry: `${NB}/list-templates.ts`,
    auth: true,
  },
  {
    id: 'listEnvironments',
    method: 'GET',
    path: `${P}/environments`,
    entry: `${SVC}/list-environments.ts`,
    auth: true,
    uses: ['kernelHost'],
  },
  {
    id: 'getNotebook',
    method: 'GET',
    path: `${P}/notebook/{notebookId}`,
    entry: `${NB}/get-notebook.ts`,
    auth: true,
  },
  {
    id: 'createNotebook',
    method: 'POST',
    path: `${P}/notebook`,
    entry: `${NB}/create-notebook.ts`,
    auth: true,
    uses: ['kernelHost', 'schedules'],
  },
  {
    id: 'createInvestigationNotebook',
    method: 'POST',
    path: `${P}/notebook/investigation/{investigationId}`,
    entry: `${NB}/create-investigation-notebook.ts`,
    auth: true,
    uses: ['kernelHost'],
  },
  {
    id: 'createNotebookFromTemplate',
    method: 'POST',
    path: `${P}/notebook/investigation/{investigationId}/from-template`,
    entry: `${NB}/create-notebook-from-template.ts`,
    auth: true,
    uses: ['kernelHost'],
  },
  {
    id: 'uploadNotebook',
    method: 'POST',
    path: `${P}/notebook/upload`,
    entry: `${NB}/upload-notebook.ts`,
    auth: true,
    // A presigned upload's .ipynb (up to CELLWISE_MAX_NOTEBOOK_UPLOAD_BYTES) is parsed and written whole.
    memoryMb: 3008,
    timeoutSeconds: 29,
    uses: ['kernelHost'],
  },
  {
    id: 'createNotebookUpload',
    method: 'POST',
    path: `${P}/notebook/uploads`,
    entry: `${NB}/create-notebook-upload.ts`,
    auth: true,
  },
  {
    id: 'updateNotebook',
    method: 'PUT',
    path: `${P}/notebook/{notebookId}`,
    entry: `${NB}/update-notebook.ts`,
    auth: true,
    uses: ['kernelHost', 'schedules'],
  },
  {
    id: 'deleteNotebook',
    method: 'DELETE',
    path: `${P}/notebook/{notebookId}`,
    entry: `${NB}/delete-notebook.ts`,
    auth: true,
    uses: ['schedules'],
  },
  {
    id: 'copyNotebook',
    method: 'POST',
    path: `${P}/notebook/{notebookId}/copy`,
    entry: `${NB}/copy-notebook.ts`,
    auth: true,
    uses: ['kernelHost', 'schedules'],
  },
  {
    id: 'getNotebookUrl',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/url`,
    entry: `${NB}/get-notebook-url.ts`,
    auth: true,
    uses: ['linkSigningKey'],
  },
  {
    id: 'getNotebookContent',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/content`,
    entry: `${NB}/get-notebook-content.ts`,
    auth: true,
  },
  {
    id: 'getNotebookParameters',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/parameters`,
    entry: `${NB}/get-notebook-parameters.ts`,
    auth: true,
  },
  {
    id: 'listNotebookVersions',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/versions`,
    entry: `${NB}/list-notebook-versions.ts`,
    auth: true,
  },
  {
    id: 'getNotebookVersion',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/versions/{version}`,
    entry: `${NB}/get-notebook-version.ts`,
    auth: true,
  },
  {
    id: 'executeNotebook',
    method: 'POST',
    path: `${P}/notebook/{notebookId}/execute`,
    entry: `${EX}/execute-notebook.ts`,
    auth: true,
    uses: ['workflow'],
  },
  {
    id: 'getExecution',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/execution/{executionId}`,
    entry: `${EX}/get-execution.ts`,
    auth: true,
  },
  {
    id: 'getExecutionResults',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/execution/{executionId}/results`,
    entry: `${EX}/get-execution-results.ts`,
    auth: true,
  },
  {
    id: 'getExecutionOutputs',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/execution/{executionId}/outputs`,
    entry: `${EX}/get-execution-outputs.ts`,
    auth: true,
    // A long poll waits up to 20 s for output.
    timeoutSeconds: 29,
  },
  {
    id: 'getExecutionDiff',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/execution/{executionId}/diff`,
    entry: `${EX}/get-execution-diff.ts`,
    auth: true,
  },
  {
    id: 'cancelExecution',
    method: 'POST',
    path: `${P}/notebook/{notebookId}/execution/{executionId}/cancel`,
    entry: `${EX}/cancel-execution.ts`,
    auth: true,
    // Ending a run admits the next waiting one, whose workflow it starts.
    uses: ['workflow', 'webhooks'],
  },
  {
    id: 'resumeExecution',
    method: 'POST',
    path: `${P}/notebook/{notebookId}/execution/{executionId}/resume`,
    entry: `${EX}/resume-execution.ts`,
    auth: true,
    uses: ['workflow', 'kernelHost', 'webhooks'],
  },
  {
    id: 'listExecutions',
    method: 'GET',
    path: `${P}/notebook/{notebookId}/executions`,
    entry: `${EX}/list-executions.ts`,
    auth: true,
  },
  {
    id: 'createInvestigation',
    method: 'POST',
    path: `${P}/investigation`,
    entry: `${INV}/create-investigation.ts`,
    auth: true,
  },
  {
    id: 'listInvestigations',
    method: 'GET',
    path: `${P}/investigation`,
    entry: `${INV}/list-investigations.ts`,
    auth: true,
  },
  {
    id: 'getInvestigation',
    method: 'GET',
    path: `${P}/investigation/{investigationId}`,
    entry: `${INV}/get-investigation.ts`,
    auth: true,
  },
  {
    id: 'deleteInvestigation',
    method: 'DELETE',
    path: `${P}/investigation/{investigationId}`,
    entry: `${INV}/delete-investigation.ts`,
    auth: true,
  },
  {
    id: 'createWebhook',
    method: 'POST',
    path: `${P}/webhooks`,
    entry: `${WH}/create-webhook.ts`,
    auth: true,
  },
  {
    id: 'listWebhooks',
    method: 'GET',
    path: `${P}/webhooks`,
    entry: `${WH}/list-webhooks.ts`,
    auth: true,
  },
  {
    id: 'deleteWebhook',
    method: 'DELETE',
    path: `${P}/webhooks/{webhookId}`,
    entry: `${WH}/delete-webhook.ts`,
    auth: true,
  },
  {
    id: 'listWebhookDeliveries',
    method: 'GET',
    path: `${P}/webhooks/{webhookId}/deliveries`,
    entry: `${WH}/list-webhook-deliveries.ts`,
    auth: true,
  },
  {
    id: 'putSecret',
    method: 'PUT',
    path: `${P}/secrets/{name}`,
    entry: `${SEC}/put-secret.ts`,
    auth: true,
    uses: ['secretsKey'],
  },
  {
    id: 'listSecrets',
    method: 'GET',
    path: `${P}/secrets`,
    entry: `${SEC}/list-secrets.ts`,
    auth: true,
  },
  {
    id: 'deleteSecret',
    method: 'DELETE',
    path: `${P}/secrets/{name}`,
    entry: `${SEC}/delete-secret.ts`,
    auth: true,
  },
  {
    id: 'createDataset',
    method: 'POST',
    path: `${P}/dataset`,
    entry: `${DS}/create-dataset.ts`,
    auth: true,
    memoryMb: 1769,
    timeoutSeconds: 29,
    // A user's new version starts the bound auto-executed notebooks (dataset trigger).
    uses: ['workflow'],
  },
  {
    id: 'createDatasetUpload',
    method: 'POST',
    path: `${P}/dataset/uploads`,
    entry: `${DS}/create-dataset-upload.ts`,
    auth: true,
  },
  {
    id: 'addDatasetVersion',
    method: 'POST',
    path: `${P}/dataset/{datasetId}/versions`,
    entry: `${DS}/add-dataset-version.ts`,
    auth: true,
    memoryMb: 1769,
    timeoutSeconds: 29,
    // A user's new version starts the bound auto-executed notebooks (dataset trigger).
    uses: ['workflow'],
  },
  {
    id: 'listDatasets',
    method: 'GET',
    path: `${P}/datasets`,
    entry: `${DS}/list-datasets.ts`,
    auth: true,
  },
  {
    id: 'getDataset',
    method: 'GET',
    path: `${P}/dataset/{datasetId}`,
    entry: `${DS}/get-dataset.ts`,
    auth: true,
  },
  {
    id: 'downloadDatasetVersion',
    method: 'GET',
    path: `${P}/dataset/{datasetId}/versions/{version}/download`,
    entry: `${DS}/download-dataset-version.ts`,
    auth: true,
  },
  {
    id: 'deleteDataset',
    method: 'DELETE',
    path: `${P}/dataset/{datasetId}`,
    entry: `${DS}/delete-dataset.ts`,
    auth: true,
  },
  {
    id: 'health',
    method: 'GET',
    path: '/health',
    entry: `${SVC}/health.ts`,
    auth: false,
    uses: ['kernelHost'],
  },
  { id: 'getOpenApi', method: 'GET', path: '/api/openapi.json', entry: `${SVC}/get-openapi.ts`, auth: false },
  { id: 'viewApiDocs', method: 'GET', path: '/api/docs', entry: `${SVC}/view-api-docs.ts`, auth: false },
  {
    id: 'getStaticAsset',
    method: 'GET',
    path: '/static/{asset}',
    entry: `${SVC}/get-static-asset.ts`,
    auth: false,
    uses: ['staticAssets'],
  },
  {
    id: 'viewNotebookPage',
    method: 'GET',
    path: '/investigation/{tenantId}/{projectId}/{investigationId}/notebook/{notebookId}',
    entry: `${SVC}/view-notebook-page.ts`,
    auth: false,
  },
];

/** The Lambda authorizer's handler module. */
export const AUTHORIZER_ENTRY = 'functions/auth/authorizer.ts';
