import { ValidationError } from '../errors.ts';
import { ColumnTypeInference } from './column-types.ts';
import { splitPlain } from './csv-parser.ts';
import type { ColumnRole, DatasetColumn } from './dataset.ts';
import { isoMsIn, parseTimestampMs } from './timestamp.ts';

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

/** One CSV field, quoted when RFC 4180 requires it (or when it has surrounding whitespace). */
function field(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A printable ASCII character other than a space: a field may start and end with it unquoted. */
const solid = (c: number) => c > 32 && c < 127;

/** A copy that does not keep the chunk it was cut from alive (V8 slices share their parent). */
const detached = (value: string) => ` ${value}`.slice(1);

/**
 * Checks an event log row by row and writes its normalised CSV (CRLF, quoting only where
 * needed, timestamps as ISO-8601 UTC), measuring counts, distinct cases and activities, the
 * time range and each column's type. `plain` takes a line straight from the text it was read
 * from (no substrings but the ones it keeps: most rows of a log); `row` takes parsed values.
 */
export class LogChecker {
  private header: string[] | undefined;
  private index = { caseId: -1, activity: -1, timestamp: -1 };
  private types: ColumnTypeInference[] = [];
  private readonly cases = new Set<string>();
  private readonly activities = new Set<string>();
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  /** The normalised text not taken yet. */
  private out = '';
  rows = 0;

  constructor(
    private readonly roles: ColumnRoles,
    private readonly origin: RecordOrigin,
  ) {}

  /** Characters of normalised text not taken yet. */
  get pending(): number {
    return this.out.length;
  }

  /** The normalised text so far, taken. */
  take(): string {
    const text = this.out;
    this.out = '';
    return text;
  }

  /** A line of `text` without quotes, [start, stop). */
  plain(text: string, start: number, stop: number, line: number): void {
    const width = this.header?.length ?? 0;
    const { starts, ends } = this;
    // Field i is [starts[i], ends[i]).
    let count = 0;
    let regular = true;
    for (let from = start; ; ) {
      const comma = text.indexOf(',', from);
      const end = comma < 0 || comma >= stop ? stop : comma;
      if (end > from && !(solid(text.charCodeAt(from)) && solid(text.charCodeAt(end - 1)))) regular = false;
      if (count < width) {
        starts[count] = from;
        ends[count] = end;
      }
      count++;
      if (end === stop) break;
      from = comma + 1;
    }
    const { caseId: ci, activity: ai, timestamp: ti } = this.index;
    const ts = starts[ti]!;
    const te = ends[ti]!;
    const ms = count === width && regular ? isoMsIn(text, ts, te) : Number.NaN;
    if (Number.isNaN(ms)) {
      // The header, a ragged row, whitespace to quote or a timestamp in another form.
      this.row(splitPlain(text, start, stop), line);
      return;
    }
    this.rows++;
    if (starts[ci] === ends[ci]) throw this.bad(line, this.roles.caseIdColumn, 'the case id is empty');
    if (starts[ai] === ends[ai]) throw this.bad(line, this.roles.activityColumn, 'the activity is empty');
    const caseId = text.slice(starts[ci], ends[ci]);
    if (!this.cases.has(caseId)) this.cases.add(detached(caseId));
    const activity = text.slice(starts[ai], ends[ai]);
    if (!this.activities.has(activity)) this.activities.add(detached(activity));
    for (let i = 0; i < width; i++) if (i !== ti) this.types[i]!.addIn(text, starts[i]!, ends[i]!);
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    // `…SS.fff+00:00` and `…SS.fffZ` are their UTC form but for the zone; others are rewritten.
    const n = te - ts;
    const utcForm = text.charCodeAt(ts + 10) === 84 && text.charCodeAt(ts + 19) === 46;
    if (utcForm && n === 29 && text.startsWith('+00:00', ts + 23)) {
      this.out += `${text.slice(start, ts + 23)}Z${text.slice(te, stop)}\r\n`;
    } else if (utcForm && n === 24 && text.charCodeAt(ts + 23) === 90) {
      this.out += `${text.slice(start, stop)}\r\n`;
    } else {
      this.out += `${text.slice(start, ts)}${new Date(ms).toISOString()}${text.slice(te, stop)}\r\n`;
    }
  }

  /** A row of parsed values (the first one is the header). */
  row(values: string[], line: number): void {
    if (!this.header) {
      this.header = values.map((name) => name.trim());
      this.index = checkHeader(this.header, this.roles, this.origin);
      this.types = this.header.map(() => new ColumnTypeInference());
      this.starts = new Int32Array(this.header.length);
      this.ends = new Int32Array(this.header.length);
      this.out += `${this.header.map(field).join(',')}\r\n`;
      return;
    }
    const header = this.header;
    this.rows++;
    if (values.length !== header.length)
      throw this.bad(
        line,
        null,
        `has ${values.length} fields, the header has ${header.length} (every row needs one value per column)`,
      );
    const caseId = values[this.index.caseId]!;
    const activity = values[this.index.activity]!;
    if (caseId.trim() === '') throw this.bad(line, this.roles.caseIdColumn, 'the case id is empty');
    if (activity.trim() === '') throw this.bad(line, this.roles.activityColumn, 'the activity is empty');
    const raw = values[this.index.timestamp]!;
    const ms = parseTimestampMs(raw);
    if (ms === null)
      throw this.bad(
        line,
        this.roles.timestampColumn,
        `'${raw.slice(0, 100)}' is not a timestamp (ISO-8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds (9–11 digits) / milliseconds (12–16))`,
      );
    values[this.index.timestamp] = new Date(ms).toISOString();
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    if (!this.cases.has(caseId)) this.cases.add(detached(caseId));
    if (!this.activities.has(activity)) this.activities.add(detached(activity));
    // The timestamp column is a datetime by definition: no inference on it.
    for (let i = 0; i < values.length; i++) if (i !== this.index.timestamp) this.types[i]!.add(values[i]!);
    this.out += `${values.map(field).join(',')}\r\n`;
  }

  /** What was measured; throws when the log had no header or no rows. */
  stats(): IngestStats {
    const path = this.origin === 'file' ? 'file' : 'body.rows';
    if (!this.header)
      throw new ValidationError(
        'The log is empty: no header and no rows',
        [{ path, message: 'must have a header and at least one row' }],
        'InvalidDataset',
      );
    if (this.rows === 0)
      throw new ValidationError(
        'The log has a header but no data rows',
        [{ path, message: 'must have at least one data row' }],
        'InvalidDataset',
      );
    const { caseId, activity, timestamp } = this.index;
    const role = (i: number): ColumnRole | null =>
      i === caseId ? 'caseId' : i === activity ? 'activity' : i === timestamp ? 'timestamp' : null;
    return {
      recordCount: this.rows,
      caseCount: this.cases.size,
      activityCount: this.activities.size,
      timeRange: { start: new Date(this.min).toISOString(), end: new Date(this.max).toISOString() },
      columns: this.header.map((name, i) => ({
        name,
        type: i === timestamp ? 'datetime' : this.types[i]!.result(),
        role: role(i),
      })),
    };
  }

  private bad(line: number, column: string | null, message: string): ValidationError {
    const row = this.rows;
    const file = this.origin === 'file';
    const where = file ? `Row ${row} (line ${line})` : `Row ${row}`;
    const path = file
      ? `file.row ${row}${column ? `.${column}` : ''}`
      : `body.rows.${row - 1}${column ? `.${column}` : ''}`;
    return new ValidationError(`${where}: ${message}`, [{ path, message }], 'InvalidDataset');
  }
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
