/**
 * The DynamoDB table's keys and indexes: one source for CDK (`tenant-stack.ts`) and for
 * the local stack, which creates the same table in dynalite.
 */
export const TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      /** Notebooks of one investigation ordered by notebookOrder (route 2). */
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'N' },
    },
  ],
} as const;
