import type { CsvBatch } from './csv-parser.ts';
import type { SourceRecord } from './csv-records.ts';
import { type ColumnRoles, type IngestStats, LogChecker, type RecordOrigin } from './log-checker.ts';

export type { ColumnRoles, IngestStats, RecordOrigin } from './log-checker.ts';

/** Normalised CSV is handed on in buffers of about this many bytes. */
const FLUSH_BYTES = 1 << 20;

/**
 * Reads an event log batch by batch (the first row is the header), checks it and yields the
 * normalised CSV (UTF-8; header, then rows; CRLF; timestamps as ISO-8601 UTC) in buffers of
 * about 1 MiB, returning the stats at the end (see `LogChecker`). Batches are parsed records
 * (JSON rows) or CSV batches, whose lines without quotes are checked straight from their bytes.
 * Any problem is a 400 naming the row and column. Memory stays bounded by a batch, a chunk
 * and the distinct case ids and activities, whatever the log's size.
 */
export async function* ingestRecords(
  batches: AsyncIterable<SourceRecord[] | CsvBatch> | Iterable<SourceRecord[] | CsvBatch>,
  roles: ColumnRoles,
  origin: RecordOrigin,
): AsyncGenerator<Buffer, IngestStats> {
  const checker = new LogChecker(roles, origin, FLUSH_BYTES);
  for await (const batch of batches) {
    if (Array.isArray(batch)) {
      for (const record of batch) {
        checker.row(record.values, record.line);
        if (checker.pending >= FLUSH_BYTES) yield checker.take();
      }
      continue;
    }
    const { bytes, spans, records } = batch;
    for (let i = 0; i < spans.length; i += 3) {
      const start = spans[i]!;
      if (start >= 0) checker.plain(bytes, start, spans[i + 1]!, spans[i + 2]!);
      else checker.row(records[spans[i + 1]!]!.values, spans[i + 2]!);
      if (checker.pending >= FLUSH_BYTES) yield checker.take();
    }
  }
  const stats = checker.stats();
  yield checker.take();
  return stats;
}
