import type { RouteContract } from '../../http/contract.ts';
import { projectParams } from '../schemas/common.ts';
import { putSecretBody, secretInfo, secretList, secretParams } from '../schemas/secrets.ts';
import { errors, scopedErrors } from './shared.ts';

const tags = ['Secrets'];

export const putSecret = {
  id: 'putSecret',
  summary: 'Create or replace a project secret (the value is write-only: never answered, listed or logged)',
  tags,
  auth: true,
  params: secretParams,
  body: putSecretBody,
  responses: {
    200: { description: 'Replaced (name and dates only)', schema: secretInfo },
    201: { description: 'Created (name and dates only)', schema: secretInfo },
    ...scopedErrors(),
    ...errors(409, 413, 415),
  },
} satisfies RouteContract;

export const listSecrets = {
  id: 'listSecrets',
  summary: "The project's secrets by name, with their dates (never values)",
  tags,
  auth: true,
  params: projectParams,
  responses: { 200: { description: 'The secrets, by name', schema: secretList }, ...scopedErrors() },
} satisfies RouteContract;

export const deleteSecret = {
  id: 'deleteSecret',
  summary: 'Delete a project secret (runs already started keep what they were given)',
  tags,
  auth: true,
  params: secretParams,
  responses: { 204: { description: 'Deleted' }, ...scopedErrors() },
} satisfies RouteContract;
