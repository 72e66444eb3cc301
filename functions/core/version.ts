/**
 * Notebook versions are `MAJOR.MINOR.PATCH`. A change to cells bumps MINOR (and resets
 * PATCH); a change to metadata only bumps PATCH. MAJOR is reserved for format changes.
 */
export interface NotebookVersion {
  major: number;
  minor: number;
  patch: number;
}

const PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export const INITIAL_VERSION = '1.0.0';

/** Parses `MAJOR.MINOR.PATCH`; returns undefined when the text is not a version. */
export function parseVersion(text: string): NotebookVersion | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function formatVersion(v: NotebookVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export type ChangeKind = 'cells' | 'metadata';

/** The version that follows `current` after a change of the given kind. */
export function bumpVersion(current: string, change: ChangeKind): string {
  const v = parseVersion(current);
  if (!v) throw new Error(`stored version is malformed: ${current}`);
  return change === 'cells'
    ? formatVersion({ major: v.major, minor: v.minor + 1, patch: 0 })
    : formatVersion({ major: v.major, minor: v.minor, patch: v.patch + 1 });
}

/** A sort key that orders versions numerically as strings (used as a storage sort key). */
export function versionSortKey(text: string): string {
  const v = parseVersion(text);
  if (!v) throw new Error(`not a version: ${text}`);
  const pad = (n: number) => String(n).padStart(9, '0');
  return `${pad(v.major)}.${pad(v.minor)}.${pad(v.patch)}`;
}
