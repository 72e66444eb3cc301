import type { RouteContract } from '../../http/contract.ts';
import { notebookParams } from '../schemas/common.ts';
import { notebookParameters, STRICT_RULES } from '../schemas/declared-parameters.ts';
import { scopedErrors } from './shared.ts';

export const getNotebookParameters = {
  id: 'getNotebookParameters',
  summary: 'The parameters the notebook’s parameters cell declares: names, inferred types, defaults, help',
  tags: ['Notebooks'],
  auth: true,
  params: notebookParams,
  responses: {
    200: {
      description: `As papermill's inspect_notebook reads the first cell tagged \`parameters\` (Python: \`name = value\`, \`name: type = value\`, \`# type: T\` comments; R: \`name <- value\`, \`name = value\`); the last line's comment is the help; a definition may span lines; statements that are not one assignment to a name are skipped; a name defined twice is listed once, as last defined. An execute body (or a schedule) with \`strictParameters\` checks its parameters against this list: ${STRICT_RULES}`,
      schema: notebookParameters,
    },
    ...scopedErrors(),
  },
} satisfies RouteContract;
