import { z } from 'zod';

/** What the document says of the aliases (JSON Schema cannot say "equal if both"). */
export const ALIASES =
  '`name` and `notebookName` are the same field, as are `description` and `notebookDescription`: send either spelling (both: the same value).';

/** `name` or `notebookName` is required: the document's form of notebooks.ts's `requireName`. */
export const nameRequired = {
  anyOf: [{ required: ['name'] }, { required: ['notebookName'] }],
  description: `${ALIASES} A name is required.`,
};

/** The smallest magnitude other than 0 DynamoDB stores (smaller numbers underflow). */
const DYNAMODB_MIN_MAGNITUDE = 1e-130;

/**
 * A decimal the store holds exactly as sent: the DynamoDB marshaller refuses numbers beyond
 * ±(2^53 − 1) (they would lose digits), and DynamoDB refuses magnitudes below 1e-130.
 */
export const notebookOrder = z
  .number()
  .min(-Number.MAX_SAFE_INTEGER, 'must be at least -(2^53 - 1)')
  .max(Number.MAX_SAFE_INTEGER, 'must be at most 2^53 - 1')
  .refine(
    (n) => n === 0 || Math.abs(n) >= DYNAMODB_MIN_MAGNITUDE,
    'must be 0 or at least 1e-130 in magnitude',
  )
  .meta({
    description: 'Position in the investigation (decimal): 0, or a magnitude from 1e-130 to 2^53 - 1',
    anyOf: [{ const: 0 }, { minimum: DYNAMODB_MIN_MAGNITUDE }, { maximum: -DYNAMODB_MIN_MAGNITUDE }],
  });
