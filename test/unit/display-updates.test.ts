import { describe, expect, it } from 'vitest';
import type { NbOutput } from '../../functions/core/nbformat/types.ts';
import { displayLinks, outputsWithUpdates } from '../../functions/core/run/cell-outputs.ts';
import type { CellResult } from '../../functions/core/run/cell-result.ts';
import type { KernelMessage } from '../../functions/core/run/kernel.ts';
import { CellOutputCollector } from '../../functions/core/run/output-collector.ts';
import { updatedByLater } from '../../functions/core/use-cases/stored-outputs.ts';

const msg = (msgType: string, content: Record<string, unknown>): KernelMessage => ({
  msgId: `m${Math.random()}`,
  parentMsgId: 'parent',
  channel: 'iopub',
  msgType,
  content,
  date: null,
});
const show = (text: string, displayId: string, msgType = 'display_data') =>
  msg(msgType, { data: { 'text/plain': text }, metadata: {}, transient: { display_id: displayId } });
const collect = (messages: KernelMessage[]) => {
  const collector = new CellOutputCollector();
  for (const m of messages) collector.apply(m);
  return collector.record;
};
const texts = (outputs: NbOutput[] | undefined) =>
  (outputs ?? []).map((o) => (o.data as Record<string, string> | undefined)?.['text/plain'] ?? null);
const row = (position: number, links: Partial<CellResult>) => ({ position, ...links }) as CellResult;

describe('unit', () => {
  describe('display updates across cells', () => {
    it('applies a later cell’s update to every earlier output with the id when that cell has no output of its own', () => {
      const records = new Map([
        [0, collect([show('one', 'x')])],
        [1, collect([show('two', 'x')])],
        [2, collect([show('three', 'x', 'update_display_data')])],
      ]);
      expect(records.get(2)!.outputs).toEqual([]);
      const outputs = outputsWithUpdates(records);
      expect([0, 1, 2].map((k) => texts(outputs.get(k)))).toEqual([['three'], ['three'], []]);
      expect(texts(records.get(0)!.outputs)).toEqual(['one']);
    });

    it('leaves an output alone once clear_output removed it, with or without wait', () => {
      const cleared = collect([show('A', 'z'), msg('clear_output', { wait: false }), show('w1', 'w')]);
      const waited = collect([
        show('C', 'q'),
        msg('clear_output', { wait: true }),
        show('D', 'q', 'update_display_data'),
        msg('stream', { name: 'stdout', text: 'after\n' }),
      ]);
      expect(texts(waited.outputs)).toEqual([null]);
      const later = collect([show('E', 'z', 'update_display_data'), show('F', 'q', 'update_display_data')]);
      const outputs = outputsWithUpdates(
        new Map([
          [0, cleared],
          [1, waited],
          [2, later],
        ]),
      );
      expect(texts(outputs.get(0))).toEqual(['w1']);
      expect(texts(outputs.get(1))).toEqual([null]);
    });

    it('names the ids a record shows and updates, and nothing when it has none', () => {
      const record = collect([show('a', 'x'), show('b', 'x'), show('c', 'y', 'update_display_data')]);
      expect(displayLinks(record)).toEqual({ displayIds: ['x'], displayUpdates: ['x', 'y'] });
      expect(displayLinks(collect([msg('stream', { name: 'stdout', text: 'hi' })]))).toEqual({});
    });

    it('finds the cells a later cell’s update changed, never by an earlier or the same cell', () => {
      const results = [
        row(0, { displayIds: ['x', 'y'] }),
        row(1, { displayIds: ['x'], displayUpdates: ['x'] }),
        row(2, { displayUpdates: ['y'] }),
        row(3, { displayIds: ['z'], displayUpdates: ['z'] }),
      ];
      expect(updatedByLater(results)).toEqual(new Map([[0, [1, 2]]]));
      expect(updatedByLater([row(0, {}), row(1, {})])).toEqual(new Map());
    });
  });
});
