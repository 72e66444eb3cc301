import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Workflow } from '../core/ports.ts';
import type { RunPointer } from '../core/run/run.ts';

/**
 * Starts run workflows on Step Functions (in AWS) or on the local stack's interpreter, which
 * answers the same StartExecution API: the same client, only the endpoint differs. The
 * execution name is the run attempt's, so a repeated start is a no-op, not a second run.
 */
export class SfnWorkflow implements Workflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: () => string,
  ) {}

  async start(pointer: RunPointer, name: string): Promise<void> {
    const input = JSON.stringify({
      tenantId: pointer.tenantId,
      projectId: pointer.projectId,
      notebookId: pointer.notebookId,
      executionId: pointer.executionId,
    });
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn(), name, input }),
      );
    } catch (error) {
      if (
        error instanceof ExecutionAlreadyExists ||
        (error as { name?: string }).name === 'ExecutionAlreadyExists'
      ) {
        return;
      }
      throw error;
    }
  }
}
