import type { KernelMessage as JlMessage, ServerConnection } from '@jupyterlab/services';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Python's json.dumps writes non-finite floats as these tokens (not JSON). */
const TOKENS = ['NaN', 'Infinity', '-Infinity'];
const V1_PROTOCOL = 'v1.kernel.websocket.jupyter.org';

/**
 * JSON text in which Python wrote non-finite floats (`NaN`, `Infinity`, `-Infinity`: a
 * kernel's `json.dumps` does unless told not to) made valid: each such token outside a
 * string becomes `null`. Returns null when the text has none.
 */
export function nonFiniteToNull(text: string): string | null {
  if (!text.includes('NaN') && !text.includes('Infinity')) return null;
  const parts: string[] = [];
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      continue;
    }
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (!token) continue;
    parts.push(text.slice(last, i), 'null');
    i += token.length - 1;
    last = i + 1;
  }
  if (parts.length === 0) return null;
  parts.push(text.slice(last));
  return parts.join('');
}

/** JSON.parse, reading Python's non-finite numbers as null. */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const repaired = nonFiniteToNull(text);
    if (repaired === null) throw error;
    return JSON.parse(repaired);
  }
}

/**
 * A websocket frame of Jupyter's kernel protocol (JSON text, or a `v1.kernel.websocket.jupyter.org`
 * binary frame: offsets, then channel, header, parent header, metadata, content, buffers)
 * read with Python's non-finite numbers as null. Called only for a frame the standard
 * deserializer refused; throws when that was not the reason.
 */
export function deserializeLenient(data: ArrayBuffer | string, protocol: string): JlMessage.IMessage {
  if (typeof data === 'string') return parseLenient(data) as JlMessage.IMessage;
  if (protocol !== V1_PROTOCOL) throw new Error('a binary frame of an unknown protocol');
  const view = new DataView(data);
  const count = Number(view.getBigUint64(0, true));
  const offsets = Array.from({ length: count }, (_, i) => Number(view.getBigUint64(8 * (i + 1), true)));
  const decoder = new TextDecoder('utf8');
  const part = (i: number) => decoder.decode(data.slice(offsets[i], offsets[i + 1]));
  const buffers = offsets.slice(5, -1).map((start, i) => new DataView(data.slice(start, offsets[i + 6])));
  return {
    channel: part(0),
    header: parseLenient(part(1)),
    parent_header: parseLenient(part(2)),
    metadata: parseLenient(part(3)),
    content: parseLenient(part(4)),
    buffers,
  } as unknown as JlMessage.IMessage;
}

/**
 * The connection's serializer, reading a frame the standard one refuses with Python's
 * non-finite numbers as null (`NaN` in a kernel's JSON output would otherwise lose the whole
 * message); `repaired` hears of each such message before it is handled.
 */
export function lenient(
  serializer: ServerConnection.ISettings['serializer'],
  repaired: (message: JlMessage.IMessage) => void,
): ServerConnection.ISettings['serializer'] {
  return {
    serialize: (message, protocol) => serializer.serialize(message, protocol),
    deserialize: (data, protocol) => {
      try {
        return serializer.deserialize(data, protocol);
      } catch (error) {
        let message: JlMessage.IMessage;
        try {
          message = deserializeLenient(data, protocol ?? '');
        } catch {
          throw error;
        }
        repaired(message);
        return message;
      }
    },
  };
}
