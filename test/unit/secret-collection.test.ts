import { describe, expect, it } from 'vitest';
import { SecretCipher } from '../../functions/adapters/secret-cipher.ts';
import type { KernelMessage } from '../../functions/core/run/kernel.ts';
import type { KeptOutput } from '../../functions/core/run/live-output.ts';
import { CellOutputCollector } from '../../functions/core/run/output-collector.ts';
import { UNLIMITED } from '../../functions/core/run/output-limits.ts';
import { SecretRedactor } from '../../functions/core/run/secret-redactor.ts';
import { iopub, stream } from '../support/kernel-messages.ts';

const VALUE = 'hunter2-Secret!';
const MARK = '[secret:PW]';

/** Collects the messages with the redactor; what the record keeps and what a listener heard. */
function collect(messages: KernelMessage[]) {
  const heard: KeptOutput[] = [];
  const collector = new CellOutputCollector(
    undefined,
    UNLIMITED,
    (e) => heard.push(e),
    new SecretRedactor({ PW: VALUE }),
  );
  for (const m of messages) collector.apply(m);
  const beforeEnd = JSON.stringify(heard);
  collector.flush();
  return { record: collector.record, heard, beforeEnd };
}

const streamText = (outputs: { output_type: string; text?: unknown }[]) =>
  outputs
    .filter((o) => o.output_type === 'stream')
    .map((o) => o.text)
    .join('');

describe('unit: collecting a run with secrets', () => {
  it('redacts a value split across two stream messages at every position, and never lets a listener hear a prefix of it', () => {
    const printed = `token=${VALUE}\n`;
    for (let i = 1; i < printed.length; i++) {
      const { record, heard, beforeEnd } = collect([stream(printed.slice(0, i)), stream(printed.slice(i))]);
      expect(streamText(record.outputs), `split at ${i}`).toBe(`token=${MARK}\n`);
      expect(JSON.stringify(heard)).not.toContain(VALUE.slice(0, 4));
      expect(beforeEnd).not.toContain(VALUE.slice(0, 2));
    }
  });

  it('redacts a value split across a hand-over between tasks: the held tail goes with the partial record, not into its outputs', () => {
    const printed = `token=${VALUE}\n`;
    for (let i = 1; i < printed.length; i++) {
      const redactor = new SecretRedactor({ PW: VALUE });
      const heard: KeptOutput[] = [];
      const first = new CellOutputCollector(undefined, UNLIMITED, (e) => heard.push(e), redactor);
      first.apply(stream(printed.slice(0, i)));
      first.detach();
      // The partial record is stored as JSON and read back by the next task.
      const partial = JSON.parse(JSON.stringify(first.record));
      expect(JSON.stringify(partial.outputs), `split at ${i}`).not.toContain(VALUE.slice(0, 4));
      const next = new CellOutputCollector(partial, UNLIMITED, (e) => heard.push(e), redactor);
      next.apply(stream(printed.slice(i)));
      next.flush();
      expect(streamText(next.record.outputs), `split at ${i}`).toBe(`token=${MARK}\n`);
      expect(next.record).not.toHaveProperty('heldStream');
      expect(JSON.stringify(heard)).not.toContain(VALUE.slice(0, 4));
    }
  });

  it('releases what the next stream, display or clear follows, in order, and redacts displays, results and errors', () => {
    const { record } = collect([
      stream(VALUE.slice(0, 5)),
      stream(`${VALUE.slice(5)} err`, 'stderr'),
      iopub('display_data', {
        data: { 'text/html': [`<b>${VALUE}`, '</b>'], 'image/png': 'iVBORw0KGgo=' },
        metadata: {},
      }),
      iopub('execute_result', {
        data: { 'application/json': { k: [VALUE] } },
        metadata: {},
        execution_count: 1,
      }),
      iopub('error', { ename: 'ValueError', evalue: `bad ${VALUE}`, traceback: [`line ${VALUE}`] }),
    ]);
    // Different streams are redacted apart: the halves stay halves (neither is the value).
    expect(record.outputs.map((o) => o.output_type)).toEqual([
      'stream',
      'stream',
      'display_data',
      'execute_result',
      'error',
    ]);
    expect(record.outputs[2]).toMatchObject({
      data: { 'text/html': `<b>${MARK}</b>`, 'image/png': 'iVBORw0KGgo=' },
    });
    expect(record.outputs[3]).toMatchObject({ data: { 'application/json': { k: [MARK] } } });
    expect(record.outputs[4]).toMatchObject({ evalue: `bad ${MARK}`, traceback: [`line ${MARK}`] });
  });

  it('keeps held text before a clear_output(wait=True) clears it, as without secrets', () => {
    const { record } = collect([stream('50% hunt'), iopub('clear_output', { wait: true }), stream('100%\n')]);
    expect(streamText(record.outputs)).toBe('100%\n');
  });
});

describe('unit: secret cipher', () => {
  const cipher = new SecretCipher(async () => 'a master key of at least thirty-two characters');

  it('opens what it sealed, and holds no plaintext in what it stores', async () => {
    const sealed = await cipher.seal(VALUE, 't\np\nPW');
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    expect(await cipher.open(sealed, 't\np\nPW')).toBe(VALUE);
    // A fresh nonce every time: the same value never seals the same.
    expect((await cipher.seal(VALUE, 't\np\nPW')).ciphertext).not.toBe(sealed.ciphertext);
  });

  it('refuses a ciphertext moved to another name, project or tenant, or tampered with', async () => {
    const sealed = await cipher.seal(VALUE, 't\np\nPW');
    await expect(cipher.open(sealed, 't\np\nOTHER')).rejects.toThrow();
    await expect(cipher.open(sealed, 't\nq\nPW')).rejects.toThrow();
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0]! ^= 1;
    await expect(
      cipher.open({ ...sealed, ciphertext: bytes.toString('base64') }, 't\np\nPW'),
    ).rejects.toThrow();
    const otherKey = new SecretCipher(async () => 'another master key of thirty-two characters or more');
    await expect(otherKey.open(sealed, 't\np\nPW')).rejects.toThrow();
  });

  it('refuses a master key shorter than 32 characters', async () => {
    await expect(new SecretCipher(async () => 'short').seal(VALUE, 'x')).rejects.toThrow(/too short/);
  });
});
