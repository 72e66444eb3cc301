import type { RouteContract } from '../../http/contract.ts';
import * as datasets from './dataset-contracts.ts';
import * as environments from './environment-contracts.ts';
import * as executions from './execution-contracts.ts';
import * as notebooks from './notebook-contracts.ts';
import * as notebookUploads from './notebook-upload-contracts.ts';
import * as others from './other-contracts.ts';
import * as parameters from './parameter-contracts.ts';
import * as secrets from './secret-contracts.ts';
import * as webhooks from './webhook-contracts.ts';

/** Every route's contract by route id (the ids of `infra/routes.ts`). */
export const CONTRACTS: Readonly<Record<string, RouteContract>> = Object.fromEntries(
  Object.values({
    ...notebooks,
    ...notebookUploads,
    ...executions,
    ...others,
    ...webhooks,
    ...environments,
    ...datasets,
    ...parameters,
    ...secrets,
  }).map((c) => [c.id, c as RouteContract]),
);
