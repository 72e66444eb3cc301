import { DEFAULT_INTEGRATION, type NotebookRecord } from '../core/notebook.ts';
import type { NotebookFilters } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, type Item, toItem } from './dynamo-util.ts';

/** A notebook's metadata row: the record plus its keys (investigation index on gsi1). */
export function toRow(record: NotebookRecord): Item {
  return toItem({
    ...record,
    pk: keys.project(record),
    sk: keys.notebook(record.notebookId),
    gsi1pk: keys.investigationIndex(record, record.investigationId),
    gsi1sk: record.notebookOrder,
  });
}

export function fromRow(item: Item): NotebookRecord {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g,
    gsi1sk: _s,
    ...record
  } = fromItem<NotebookRecord & Record<string, unknown>>(item);
  // Rows written before a field existed get its default.
  return { ...record, integration: { ...DEFAULT_INTEGRATION, ...record.integration } } as NotebookRecord;
}

export function matches(r: NotebookRecord, f: NotebookFilters): boolean {
  return (
    (f.status === undefined || r.status === f.status) &&
    (f.kernelType === undefined || r.kernelType === f.kernelType) &&
    (f.enrichmentMode === undefined || r.integration.enrichmentMode === f.enrichmentMode)
  );
}
