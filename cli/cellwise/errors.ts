/** Exit codes: a run that Completed, ended in Error (or any failure), was Cancelled, or a usage error. */
export const EXIT = { completed: 0, error: 1, cancelled: 2, usage: 2, interrupted: 130 } as const;

/** A wrong command line or missing configuration (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An error answer of the API, in the contract's `{Error, Message, Details}` shape. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** Network failures and answers that are not the API's (wrong URL, proxy pages). */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}
