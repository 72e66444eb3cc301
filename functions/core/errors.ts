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

  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message);
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
  constructor(message: string, details: ValidationIssue[] = [], code = 'ValidationError') {
    super(message);
    this.code = code;
    this.details = details;
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
