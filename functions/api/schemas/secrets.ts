import { z } from 'zod';
import {
  MAX_RUN_SECRETS,
  MAX_SECRET_BYTES,
  MIN_SECRET_LENGTH,
  SECRET_NAME,
} from '../../core/secrets/secret.ts';
import { projectParams } from './common.ts';

/** An environment-variable name: `^[A-Z_][A-Z0-9_]{0,127}$`. */
export const secretName = z
  .string()
  .regex(
    SECRET_NAME,
    'must be an environment variable name: A-Z, 0-9 and _, not starting with a digit, at most 128 characters',
  )
  .meta({ description: 'An environment variable name (`^[A-Z_][A-Z0-9_]{0,127}$`)' });

export const secretParams = projectParams.extend({ name: secretName });

export const putSecretBody = z
  .strictObject({
    value: z
      .string()
      .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
      .refine(
        (v) => Buffer.byteLength(v, 'utf8') <= MAX_SECRET_BYTES,
        `must be at most ${MAX_SECRET_BYTES} bytes of UTF-8`,
      )
      .meta({
        description: `The value (write-only: never answered, listed or logged). At least ${MIN_SECRET_LENGTH} characters, so that redacting it says little; at most ${MAX_SECRET_BYTES} bytes of UTF-8.`,
        maxLength: MAX_SECRET_BYTES,
      }),
  })
  .meta({ id: 'PutSecretBody' });

export const secretInfo = z
  .object({
    name: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Secret', description: 'A project secret: its name and dates, never its value' });

export const secretList = z.object({ secrets: z.array(secretInfo) }).meta({ id: 'SecretList' });

/** The execute body's (and a schedule's) `secrets`: names of project secrets, unique. */
export const runSecrets = z
  .array(secretName)
  .max(MAX_RUN_SECRETS, `must name at most ${MAX_RUN_SECRETS} secrets`)
  .refine((names) => new Set(names).size === names.length, 'must not name a secret twice')
  .meta({
    description: `Project secrets (at most ${MAX_RUN_SECRETS}, each existing: 400 SecretNotFound otherwise) set in the kernel's process environment before the first cell (Python \`os.environ\`, R \`Sys.getenv\`); never in parameters or the notebook. Every form of each value (as is, base64, URL- and JSON-escaped, repr, HTML) is replaced by \`[secret:NAME]\` in outputs, results, the executed notebook, the report, live output, errors and webhooks.`,
    uniqueItems: true,
  });
