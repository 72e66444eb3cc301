import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { InvestigationRecord } from '../core/investigation.ts';
import type { Scope } from '../core/notebook.ts';
import type { InvestigationStore } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, isConditionFailure, queryAll, toItem } from './dynamo-util.ts';

function strip(row: Record<string, unknown>): InvestigationRecord {
  const { pk: _pk, sk: _sk, ...record } = row;
  return record as unknown as InvestigationRecord;
}

/** Investigations in the project's partition. */
export class DynamoInvestigationStore implements InvestigationStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async get(scope: Scope, investigationId: string): Promise<InvestigationRecord | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.investigation(investigationId) }),
      }),
    );
    return out.Item ? strip(fromItem(out.Item)) : undefined;
  }

  async create(record: InvestigationRecord): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({ pk: keys.project(record), sk: keys.investigation(record.investigationId), ...record }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(scope: Scope): Promise<InvestigationRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :inv)',
      ExpressionAttributeValues: toItem({ ':pk': keys.project(scope), ':inv': 'INV#' }),
    });
    return items.map((i) => strip(fromItem(i))).sort((a, b) => a.dateCreated.localeCompare(b.dateCreated));
  }

  async delete(scope: Scope, investigationId: string): Promise<void> {
    await this.db.send(
      new DeleteItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.investigation(investigationId) }),
      }),
    );
    try {
      await this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem({ pk: keys.project(scope), sk: keys.defaultInvestigation }),
          ConditionExpression: 'investigationId = :id',
          ExpressionAttributeValues: toItem({ ':id': investigationId }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getOrCreateDefault(scope: Scope, make: () => InvestigationRecord): Promise<InvestigationRecord> {
    const pointerKey = toItem({ pk: keys.project(scope), sk: keys.defaultInvestigation });
    for (let attempt = 0; attempt < 3; attempt++) {
      const pointer = await this.db.send(
        new GetItemCommand({ TableName: this.table, Key: pointerKey, ConsistentRead: true }),
      );
      if (pointer.Item) {
        const found = await this.get(
          scope,
          fromItem<{ investigationId: string }>(pointer.Item).investigationId,
        );
        if (found) return found;
      }
      const candidate = make();
      await this.create(candidate);
      try {
        await this.db.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem({
              pk: keys.project(scope),
              sk: keys.defaultInvestigation,
              investigationId: candidate.investigationId,
            }),
            ConditionExpression: pointer.Item ? 'investigationId = :old' : 'attribute_not_exists(pk)',
            ...(pointer.Item ? { ExpressionAttributeValues: { ':old': pointer.Item.investigationId! } } : {}),
          }),
        );
        return candidate;
      } catch (error) {
        await this.db.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: toItem({ pk: keys.project(scope), sk: keys.investigation(candidate.investigationId) }),
          }),
        );
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error('could not create the default investigation');
  }
}
