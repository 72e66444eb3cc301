import { DEFAULT_INTEGRATION, type NotebookListing, type NotebookRecord } from '../core/notebook.ts';
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

/** The attributes of a row a list page shows (`NotebookListing`; `integration` apart). */
const LISTING_FIELDS = [
  'notebookId',
  'projectId',
  'investigationId',
  'name',
  'description',
  'notebookVersion',
  'kernelType',
  'status',
  'notebookType',
  'notebookOrder',
  'cellCount',
  'lastExecutionDuration',
  'lastExecutionDate',
  'executionCount',
  'dateCreated',
  'dateModified',
  'createdBy',
  'modifiedBy',
] as const;
// Every field of a listing is read: this fails to compile when NotebookListing gains one.
type Unread = Exclude<keyof NotebookListing, (typeof LISTING_FIELDS)[number] | 'integration'>;
const everyField: [Unread] extends [never] ? true : Unread = true;
void everyField;

/**
 * The projection of a list page's rows: about 40 % of a full row, which is what the SDK
 * spends its time unmarshalling (names are placeholders: `name` and `status` are reserved).
 */
export const LISTING_PROJECTION = {
  ProjectionExpression: [...LISTING_FIELDS.map((_, i) => `#l${i}`), '#li.#le'].join(', '),
  ExpressionAttributeNames: {
    ...Object.fromEntries(LISTING_FIELDS.map((field, i) => [`#l${i}`, field])),
    '#li': 'integration',
    '#le': 'enrichmentMode',
  },
};

/** A row read with `LISTING_PROJECTION`. */
export function fromListingRow(item: Item): NotebookListing {
  const listing = fromItem<NotebookListing>(item);
  return { ...listing, integration: { enrichmentMode: listing.integration?.enrichmentMode ?? false } };
}

export function matches(r: NotebookListing, f: NotebookFilters): boolean {
  return (
    (f.status === undefined || r.status === f.status) &&
    (f.kernelType === undefined || r.kernelType === f.kernelType) &&
    (f.enrichmentMode === undefined || r.integration.enrichmentMode === f.enrichmentMode)
  );
}
