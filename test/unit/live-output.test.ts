import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  LIVE_FLUSH_MS,
  LIVE_OUTPUT_MAX_BYTES,
  LIVE_TEXT_MAX,
  type LiveChunk,
  LiveOutputFeed,
} from '../../functions/core/run/live-output.ts';
import { CellOutputCollector } from '../../functions/core/run/output-collector.ts';
import { UNLIMITED } from '../../functions/core/run/output-limits.ts';
import { iopub, stream } from '../support/kernel-messages.ts';

const display = (text: string, displayId?: string) =>
  iopub('display_data', {
    data: { 'text/plain': text },
    metadata: {},
    ...(displayId ? { transient: { display_id: displayId } } : {}),
  });

/** A feed writing into `writes`, one array per write, and a collector for cell `cellId` on it. */
function setup(sink?: (chunks: LiveChunk[]) => Promise<void>) {
  const writes: LiveChunk[][] = [];
  const feed = new LiveOutputFeed(
    sink ??
      (async (chunks) => {
        writes.push(structuredClone(chunks));
      }),
  );
  const collector = (cellId: string, bytes = UNLIMITED.bytes) =>
    new CellOutputCollector(undefined, { ...UNLIMITED, bytes }, feed.cell(cellId));
  return { writes, feed, collector };
}

describe('LiveOutputFeed', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes nothing for a cell that prints nothing', async () => {
    const { writes, feed, collector } = setup();
    collector('c1').apply(iopub('status', { execution_state: 'busy' }));
    await vi.advanceTimersByTimeAsync(LIVE_FLUSH_MS * 5);
    await feed.close();
    expect(writes).toEqual([]);
  });

  it('writes a print within LIVE_FLUSH_MS, while the cell still runs', async () => {
    const { writes, collector } = setup();
    collector('c1').apply(stream('line 1\n'));
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(LIVE_FLUSH_MS);
    expect(writes).toEqual([
      [{ type: 'stream', cellId: 'c1', outputIndex: 0, name: 'stdout', text: 'line 1\n' }],
    ]);
  });

  it('coalesces consecutive prints of one stream in a write and keeps stdout, stderr and displays apart in order', async () => {
    const { writes, feed, collector } = setup();
    const c = collector('c1');
    for (const m of [stream('a\n'), stream('b\n'), stream('oops\n', 'stderr'), stream('c\n'), display('d')])
      c.apply(m);
    c.apply(stream('e\n'));
    await feed.close();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.map((chunk) => [chunk.type, 'text' in chunk ? chunk.text : null])).toEqual([
      ['stream', 'a\nb\n'],
      ['stream', 'oops\n'],
      ['stream', 'c\n'],
      ['output', null],
      ['stream', 'e\n'],
    ]);
    expect(writes[0]!.map((chunk) => ('outputIndex' in chunk ? chunk.outputIndex : null))).toEqual([
      0, 2, 3, 4, 5,
    ]);
  });

  it('tells clear_output(wait=True) when the next output clears, and display updates by id', async () => {
    const { writes, feed, collector } = setup();
    const first = collector('c1');
    first.apply(display('v1', 'd1'));
    const second = collector('c2');
    second.apply(iopub('clear_output', { wait: true }));
    second.apply(stream('x\n'));
    second.apply(
      iopub('update_display_data', {
        data: { 'text/plain': 'v2' },
        metadata: {},
        transient: { display_id: 'd1' },
      }),
    );
    await feed.close();
    // A display with an id updates earlier outputs with that id too (nbclient), hence its update.
    expect(writes.flat().map((chunk) => chunk.type)).toEqual([
      'update',
      'output',
      'clear',
      'stream',
      'update',
    ]);
    expect(writes.flat()[4]).toEqual({
      type: 'update',
      cellId: 'c2',
      displayId: 'd1',
      data: { 'text/plain': 'v2' },
      metadata: {},
    });
  });

  it('carries only what the cell keeps: text cut at the byte cap, nothing past it', async () => {
    const { writes, feed, collector } = setup();
    const c = collector('c1', 10);
    c.apply(stream('0123456789abcdef'));
    c.apply(stream('more'));
    await feed.close();
    expect(writes.flat()).toEqual([
      { type: 'stream', cellId: 'c1', outputIndex: 0, name: 'stdout', text: '0123456789' },
    ]);
  });

  it('splits long text into pieces of LIVE_TEXT_MAX without cutting a surrogate pair', async () => {
    const { writes, feed, collector } = setup();
    const text = `${'x'.repeat(LIVE_TEXT_MAX - 1)}😀${'y'.repeat(10)}`;
    collector('c1').apply(stream(text));
    await feed.close();
    const pieces = writes.flat().map((chunk) => (chunk.type === 'stream' ? chunk.text : ''));
    expect(pieces.join('')).toBe(text);
    expect(pieces[0]).toHaveLength(LIVE_TEXT_MAX - 1);
    expect(pieces.every((p) => p.length <= LIVE_TEXT_MAX)).toBe(true);
  });

  it('announces an output too large to carry by its size', async () => {
    const { writes, feed, collector } = setup();
    collector('c1').apply(display('z'.repeat(LIVE_OUTPUT_MAX_BYTES)));
    await feed.close();
    const [chunk] = writes.flat();
    expect(chunk).toMatchObject({ type: 'output', output: null });
    expect(chunk?.type === 'output' && chunk.bytes).toBeGreaterThan(LIVE_OUTPUT_MAX_BYTES);
  });

  it('retries a failed write ahead of newer chunks and gives a batch up after three attempts', async () => {
    const written: string[] = [];
    let failing = 1;
    const { feed, collector } = setup(async (chunks) => {
      if (failing-- > 0) throw new Error('throttled');
      written.push(...chunks.map((c) => (c.type === 'stream' ? c.text : c.type)));
    });
    const c = collector('c1');
    c.apply(stream('first\n'));
    await vi.advanceTimersByTimeAsync(LIVE_FLUSH_MS);
    c.apply(display('second'));
    await feed.close();
    expect(written).toEqual(['first\n', 'output']);
    expect(feed.failedWrites).toBe(1);

    const broken = setup(async () => {
      throw new Error('down');
    });
    broken.collector('c1').apply(stream('lost\n'));
    await broken.feed.close();
    expect(broken.feed.failedWrites).toBe(3);
    expect(broken.feed.lostChunks).toBe(1);
  });
});
