import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { ScheduleRegistry } from '../core/ports.ts';
import type { FireOutcome, FireTime, ScheduleRecord } from '../core/schedule/schedule.ts';
import { keys } from './dynamo-keys.ts';
import { deleteKeys, fromItem, isConditionFailure, queryAll, toItem } from './dynamo-util.ts';

/** Where schedules also go, when the deployment has a scheduler (EventBridge Scheduler in AWS). */
export interface ScheduleMirror {
  put(schedule: ScheduleRecord): Promise<void>;
  delete(scope: Scope, notebookId: string): Promise<void>;
}

/**
 * Schedule records and fire claims in the single table (see `dynamo-keys.ts`). With a
 * `mirror` every put/delete is also applied to the scheduler, after the row is written (the
 * row is what the fire path and the local loop read; the mirror only triggers).
 */
export class DynamoScheduleRegistry implements ScheduleRegistry {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly mirror?: ScheduleMirror,
  ) {}

  async put(schedule: ScheduleRecord): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({ ...schedule, pk: keys.schedules, sk: keys.schedule(schedule, schedule.notebookId) }),
      }),
    );
    await this.mirror?.put(schedule);
  }

  async delete(scope: Scope, notebookId: string): Promise<void> {
    await this.db.send(
      new DeleteItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.schedules, sk: keys.schedule(scope, notebookId) }),
      }),
    );
    await this.mirror?.delete(scope, notebookId);
  }

  async list(): Promise<ScheduleRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.schedules }),
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { pk: _pk, sk: _sk, ...record } = fromItem<ScheduleRecord & { pk: string; sk: string }>(item);
      return record;
    });
  }

  async claimFire(fire: FireTime): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({
            ...fire,
            pk: keys.fires(fire, fire.notebookId),
            sk: fire.scheduledFor,
            outcome: 'claimed',
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async recordFire(fire: FireTime, outcome: FireOutcome): Promise<void> {
    const { outcome: what, ...rest } = outcome;
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.fires(fire, fire.notebookId), sk: fire.scheduledFor }),
        UpdateExpression: 'SET outcome = :outcome, detail = :detail',
        ExpressionAttributeValues: toItem({ ':outcome': what, ':detail': rest }),
      }),
    );
  }

  async deleteFires(scope: Scope, notebookId: string): Promise<void> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.fires(scope, notebookId) }),
      ProjectionExpression: 'pk, sk',
    });
    await deleteKeys(this.db, this.table, items);
  }
}
