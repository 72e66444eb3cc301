import { describe, expect, it } from 'vitest';
import { CsvParser, splitPlain } from '../../functions/core/dataset/csv-parser.ts';
import { csvRecords } from '../../functions/core/dataset/csv-records.ts';
import { ingestRecords } from '../../functions/core/dataset/ingest.ts';
import { isoMsIn, parseTimestampMs } from '../../functions/core/dataset/timestamp.ts';
import type { ValidationError } from '../../functions/core/errors.ts';

const ROLES = { caseIdColumn: 'case_id', activityColumn: 'activity', timestampColumn: 'timestamp' };

/** Every row the parser yields for `text` as UTF-8 cut into `size`-byte chunks, as [line, values]. */
function parseInChunks(text: string, size: number): Array<[number, string[]]> {
  const parser = new CsvParser();
  const rows: Array<[number, string[]]> = [];
  const take = ({ bytes, spans, records }: ReturnType<CsvParser['end']>) => {
    for (let i = 0; i < spans.length; i += 3) {
      const start = spans[i]!;
      const line = start >= 0 ? bytes.toString('utf8', start, spans[i + 1]) : '';
      rows.push([
        spans[i + 2]!,
        start >= 0 ? splitPlain(line, 0, line.length) : records[spans[i + 1]!]!.values,
      ]);
    }
  };
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size)).forEach(take);
  take(parser.end());
  return rows;
}

/** The normalised CSV and stats of a log given as text, in chunks of `size` bytes. */
async function ingest(text: string, size = 7) {
  const bytes = new TextEncoder().encode(text);
  const chunks = (async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
  })();
  const rows = ingestRecords(csvRecords(chunks), ROLES, 'file');
  const out: Buffer[] = [];
  for (;;) {
    const next = await rows.next();
    if (next.done) return { out: Buffer.concat(out).toString('utf8'), stats: next.value };
    out.push(next.value);
  }
}

describe('unit', () => {
  describe('CsvParser', () => {
    it('reads quoted fields with commas, quotes and line ends, whatever the chunk boundaries', () => {
      const text = 'a,b,c\r\n1,"x, ""y""",3\n\n"multi\nline",,"end"\r\n4,5,6';
      const expected: Array<[number, string[]]> = [
        [1, ['a', 'b', 'c']],
        [2, ['1', 'x, "y"', '3']],
        [4, ['multi\nline', '', 'end']],
        [6, ['4', '5', '6']],
      ];
      for (const size of [1, 2, 3, 5, 8, 13, 1000])
        expect(parseInChunks(text, size), `chunks of ${size}`).toEqual(expected);
    });

    it('refuses an unclosed quote, a quote inside a field and text after a closing quote, naming the line', () => {
      const error = (text: string) => {
        try {
          parseInChunks(text, 4);
        } catch (e) {
          return (e as ValidationError).message;
        }
        return 'no error';
      };
      expect(error('a,b\n1,"open\n')).toMatch(/line 2.*not closed/);
      expect(error('a,b\n1,2\nx"y,3\n')).toMatch(/line 3.*quote inside/);
      expect(error('a,b\n"q"z,1\n')).toMatch(/line 2.*after the closing quote/);
    });
  });

  describe('timestamps without a regular expression', () => {
    it('read every form the general path reads exactly as it does', () => {
      const samples = [
        '2024-01-31T08:15:00Z',
        '2024-01-31T08:15:00.123+02:00',
        '2024-01-31 08:15:00.5-05:30',
        '2024-01-31T08:15:00.123456789Z',
        '2024-02-29T23:59:59.999z',
        '2024-01-31T08:15',
        '2024-01-31',
        '2023-02-29',
        '2024-13-01',
        '2024-01-31T24:00:00',
        '2024-01-31T08:15:60',
        '0099-01-01',
        '2024-01-31T08:15:00.1234567890Z',
        '2024-01-31T08:15:00+0200',
      ];
      for (let i = 0; i < 2000; i++) {
        const ms = Date.UTC(
          1950 + (i % 120),
          i % 12,
          1 + (i % 28),
          i % 24,
          (i * 7) % 60,
          (i * 13) % 60,
          i % 1000,
        );
        const iso = new Date(ms).toISOString();
        samples.push(
          iso,
          iso.replace('Z', '+00:00'),
          iso.replace('T', ' ').replace('Z', ''),
          iso.slice(0, 19),
        );
      }
      const regex = (value: string) => {
        // The general path alone: what parseTimestampMs did before the fast path.
        const padded = ` ${value} `;
        return parseTimestampMs(padded);
      };
      for (const value of samples) {
        const fast = isoMsIn(`x${value}y`, 1, value.length + 1);
        if (!Number.isNaN(fast)) expect(fast, value).toBe(regex(value));
        expect(parseTimestampMs(value), value).toBe(regex(value));
      }
    });
  });

  describe('ingestRecords', () => {
    it('writes the same normalised log through the fast path as through the parsed-row path', async () => {
      const rows = [
        'case_id,activity,timestamp,cost,flag',
        'c1,Register,2024-01-31T08:15:00.123+00:00,1.5,true',
        'c1,Check,2024-01-31T09:15:00.000Z,2,false',
        'c2,Register,2024-01-31T10:15:00+02:00,3e2,TRUE',
        'c2, Check ,1706688900,,false',
        '"c3",Register,2024-02-01,4,true',
        'c3,"Check, twice",2024-02-01 10:00:00,5,false',
      ];
      const fast = await ingest(`${rows.join('\n')}\n`);
      // Every field quoted: no line takes the fast path.
      const quoted = rows.map((r) =>
        r
          .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
          .map((f) => (f.startsWith('"') ? f : `"${f}"`))
          .join(','),
      );
      const slow = await ingest(`${quoted.join('\r\n')}\r\n`);
      expect(fast.out).toBe(slow.out);
      expect(fast.stats).toEqual(slow.stats);
      expect(fast.out.split('\r\n').slice(1, 5)).toEqual([
        'c1,Register,2024-01-31T08:15:00.123Z,1.5,true',
        'c1,Check,2024-01-31T09:15:00.000Z,2,false',
        'c2,Register,2024-01-31T08:15:00.000Z,3e2,TRUE',
        'c2," Check ",2024-01-31T08:15:00.000Z,,false',
      ]);
      expect(fast.stats).toMatchObject({ recordCount: 6, caseCount: 3, activityCount: 4 });
      expect(fast.stats.columns.map((c) => c.type)).toEqual([
        'string',
        'string',
        'datetime',
        'float',
        'boolean',
      ]);
    });

    it('names the row and line of a ragged row, an empty case id and a bad timestamp on the fast path', async () => {
      const failure = async (text: string) =>
        ingest(text).then(
          () => 'no error',
          (e: ValidationError) => `${e.message} @ ${e.details?.[0]?.path}`,
        );
      const head = 'case_id,activity,timestamp\nc1,a,2024-01-01\n';
      expect(await failure(`${head}c1,b,2024-01-02,extra\n`)).toMatch(/^Row 2 \(line 3\): has 4 fields/);
      expect(await failure(`${head},b,2024-01-02\n`)).toMatch(
        /^Row 2 \(line 3\).*case id is empty @ file.row 2.case_id/,
      );
      expect(await failure(`${head}c1,b,31/01/2024\n`)).toMatch(
        /'31\/01\/2024' is not a timestamp.* @ file.row 2.timestamp$/,
      );
    });
  });
});
