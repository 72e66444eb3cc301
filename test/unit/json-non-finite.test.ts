import { describe, expect, it } from 'vitest';
import { deserializeLenient, nonFiniteToNull } from '../../functions/adapters/json-non-finite.ts';

describe('unit: JSON with Python’s non-finite numbers (a kernel’s NaN output)', () => {
  it('turns NaN, Infinity and -Infinity outside strings into null', () => {
    const text = '{"data": {"application/json": {"x": NaN, "y": [Infinity, -Infinity, 1]}}}';
    expect(JSON.parse(nonFiniteToNull(text)!)).toEqual({
      data: { 'application/json': { x: null, y: [null, null, 1] } },
    });
  });

  it('leaves the words inside strings, escaped quotes included, and valid JSON alone', () => {
    expect(nonFiniteToNull('{"text/plain": "NaN and Infinity \\" NaN"}')).toBeNull();
    const mixed = '{"a": "say \\"NaN\\"", "b": NaN}';
    expect(JSON.parse(nonFiniteToNull(mixed)!)).toEqual({ a: 'say "NaN"', b: null });
    expect(nonFiniteToNull('{"a": 1}')).toBeNull();
  });
});

/** A `v1.kernel.websocket.jupyter.org` frame as jupyter_server forwards a kernel's message parts. */
function v1Frame(parts: string[]): ArrayBuffer {
  const encoded = parts.map((p) => new TextEncoder().encode(p));
  const headerBytes = 8 * (encoded.length + 2);
  const offsets = [headerBytes];
  for (const part of encoded) offsets.push(offsets.at(-1)! + part.length);
  const frame = new ArrayBuffer(offsets.at(-1)!);
  const view = new DataView(frame);
  view.setBigUint64(0, BigInt(offsets.length), true);
  for (const [i, offset] of offsets.entries()) view.setBigUint64(8 * (i + 1), BigInt(offset), true);
  for (const [i, part] of encoded.entries()) new Uint8Array(frame, offsets[i], part.length).set(part);
  return frame;
}

describe('unit: reading a kernel message whose JSON has NaN', () => {
  it('reads binary and text frames with the non-finite numbers as null', () => {
    const header = '{"msg_id": "m", "msg_type": "display_data"}';
    const content = '{"data": {"application/json": {"x": NaN}, "text/plain": "good"}, "metadata": {}}';
    const binary = deserializeLenient(
      v1Frame(['iopub', header, '{"msg_id": "p"}', '{}', content]),
      'v1.kernel.websocket.jupyter.org',
    );
    expect(binary).toMatchObject({
      channel: 'iopub',
      parent_header: { msg_id: 'p' },
      content: { data: { 'application/json': { x: null }, 'text/plain': 'good' } },
      buffers: [],
    });
    const text = deserializeLenient(`{"channel": "iopub", "content": {"x": -Infinity}}`, '');
    expect(text).toEqual({ channel: 'iopub', content: { x: null } });
  });

  it('still refuses a frame that is broken for another reason', () => {
    expect(() => deserializeLenient('{"x": nope}', '')).toThrow();
  });
});
