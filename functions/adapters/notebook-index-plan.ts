/**
 * The pure part of the project page index (see `dynamo-notebook-index.ts`): which block an id
 * counts in, where an offset lands, how a grown block is cut. No I/O.
 */

/** One block of the index: the notebooks with ids in [low, next block's low), counted. */
export interface IndexBlock {
  /** The smallest id the block holds ('' for the first block: every id is ≥ it). */
  low: string;
  /** How many notebooks it holds. */
  n: number;
  /** When a create last counted in it (epoch ms; 0: never). */
  c: number;
  /** When a delete last counted in it (epoch ms; 0: never). */
  d: number;
}

/** Blocks are cut to about this many notebooks (more for very large projects, see `blockSize`). */
export const MIN_BLOCK = 100;
/** A count change this recent may still have its row write in flight. */
export const QUIET_MS = 5_000;

/**
 * The target block size: MIN_BLOCK, or more once a project has over 200,000 notebooks, so the
 * index keeps at most about 2,000 blocks (its item stays far below DynamoDB's 400 KB).
 */
export function blockSize(total: number): number {
  return Math.max(MIN_BLOCK, Math.ceil(total / 2000));
}

/** The block an id counts in: the one with the greatest low ≤ id (blocks ascending by low). */
export function blockOf(blocks: readonly IndexBlock[], id: string): IndexBlock {
  let found = blocks[0]!;
  for (const block of blocks) {
    if (block.low <= id) found = block;
    else break;
  }
  return found;
}

/**
 * Where row `offset` of the newest-first list lands: the block (index into the ascending
 * `blocks`) and how many of its rows come before it. Null past the end.
 */
export function locate(
  blocks: readonly IndexBlock[],
  offset: number,
): { index: number; within: number } | null {
  let before = 0;
  for (let index = blocks.length - 1; index >= 0; index--) {
    const n = Math.max(0, blocks[index]!.n);
    if (offset < before + n) return { index, within: offset - before };
    before += n;
  }
  return null;
}

/** The millisecond a UUIDv7 was made (its first 48 bits); 0 for anything else. */
export function idTime(id: string): number {
  const hex = id.replace(/-/g, '').slice(0, 12);
  return /^[0-9a-f]{12}$/i.test(hex) ? Number.parseInt(hex, 16) : 0;
}

/**
 * How to cut a block into blocks of `size`, from its rows' ids (ascending), read while no
 * delete counted in it for QUIET_MS. Ids made within QUIET_MS may belong to creates whose
 * count is not in `block.n` yet (or is, with the row not yet written): they stay in the last
 * block, which takes whatever `block.n` says beyond the settled rows. When no create counted
 * in it for QUIET_MS either, every count comes from the rows (which also repairs a count left
 * wrong by a crash between a count and its row write). The first block keeps `block.low`;
 * the last keeps the block's create time. Null: nothing to change.
 */
export function planCut(
  block: IndexBlock,
  ids: readonly string[],
  size: number,
  now: number,
): IndexBlock[] | null {
  const quiet = now - block.c >= QUIET_MS;
  let settled = ids.length;
  if (!quiet) {
    const recent = ids.findIndex((id) => idTime(id) > now - QUIET_MS);
    if (recent >= 0) settled = recent;
  }
  // Full blocks come from settled rows only, and at least one row is left for the last block.
  let chunks = Math.max(0, Math.min(Math.floor(settled / size), Math.floor((ids.length - 1) / size)));
  if (quiet && chunks > 0 && ids.length - chunks * size < size / 2) chunks--;
  const blocks: IndexBlock[] = [];
  for (let k = 0; k < chunks; k++) {
    blocks.push({ low: k === 0 ? block.low : ids[k * size]!, n: size, c: 0, d: block.d });
  }
  const rest = chunks * size;
  blocks.push({
    low: chunks === 0 ? block.low : ids[rest]!,
    n: Math.max(0, (quiet ? ids.length : block.n) - rest),
    c: block.c,
    d: block.d,
  });
  return blocks.length > 1 || blocks[0]!.n !== block.n ? blocks : null;
}
