/**
 * Normalises an executed notebook for golden comparisons: what must match (sources, tags,
 * execution counts, every output with its type, name, mime bundle, error name, value and
 * traceback) stays; what legitimately varies between runs goes (timing metadata, temp paths
 * of the kernel, memory addresses, how ipykernel happened to split a stream into messages,
 * and PNG bytes, which become `<png WxH>`).
 */

type Json = any;

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

function text(value: unknown): string {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

function scrub(s: string): string {
  return s
    .replace(ANSI, '')
    .replace(/\/tmp\/ipykernel_\d+\/\d+\.py/g, '<ipykernel>')
    .replace(/0x[0-9a-f]{6,}/gi, '0xADDR');
}

function pngSize(base64: string): string {
  const bytes = Buffer.from(base64.replace(/\s+/g, ''), 'base64');
  if (bytes.length < 24 || bytes.toString('latin1', 1, 4) !== 'PNG') return '<not a png>';
  return `<png ${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}>`;
}

function bundle(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([mime, value]) => {
        if (mime === 'image/png') return [mime, pngSize(text(value))];
        if (typeof value === 'string' || Array.isArray(value)) return [mime, scrub(text(value))];
        return [mime, value];
      }),
  );
}

function outputs(list: Json[]): Json[] {
  const out: Json[] = [];
  for (const o of list ?? []) {
    if (o.output_type === 'stream') {
      const last = out.at(-1);
      if (last?.output_type === 'stream' && last.name === o.name) last.text += text(o.text);
      else out.push({ output_type: 'stream', name: o.name, text: text(o.text) });
    } else if (o.output_type === 'error') {
      out.push({
        output_type: 'error',
        ename: o.ename,
        evalue: scrub(o.evalue),
        traceback: scrub(o.traceback.join('\n')),
      });
    } else {
      out.push({
        output_type: o.output_type,
        data: bundle(o.data),
        metadata: o.metadata ?? {},
        ...(o.output_type === 'execute_result' ? { execution_count: o.execution_count } : {}),
      });
    }
  }
  return out;
}

/** The comparable form of an nbformat v4 notebook's cells (an injected parameters cell's id is new in each run). */
export function normalizeNotebook(doc: Json): Json[] {
  return doc.cells.map((cell: Json) => ({
    id: cell.metadata?.tags?.includes('injected-parameters') ? '<injected-parameters>' : cell.id,
    cell_type: cell.cell_type,
    source: text(cell.source),
    tags: cell.metadata?.tags ?? [],
    ...(cell.cell_type === 'code'
      ? { execution_count: cell.execution_count ?? null, outputs: outputs(cell.outputs) }
      : {}),
  }));
}
