import { ValidationError } from '../errors.ts';
import type { ColumnRoles, RecordOrigin } from './log-checker.ts';

/**
 * Checks a log's header (every column named, no name twice, the role columns present) and
 * returns the indexes of the case id, activity and timestamp columns; 400s otherwise.
 */
export function checkHeader(header: string[], roles: ColumnRoles, origin: RecordOrigin) {
  const path = origin === 'file' ? 'file.header' : 'body.rows';
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '')
      throw new ValidationError(
        `Column ${i + 1} of the header has no name`,
        [{ path, message: `column ${i + 1} has no name` }],
        'InvalidDataset',
      );
    if (seen.has(name))
      throw new ValidationError(
        `The header names column '${name}' twice`,
        [{ path, message: `duplicate column '${name}'` }],
        'InvalidDataset',
      );
    seen.add(name);
  });
  const find = (field: keyof ColumnRoles) => {
    const i = header.indexOf(roles[field]);
    if (i < 0)
      throw new ValidationError(
        `Required column '${roles[field]}' (${field}) is missing; the columns are: ${header.join(', ')}`,
        [{ path: field, message: `no column '${roles[field]}' in: ${header.join(', ')}` }],
        'MissingColumn',
      );
    return i;
  };
  return {
    caseId: find('caseIdColumn'),
    activity: find('activityColumn'),
    timestamp: find('timestampColumn'),
  };
}
