import type { ProcessDiagnostics } from './diagnostics.ts';

/** What the functions host tells the stack once it is up: where its APIs listen. */
export interface FunctionsHostReady {
  type: 'ready';
  /** The local Step Functions API (the run workflow). */
  sfnEndpoint: string;
  stateMachineArn: string;
  /** The local Lambda Invoke API (the webhook delivery function). */
  lambdaEndpoint: string;
  webhookFunctionName: string;
}

/** Requests the stack sends the functions host. */
export type FunctionsHostRequest =
  | { type: 'stop' }
  /** A kernel host joined or left the fleet: sweep the queue, as ECS's task state change does in AWS. */
  | { type: 'host-changed'; hostId: string; status: 'RUNNING' | 'STOPPED' }
  | { type: 'diagnostics'; id: number; reset: boolean }
  | { type: 'profile'; id: number; ms: number };

/** The functions host's answer to a diagnostics request. */
export interface FunctionsHostDiagnostics {
  type: 'diagnostics';
  id: number;
  diagnostics: ProcessDiagnostics;
}

/** The functions host's answer to a profile request (a .cpuprofile document). */
export interface FunctionsHostProfile {
  type: 'profile';
  id: number;
  profile: unknown;
}
