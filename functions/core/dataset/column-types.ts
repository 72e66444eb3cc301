import type { DatasetColumn } from './dataset.ts';
import { isIsoDateTime } from './timestamp.ts';

type ColumnType = DatasetColumn['type'];

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;

/**
 * Infers one column's type from its values, one at a time. Empty values are missing data and
 * do not count; a column with no values at all is `string`. The narrowest type that every
 * value fits wins: `boolean` (true/false, any case), `integer`, `float` (integers included),
 * `datetime` (ISO dates and date-times only: epoch numbers stay numbers), else `string`.
 */
export class ColumnTypeInference {
  private seen = false;
  private boolean = true;
  private integer = true;
  private float = true;
  private datetime = true;

  add(value: string): void {
    if (value === '') return;
    this.seen = true;
    if (this.boolean && !BOOLEAN.test(value)) this.boolean = false;
    if (this.integer && !INTEGER.test(value)) this.integer = false;
    if (this.float && !(this.integer || FLOAT.test(value))) this.float = false;
    if (this.datetime && !isIsoDateTime(value)) this.datetime = false;
  }

  result(): ColumnType {
    if (!this.seen) return 'string';
    if (this.boolean) return 'boolean';
    if (this.integer) return 'integer';
    if (this.float) return 'float';
    if (this.datetime) return 'datetime';
    return 'string';
  }
}
