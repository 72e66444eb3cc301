import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../functions/core/dataset/csv-records.ts';
import { DistinctValues } from '../../functions/core/dataset/distinct-values.ts';
import { ingestRecords } from '../../functions/core/dataset/ingest.ts';
import type { ValidationError } from '../../functions/core/errors.ts';
import { firstInvalidUtf8Byte } from '../../functions/core/json-limits.ts';

const ROLES = { caseIdColumn: 'case_id', activityColumn: 'activity', timestampColumn: 'timestamp' };

/** The normalised CSV and stats of a log given as bytes cut at `cuts`, or the error's message. */
async function ingest(bytes: Uint8Array, cuts: number[]) {
  const chunks = (async function* () {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      yield bytes.slice(from, cut);
      from = cut;
    }
  })();
  const rows = ingestRecords(csvRecords(chunks), ROLES, 'file');
  const out: Buffer[] = [];
  try {
    for (;;) {
      const next = await rows.next();
      if (next.done) return { out: Buffer.concat(out).toString('utf8'), stats: next.value };
      out.push(next.value);
    }
  } catch (error) {
    return { error: (error as ValidationError).message };
  }
}

const LOG = [
  '\ufeffcase_id,activity,timestamp,note',
  'Grüße-1,Prüfung 🚀,2024-01-31T08:15:00.123+00:00,naïve',
  'Grüße-1,Zahlung,2024-01-31T09:15:00.000Z,x',
  'Grüße-2,Prüfung 🚀,2024-01-31 10:15:00,"quoted, ""twice""\r\nover lines"',
  'e\u0301,é,2024-02-01,1',
  'é,e\u0301,2024-02-01T00:00:00+02:00,2',
  '',
].join('\r\n');

describe('unit', () => {
  describe('csvRecords over bytes', () => {
    it('reads a log the same whichever byte a chunk ends at (characters, CRLF and quoted lines split)', async () => {
      const bytes = Buffer.from(LOG, 'utf8');
      const whole = await ingest(bytes, []);
      expect(whole.stats).toMatchObject({ recordCount: 5, caseCount: 4, activityCount: 4 });
      expect(whole.out).toContain('Grüße-1,Prüfung 🚀,2024-01-31T08:15:00.123Z,naïve\r\n');
      expect(whole.out).toContain('"quoted, ""twice""\r\nover lines"\r\n');
      for (let cut = 1; cut < bytes.length; cut++)
        expect(await ingest(bytes, [cut]), `cut at ${cut}`).toEqual(whole);
      const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
      expect(await ingest(bytes, everyByte)).toEqual(whole);
    });

    it('refuses a character broken across chunks at the byte a streaming decoder names, wherever it is cut', async () => {
      const head = Buffer.from('case_id,activity,timestamp\nc1,a', 'utf8');
      const tail = Buffer.from(',2024-01-01\n', 'utf8');
      const rocket = Buffer.from('🚀', 'utf8');
      const logs = [
        Buffer.concat([head, rocket.subarray(0, 2), Buffer.from('x'), tail]),
        Buffer.concat([head, Buffer.from([0xe0, 0x80, 0x80]), tail]),
        Buffer.concat([head, Buffer.from([0xf4, 0x90]), tail]),
        Buffer.concat([head, Buffer.from([0xc3]), tail]),
      ];
      /** What the TextDecoder-based reader said: the first bad byte of the chunk that failed. */
      const expected = (bytes: Buffer, at: number) => {
        const decoder = new TextDecoder('utf-8', { fatal: true });
        let offset = 0;
        for (const chunk of [bytes.subarray(0, at), bytes.subarray(at)]) {
          try {
            decoder.decode(chunk, { stream: true });
          } catch {
            return `The file is not UTF-8 text (invalid bytes at byte ${offset + Math.max(0, firstInvalidUtf8Byte(chunk))})`;
          }
          offset += chunk.length;
        }
        return 'no error';
      };
      for (const bytes of logs)
        for (let at = head.length - 1; at <= head.length + 4; at++)
          expect((await ingest(bytes, [at])).error, `cut at ${at}`).toBe(expected(bytes, at));
      const cut = Buffer.concat([head, rocket.subarray(0, 3)]);
      for (let at = head.length - 1; at < cut.length; at++)
        expect((await ingest(cut, [at])).error).toMatch(/ends inside a character/);
      const valid = Buffer.concat([head, rocket, tail]);
      for (let at = head.length - 1; at <= head.length + 4; at++)
        expect((await ingest(valid, [at])).stats?.activityCount, `cut at ${at}`).toBe(1);
    });
  });

  describe('DistinctValues', () => {
    it('counts values given as bytes and as strings once, while its table grows and its slots collide', () => {
      const values = new DistinctValues();
      const words = Array.from({ length: 3000 }, (_, i) => `w${String(i).padStart(5, '0')}é`);
      const bytes = Buffer.from(words.join(','), 'utf8');
      for (let round = 0; round < 2; round++) {
        let from = 0;
        for (const word of words) {
          const end = from + Buffer.byteLength(word);
          values.addBytes(bytes, from, end);
          from = end + 1;
        }
      }
      for (const word of words) values.add(word);
      expect(values.size).toBe(3000);
      // The same bytes but one, and a value that is a prefix of another.
      const near = Buffer.from('abcXe,abcYe,abcXe,abcX');
      const other = new DistinctValues();
      for (const [at, end] of [
        [0, 5],
        [6, 11],
        [12, 17],
        [18, 22],
        [6, 11],
      ] as const)
        other.addBytes(near, at, end);
      other.add('abcYe');
      expect(other.size).toBe(3);
    });
  });
});
