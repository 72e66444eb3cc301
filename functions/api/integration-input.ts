import type { Integration } from '../core/notebook.ts';
import type { integrationInput } from './schemas/notebooks.ts';

type IntegrationBody = ReturnType<typeof integrationInput.parse>;

/**
 * The validated `integration` of a create/update body as core stores it: a `null` time zone
 * is UTC, and `scheduleParameters` (parsed losslessly: the contracts' `losslessBody`, big
 * integers, `1.0` against `1`) are kept as JSON text, as route 12 keeps `parameters`.
 */
export function integrationFrom(integration: IntegrationBody | undefined): Partial<Integration> | undefined {
  if (!integration) return undefined;
  const { scheduleParameters, scheduleTimezone, ...rest } = integration;
  const result: Partial<Integration> = { ...rest };
  if (scheduleTimezone !== undefined) result.scheduleTimezone = scheduleTimezone ?? 'UTC';
  if (scheduleParameters !== undefined) result.scheduleParametersJson = JSON.stringify(scheduleParameters);
  return result;
}
