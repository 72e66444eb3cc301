import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo-keys.ts';
import { NameClaims } from '../../functions/adapters/dynamo-name-claims.ts';
import { DynamoNotebookStore } from '../../functions/adapters/dynamo-notebook-store.ts';
import { toItem } from '../../functions/adapters/dynamo-util.ts';
import { DuplicateNameError } from '../../functions/core/errors.ts';
import { newId } from '../../functions/core/ids.ts';
import { stackTable } from '../support/api.ts';

/**
 * Name claims on the stack's DynamoDB: who may take over a claim another notebook made. A
 * claim is made before its owner's row is written (the page index is counted in between), so
 * an owner without a row may be a creation in progress, not a crash.
 */
function claims() {
  const { dynamodb, tableName } = stackTable();
  const store = new DynamoNotebookStore(dynamodb, tableName);
  return {
    claims: new NameClaims(dynamodb, tableName, (scope, id) => store.get(scope, id)),
    dynamodb,
    tableName,
  };
}

const scope = () => ({ tenantId: newId(), projectId: newId() });

describe('name claims', () => {
  it('does not take over a fresh claim whose owner has not written its row yet', async () => {
    const { claims: names } = claims();
    const s = scope();
    const investigation = newId();
    await names.claim(s, investigation, 'Report', newId());
    await expect(names.claim(s, investigation, 'report', newId())).rejects.toBeInstanceOf(DuplicateNameError);
  });

  it('takes over a claim whose owner never wrote its row, once it is a minute old (a crash)', async () => {
    const { claims: names, dynamodb, tableName } = claims();
    const s = scope();
    const investigation = newId();
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: toItem({
          pk: keys.project(s),
          sk: keys.nameClaim(investigation, 'Report'),
          notebookId: newId(),
          claimedAt: Date.now() - 120_000,
        }),
      }),
    );
    await expect(names.claim(s, investigation, 'Report', newId())).resolves.toBeUndefined();
  });

  it('gives one of ten concurrent claims of a name the name', async () => {
    const { claims: names } = claims();
    const s = scope();
    const investigation = newId();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => names.claim(s, investigation, 'Same', newId())),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected'))
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateNameError);
  });
});
