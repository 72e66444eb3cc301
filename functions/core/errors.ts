/**
 * Domain errors. Core code throws these; the HTTP layer maps each class to a status code
 * in exactly one table (`functions/http/error-map.ts`). Every error carries the body fields
 * the contract promises (`Error`, `Message`, plus context such as `NotebookId`).
 */
export abstract class DomainError extends Error {
  /** Short code or sentence for the `Error` field of the response body. */
  abstract readonly code: string;
  /** Extra context fields merged into the response body (PascalCase keys, as in the seeds). */
  readonly context: Record<string, unknown>;

  constructor(message: string, context: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** The request is malformed: bad JSON, a failed schema, a bad GUID, an out-of-range value. */
export class ValidationError extends DomainError {
  readonly code: string;
  readonly details: ValidationIssue[];
  constructor(
    message: string,
    details: ValidationIssue[] = [],
    code = 'ValidationError',
    options?: ErrorOptions & { context?: Record<string, unknown> },
  ) {
    super(message, options?.context, options);
    this.code = code;
    this.details = details;
  }
}

/** How a message names what was sent: the request body, the file, a form field. */
function sentPart(where: string): string {
  if (where === 'body') return 'The request body';
  if (where === 'file') return 'The file';
  return where.startsWith('form.') ? `Form field '${where.slice(5)}'` : `'${where}'`;
}

/**
 * A JSON text (a request body, an uploaded notebook) nests objects and arrays deeper than
 * `limit`: refused before anything parses or walks it (no recursion ever sees it).
 */
export class RequestTooDeepError extends ValidationError {
  constructor(where: string, limit: number, position: string, options?: ErrorOptions) {
    super(
      `${sentPart(where)} nests objects and arrays deeper than ${limit} levels (${position})`,
      [{ path: where, message: `must not nest deeper than ${limit} levels` }],
      'RequestTooDeep',
      { ...options, context: { Limit: limit } },
    );
  }
}

/** Bytes that should be UTF-8 text (a body, a form field, an uploaded file) are not. */
export class InvalidUtf8Error extends ValidationError {
  constructor(where: string, byteOffset: number, options?: ErrorOptions) {
    super(
      `${sentPart(where)} is not valid UTF-8 (invalid bytes at byte ${byteOffset})`,
      [{ path: where, message: `must be UTF-8 text (invalid bytes at byte ${byteOffset})` }],
      'InvalidUtf8',
      options,
    );
  }
}

/** An uploaded notebook is not JSON or not a valid nbformat v4 document. */
export class InvalidNotebookError extends DomainError {
  readonly code = 'InvalidNotebook';
}

/** A resource does not exist (or belongs to a tenant/project the caller cannot see). */
export class NotFoundError extends DomainError {
  readonly code: string;
  constructor(resource: string, context: Record<string, unknown> = {}) {
    super(`${resource} not found`, context);
    this.code = `${resource} not found`;
  }
}

/** A presigned upload that cannot be used: unknown, expired, never PUT, or another project's. */
export class UploadNotFoundError extends NotFoundError {
  constructor(uploadId: string, why: string) {
    super('Upload', { UploadId: uploadId });
    this.message = `Upload ${uploadId} not found: ${why}`;
  }
}

/** A name is already used in the investigation (compared case-insensitively). */
export class DuplicateNameError extends DomainError {
  readonly code: string;
  constructor(name: string, action: 'create' | 'update' | 'copy' = 'create') {
    super(
      `A notebook named '${name}' already exists in this investigation (names are compared case-insensitively)`,
      {
        Name: name,
      },
    );
    this.code = `Failed to ${action} notebook. The name may already exist in this investigation.`;
  }
}

/** Optimistic lock failed: the caller's `dateModified` is not the stored one. */
export class NotebookConflictError extends DomainError {
  readonly code = 'CONFLICT';
  constructor(
    notebookId: string,
    yours: string,
    current: string,
    modifiedBy: string | null,
    resolution: string,
  ) {
    super('Notebook was modified by another user since you last fetched it', {
      NotebookId: notebookId,
      YourDateModified: yours,
      CurrentDateModified: current,
      ModifiedBy: modifiedBy,
      Resolution: resolution,
    });
  }
}

/** The operation conflicts with the resource's state (a run is active, the investigation is not empty). */
export class StateConflictError extends DomainError {
  readonly code: string;
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(message, context);
    this.code = code;
  }
}

/** The request body is larger than the route accepts. */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'PayloadTooLarge';
}

/** The request carries no valid bearer token. */
export class UnauthorizedError extends DomainError {
  readonly code = 'Unauthorized';
}

/** The media type of the body is not one the route accepts. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UnsupportedMediaType';
}

/** A dependency (workflow, kernel host) could not take the request now; retrying later may work. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'ServiceUnavailable';
}
