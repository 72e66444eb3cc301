/**
 * The run workflow's task manifest: each Task state of the state machine and the handler
 * module behind it. CDK makes one Lambda per entry; the local stack maps each state to the
 * same module in-process. A task cannot exist in one and not the other.
 */
export interface WorkflowTask {
  /** The Task state's name in the state machine. */
  state: 'Prepare' | 'RunCells' | 'Finalize';
  /** Construct id of its Lambda. */
  id: string;
  /** Handler module (exports `handler`), relative to the repository root. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
}

export const WORKFLOW_TASKS: readonly WorkflowTask[] = [
  {
    state: 'Prepare',
    id: 'PrepareRun',
    entry: 'functions/workflow/prepare-run.ts',
    timeoutSeconds: 90,
    memoryMb: 512,
  },
  // A RunCells task works for CELLWISE_RUN_SLICE_SECONDS (120 in AWS), then hands over.
  {
    state: 'RunCells',
    id: 'RunCells',
    entry: 'functions/workflow/run-cells.ts',
    timeoutSeconds: 180,
    memoryMb: 1024,
  },
  {
    state: 'Finalize',
    id: 'FinalizeRun',
    entry: 'functions/workflow/finalize-run.ts',
    timeoutSeconds: 300,
    memoryMb: 1024,
  },
];

/** The queue sweep, every minute and when a kernel host starts or stops (a timer locally). */
export const SWEEPER_ENTRY = 'functions/workflow/sweep-queue.ts';

/** The reconciler, fed the workflow's status-change events. */
export const RECONCILER_ENTRY = 'functions/workflow/reconcile-run.ts';

/** How long a RunCells task works before handing over, in AWS. */
export const AWS_RUN_SLICE_SECONDS = 120;
