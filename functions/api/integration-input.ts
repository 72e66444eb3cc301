import type { Integration } from '../core/notebook.ts';
import { parseParametersLossless } from '../core/parameters.ts';
import type { Services } from '../core/ports.ts';
import { bodyText } from '../http/body.ts';
import type { HttpEvent } from '../http/route.ts';
import type { integrationInput } from './schemas/notebooks.ts';

type IntegrationBody = ReturnType<typeof integrationInput.parse>;

/**
 * The validated `integration` of a create/update body as core stores it: a `null` time zone
 * is UTC, and `scheduleParameters` are read again losslessly from the raw body (big
 * integers, `1.0` against `1`) and kept as JSON text, as route 12 does with `parameters`.
 */
export function integrationFrom(
  integration: IntegrationBody | undefined,
  event: HttpEvent,
  services: Services,
): Partial<Integration> | undefined {
  if (!integration) return undefined;
  const { scheduleParameters, scheduleTimezone, ...rest } = integration;
  const result: Partial<Integration> = { ...rest };
  if (scheduleTimezone !== undefined) result.scheduleTimezone = scheduleTimezone ?? 'UTC';
  if (scheduleParameters !== undefined) {
    const text = bodyText(event, services.maxUploadBytes);
    const lossless = parseParametersLossless(text) as { integration?: { scheduleParameters?: unknown } };
    result.scheduleParametersJson = JSON.stringify(lossless.integration?.scheduleParameters ?? {});
  }
  return result;
}
