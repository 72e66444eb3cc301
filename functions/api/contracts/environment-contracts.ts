import { z } from 'zod';
import type { RouteContract } from '../../http/contract.ts';
import { projectParams } from '../schemas/common.ts';
import { errors, scopedErrors } from './shared.ts';

const installedPackage = z.object({ name: z.string(), version: z.string().nullable() });

/** A kernel the deployment can really run, as the kernel host reports it. */
const kernelEnvironment = z.object({
  kernelType: z.string().describe('The value of `kernelType` in notebook requests'),
  displayName: z.string(),
  language: z.string(),
  languageVersion: z.string().nullable().describe("The kernel's interpreter version (null: unknown)"),
  packages: z.array(installedPackage).describe('Installed packages, by name'),
  customLibraries: z.array(installedPackage).describe('Cellwise SDK packages importable in the kernel'),
});

export const listEnvironments = {
  id: 'listEnvironments',
  summary: 'The kernels this deployment can really run, with their packages',
  tags: ['Environments'],
  auth: true,
  params: projectParams,
  responses: {
    200: { description: 'Environments', schema: z.object({ environments: z.array(kernelEnvironment) }) },
    ...scopedErrors(),
    ...errors(503),
  },
} satisfies RouteContract;
