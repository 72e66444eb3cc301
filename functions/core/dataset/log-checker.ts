import { ValidationError } from '../errors.ts';
import { ByteOutput } from './byte-output.ts';
import { ColumnTypeInference } from './column-types.ts';
import { splitPlain } from './csv-parser.ts';
import type { ColumnRole, DatasetColumn } from './dataset.ts';
import { DistinctValues } from './distinct-values.ts';
import { checkHeader } from './log-header.ts';
import { isoMsAt, parseTimestampMs } from './timestamp.ts';

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

const COMMA = 44;
/** `+00:00` */
const UTC_OFFSET = [43, 48, 48, 58, 48, 48];

/**
 * Checks an event log row by row and writes its normalised CSV (CRLF, quoting only where
 * needed, timestamps as ISO-8601 UTC) into byte buffers, measuring counts, distinct cases
 * and activities, the time range and each column's type. `plain` takes a line straight from
 * the bytes it was read from (no strings made: most rows of a log); `row` takes parsed values.
 */
export class LogChecker {
  private header: string[] | undefined;
  private index = { caseId: -1, activity: -1, timestamp: -1 };
  private types: ColumnTypeInference[] = [];
  private readonly cases = new DistinctValues();
  private readonly activities = new DistinctValues();
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  /** The normalised CSV not taken yet. */
  private readonly out: ByteOutput;
  rows = 0;

  constructor(
    private readonly roles: ColumnRoles,
    private readonly origin: RecordOrigin,
    flushBytes: number,
  ) {
    this.out = new ByteOutput(flushBytes);
  }

  /** Bytes of normalised CSV not taken yet. */
  get pending(): number {
    return this.out.length;
  }

  /** The normalised CSV so far, taken. */
  take(): Buffer {
    return this.out.take();
  }

  /** A line of UTF-8 `bytes` without quotes, [start, stop). */
  plain(bytes: Buffer, start: number, stop: number, line: number): void {
    const width = this.header?.length ?? 0;
    const { starts, ends } = this;
    // Field i is [starts[i], ends[i]).
    let count = 0;
    let regular = true;
    for (let from = start, i = start; ; i++) {
      if (i < stop && bytes[i] !== COMMA) continue;
      if (i > from && !(solid(bytes[from]!) && solid(bytes[i - 1]!))) regular = false;
      if (count < width) {
        starts[count] = from;
        ends[count] = i;
      }
      count++;
      if (i === stop) break;
      from = i + 1;
    }
    const { caseId: ci, activity: ai, timestamp: ti } = this.index;
    const ts = starts[ti]!;
    const te = ends[ti]!;
    const ms = count === width && regular ? isoMsAt(bytes, ts, te) : Number.NaN;
    if (Number.isNaN(ms)) {
      // The header, a ragged row, whitespace to quote or a timestamp in another form.
      const text = bytes.toString('utf8', start, stop);
      this.row(splitPlain(text, 0, text.length), line);
      return;
    }
    this.rows++;
    if (starts[ci] === ends[ci]) throw this.bad(line, this.roles.caseIdColumn, 'the case id is empty');
    if (starts[ai] === ends[ai]) throw this.bad(line, this.roles.activityColumn, 'the activity is empty');
    this.cases.addBytes(bytes, starts[ci]!, ends[ci]!);
    this.activities.addBytes(bytes, starts[ai]!, ends[ai]!);
    for (let i = 0; i < width; i++) if (i !== ti) this.types[i]!.addBytes(bytes, starts[i]!, ends[i]!);
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.writePlain(bytes, start, stop, ts, te, ms);
  }

  /**
   * Writes a line without quotes with its timestamp [ts, te) in UTC: `…SS.fff+00:00` and
   * `…SS.fffZ` are their UTC form but for the zone; others are rewritten.
   */
  private writePlain(bytes: Buffer, start: number, stop: number, ts: number, te: number, ms: number): void {
    const out = this.out.room(stop - start + 32);
    let o = this.out.length;
    const n = te - ts;
    const utcForm = bytes[ts + 10] === 84 && bytes[ts + 19] === 46;
    let zone = utcForm && n === 29;
    for (let i = 0; zone && i < 6; i++) zone = bytes[ts + 23 + i] === UTC_OFFSET[i];
    if (zone) {
      o += bytes.copy(out, o, start, ts + 23);
      out[o++] = 90;
      o += bytes.copy(out, o, te, stop);
    } else if (utcForm && n === 24 && bytes[ts + 23] === 90) {
      o += bytes.copy(out, o, start, stop);
    } else {
      o += bytes.copy(out, o, start, ts);
      o += out.write(new Date(ms).toISOString(), o, 'latin1');
      o += bytes.copy(out, o, te, stop);
    }
    out[o++] = 13;
    out[o++] = 10;
    this.out.length = o;
  }

  /** A row of parsed values (the first one is the header). */
  row(values: string[], line: number): void {
    if (!this.header) {
      this.header = values.map((name) => name.trim());
      this.index = checkHeader(this.header, this.roles, this.origin);
      this.types = this.header.map(() => new ColumnTypeInference());
      this.starts = new Int32Array(this.header.length);
      this.ends = new Int32Array(this.header.length);
      this.out.write(`${this.header.map(field).join(',')}\r\n`);
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
    this.cases.add(caseId);
    this.activities.add(activity);
    // The timestamp column is a datetime by definition: no inference on it.
    for (let i = 0; i < values.length; i++) if (i !== this.index.timestamp) this.types[i]!.add(values[i]!);
    this.out.write(`${values.map(field).join(',')}\r\n`);
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
