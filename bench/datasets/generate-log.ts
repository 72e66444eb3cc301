import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';

const ACTIVITIES = [
  'Register order',
  'Check credit',
  'Approve order',
  'Reject order',
  'Pick items',
  'Pack shipment',
  'Ship goods',
  'Send invoice',
  'Receive payment',
  'Close case',
];

/**
 * Writes a synthetic event log: `events` rows of case_id, activity, timestamp (ISO-8601 with
 * milliseconds and offset), resource, cost; about 10 events per case. Deterministic (no
 * randomness), so runs compare. Returns the file size.
 */
export async function generateLog(path: string, events: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('case_id,activity,timestamp,resource,cost\n');
  const start = Date.UTC(2023, 0, 1);
  let chunk = '';
  for (let i = 0; i < events; i++) {
    const caseNo = Math.floor(i / 10);
    const step = i % 10;
    const ms = start + caseNo * 37_000 + step * 3_600_000 + ((i * 7919) % 1000);
    const timestamp = new Date(ms).toISOString().replace('Z', '+00:00');
    const resource = `clerk.employee_${String((i * 31) % 250).padStart(3, '0')}`;
    const cost = (((i * 2654435761) % 100_000) / 100).toFixed(2);
    chunk += `purchase_order_${String(caseNo).padStart(8, '0')},${ACTIVITIES[step]},${timestamp},${resource},${cost}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return (await stat(path)).size;
}
