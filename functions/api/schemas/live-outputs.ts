import { z } from 'zod';
import { RUN_STATUSES } from '../../core/run/run.ts';

/** A cursor as the live output route gives it: `{epoch ms}.{sequence}`. */
const cursor = z
  .string()
  .regex(/^\d{13}\.\d{6}$/, 'must be a nextCursor this route returned')
  .meta({ description: 'The `nextCursor` of the previous answer; omit it to read from the first chunk' });

export const liveOutputsQuery = z.object({
  after: cursor.optional(),
  waitSeconds: z.coerce
    .number()
    .int('must be whole seconds')
    .min(0, 'must be at least 0')
    .max(20, 'must be at most 20')
    .default(0)
    .meta({
      description:
        'How long to wait for a first chunk when none is there yet (long poll, within API Gateway’s 29 s)',
    }),
});

const cellId = z.string();
const mimeBundle = z.record(z.string(), z.unknown());

const liveChunk = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('stream'),
        cellId,
        outputIndex: z.number().int(),
        name: z.string(),
        text: z.string(),
      })
      .meta({
        description:
          'Text to append to the cell’s last output when it is this stream, else a new stream output. Consecutive prints come coalesced (as Jupyter shows them): `outputIndex` is the first stored output the text belongs to',
      }),
    z
      .object({
        type: z.literal('output'),
        cellId,
        outputIndex: z.number().int(),
        displayId: z.string().nullable(),
        output: z.record(z.string(), z.unknown()).nullable().meta({
          description:
            'The nbformat output; null when its JSON is above 256 KiB (`bytes`): read it from the results',
        }),
        bytes: z.number().int(),
      })
      .meta({ description: 'A display, result or error output of the cell, at `outputIndex`' }),
    z.object({ type: z.literal('clear'), cellId }).meta({ description: 'The cell’s outputs were cleared' }),
    z
      .object({
        type: z.literal('update'),
        cellId,
        displayId: z.string(),
        data: mimeBundle,
        metadata: mimeBundle,
      })
      .meta({ description: 'Every output shown with `displayId`, in any cell, now shows `data`' }),
  ])
  .meta({ id: 'LiveOutputChunk' });

export const liveOutputs = z
  .object({
    executionId: z.string(),
    status: z.enum(RUN_STATUSES),
    chunks: z.array(liveChunk),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `after` to read on' }),
    more: z.boolean().meta({ description: 'More chunks are there already: read again at once' }),
    ended: z
      .boolean()
      .meta({ description: 'The run has ended and every chunk was read: nothing more will come' }),
  })
  .meta({ id: 'LiveOutputs' });
