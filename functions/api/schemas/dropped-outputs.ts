import { z } from 'zod';

const lossReason = z.enum([
  'cellOutputBytes',
  'cellOutputs',
  'runOutputBytes',
  'runOutputs',
  'invalidOutput',
  'unreadableMessage',
]);
const lossCounts = {
  outputs: z
    .number()
    .int()
    .meta({ description: 'Outputs (or display updates, unreadable messages) not kept at all' }),
  truncated: z.number().int().meta({
    description:
      'Outputs kept in part: a stream cut at a limit, a display whose invalid representations were skipped',
  }),
  bytes: z.number().int().meta({ description: 'Bytes not kept' }),
  reasons: z.array(lossReason).meta({
    description:
      'The limits reached (CELLWISE_MAX_CELL_OUTPUT_BYTES, CELLWISE_MAX_CELL_OUTPUTS, CELLWISE_MAX_RUN_OUTPUT_BYTES, CELLWISE_MAX_RUN_OUTPUTS), invalid output data skipped, messages that could not be read',
  }),
};
/** Core's `droppedView`: what a run did not keep of its outputs, in total and per cell. */
export const droppedOutputs = z
  .object({
    ...lossCounts,
    cells: z.array(
      z.object({
        cellId: z.string(),
        ...lossCounts,
        details: z
          .array(z.string())
          .meta({ description: 'What was wrong with skipped data (the first ten)' }),
      }),
    ),
  })
  .meta({
    id: 'DroppedOutputs',
    description:
      'What the run did not keep of its outputs: everything up to a limit is kept (a stream up to the limit), the rest is counted here and noted at the end of the cell in the executed notebook',
  });
