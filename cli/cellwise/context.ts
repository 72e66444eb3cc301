/** What every command gets: the client (config checked on first use) and the output mode. */
import { CellwiseClient } from './api-client.ts';
import { loadConfig } from './config.ts';

export interface GlobalOptions {
  json?: boolean;
}

export class CommandContext {
  private cached: CellwiseClient | undefined;

  constructor(readonly options: GlobalOptions) {}

  get json(): boolean {
    return this.options.json === true;
  }

  /** The client for the config in force; throws a UsageError when not logged in. */
  client(): CellwiseClient {
    this.cached ??= new CellwiseClient(loadConfig());
    return this.cached;
  }

  /** Where progress and notes go: stderr with `--json` (stdout is the JSON), else stdout. */
  get progressStream(): NodeJS.WriteStream {
    return this.json ? process.stderr : process.stdout;
  }

  /** Milliseconds between status polls (CELLWISE_POLL_MS, default 500). */
  get pollMs(): number {
    const value = Number(process.env.CELLWISE_POLL_MS);
    return Number.isFinite(value) && value >= 50 ? value : 500;
  }

  /** A line for people (on the progress stream). */
  say(text: string): void {
    this.progressStream.write(`${text}\n`);
  }
}
