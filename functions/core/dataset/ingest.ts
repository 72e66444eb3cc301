import { ValidationError } from '../errors.ts';
import { ColumnTypeInference } from './column-types.ts';
import type { SourceRecord } from './csv-records.ts';
import type { ColumnRole, DatasetColumn } from './dataset.ts';
import { parseTimestampMs } from './timestamp.ts';

/** Which columns hold the case id, the activity and the timestamp. */
export interface ColumnRoles {
  caseIdColumn: string;
  activityColumn: string;
  timestampColumn: string;
}

/** What was measured while a log was read. */
export interface IngestStats {
  recordCount: number;
  caseCount: number;
  activityCount: number;
  timeRange: { start: string; end: string } | null;
  columns: DatasetColumn[];
}

/** Where the rows came from: a CSV file (rows by number) or JSON `rows` (by index). */
export type RecordOrigin = 'file' | 'rows';

const FLUSH_CHARS = 1 << 20;

/** One CSV field, quoted when RFC 4180 requires it. */
function field(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

function bad(origin: RecordOrigin, row: number, line: number, column: string | null, message: string) {
  const where = origin === 'file' ? `Row ${row} (line ${line})` : `Row ${row}`;
  const path =
    origin === 'file'
      ? `file.row ${row}${column ? `.${column}` : ''}`
      : `body.rows.${row - 1}${column ? `.${column}` : ''}`;
  return new ValidationError(`${where}: ${message}`, [{ path, message }], 'InvalidDataset');
}

/**
 * Reads an event log record by record (the first record is the header), checks it and
 * yields the normalised CSV (header, then rows; CRLF; timestamps as ISO-8601 UTC) in chunks
 * of about 1 MiB, returning the stats at the end, measuring counts, distinct cases and activities, the time range
 * and each column's type on the way. Any problem is a 400 naming the row and column.
 */
export async function* ingestRecords(
  batches: AsyncIterable<SourceRecord[]> | Iterable<SourceRecord[]>,
  roles: ColumnRoles,
  origin: RecordOrigin,
): AsyncGenerator<string, IngestStats> {
  let header: string[] | undefined;
  let index = { caseId: -1, activity: -1, timestamp: -1 };
  let types: ColumnTypeInference[] = [];
  const cases = new Set<string>();
  const activities = new Set<string>();
  let [min, max] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  let rows = 0;
  let buffer = '';
  for await (const batch of batches)
    for (const record of batch) {
      if (!header) {
        header = record.values.map((name) => name.trim());
        index = checkHeader(header, roles, origin);
        types = header.map(() => new ColumnTypeInference());
        buffer = `${header.map(field).join(',')}\r\n`;
        continue;
      }
      rows++;
      const values = record.values;
      if (values.length !== header.length)
        throw bad(
          origin,
          rows,
          record.line,
          null,
          `has ${values.length} fields, the header has ${header.length} (every row needs one value per column)`,
        );
      const caseId = values[index.caseId]!;
      const activity = values[index.activity]!;
      if (caseId.trim() === '')
        throw bad(origin, rows, record.line, roles.caseIdColumn, 'the case id is empty');
      if (activity.trim() === '')
        throw bad(origin, rows, record.line, roles.activityColumn, 'the activity is empty');
      const raw = values[index.timestamp]!;
      const ms = parseTimestampMs(raw);
      if (ms === null)
        throw bad(
          origin,
          rows,
          record.line,
          roles.timestampColumn,
          `'${raw.slice(0, 100)}' is not a timestamp (ISO-8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds (9–11 digits) / milliseconds (12–16))`,
        );
      values[index.timestamp] = new Date(ms).toISOString();
      if (ms < min) min = ms;
      if (ms > max) max = ms;
      cases.add(caseId);
      activities.add(activity);
      // The timestamp column is a datetime by definition: no inference on it.
      for (let i = 0; i < values.length; i++) if (i !== index.timestamp) types[i]!.add(values[i]!);
      buffer += `${values.map(field).join(',')}\r\n`;
      if (buffer.length >= FLUSH_CHARS) {
        yield buffer;
        buffer = '';
      }
    }
  if (!header)
    throw new ValidationError(
      'The log is empty: no header and no rows',
      [
        {
          path: origin === 'file' ? 'file' : 'body.rows',
          message: 'must have a header and at least one row',
        },
      ],
      'InvalidDataset',
    );
  if (rows === 0)
    throw new ValidationError(
      'The log has a header but no data rows',
      [{ path: origin === 'file' ? 'file' : 'body.rows', message: 'must have at least one data row' }],
      'InvalidDataset',
    );
  yield buffer;
  const role = (i: number): ColumnRole | null =>
    i === index.caseId
      ? 'caseId'
      : i === index.activity
        ? 'activity'
        : i === index.timestamp
          ? 'timestamp'
          : null;
  return {
    recordCount: rows,
    caseCount: cases.size,
    activityCount: activities.size,
    timeRange: { start: new Date(min).toISOString(), end: new Date(max).toISOString() },
    columns: header.map((name, i) => ({
      name,
      type: i === index.timestamp ? 'datetime' : types[i]!.result(),
      role: role(i),
    })),
  };
}

function checkHeader(header: string[], roles: ColumnRoles, origin: RecordOrigin) {
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
