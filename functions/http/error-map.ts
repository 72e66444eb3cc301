import {
  DomainError,
  DuplicateNameError,
  InvalidNotebookError,
  NotebookConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  StateConflictError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors.ts';

/** The one table from domain errors to HTTP status codes. */
const STATUS: ReadonlyArray<[new (...args: never[]) => DomainError, number]> = [
  [ValidationError, 400],
  [InvalidNotebookError, 400],
  [DuplicateNameError, 400],
  [UnauthorizedError, 401],
  [NotFoundError, 404],
  [NotebookConflictError, 409],
  [StateConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [ServiceUnavailableError, 503],
];

export interface ErrorResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

/** Maps any thrown value to a status and a body in the contract's error shape. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof DomainError) {
    const statusCode = STATUS.find(([type]) => error instanceof type)?.[1] ?? 500;
    const body: Record<string, unknown> = { Error: error.code, Message: error.message, ...error.context };
    if (error instanceof ValidationError && error.details.length > 0) body.Details = error.details;
    return { statusCode, body };
  }
  if ((error as { name?: string } | null)?.name === 'TimeoutError') {
    return {
      statusCode: 503,
      body: {
        Error: 'ServiceUnavailable',
        Message: 'The service is busy and could not finish in time; retry later',
      },
    };
  }
  return {
    statusCode: 500,
    body: { Error: 'InternalError', Message: 'The service failed to handle the request; it has been logged' },
  };
}
