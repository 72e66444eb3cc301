/**
 * `cellwise`: the command line of the Cellwise API. Upload notebooks, run them with
 * papermill-style typed parameters, watch each cell, fetch the results.
 *
 *   cellwise login --url http://localhost:3000 --tenant <guid> --project <guid> --token-stdin
 *   cellwise upload analysis.ipynb
 *   cellwise params <notebook>
 *   cellwise run <notebook> -p n=3 -p rate=0.5 -f params.yaml
 *   cellwise results <execution> --out results/
 *
 * Exit codes: 0 the run Completed (or the command succeeded), 1 the run ended in Error (or the
 * command failed), 2 the run was Cancelled or the command line is wrong, 130 stopped watching.
 */
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { CommandContext } from './cellwise/context.ts';
import { diffExecution } from './cellwise/diff-command.ts';
import { ApiError, ConnectionError, EXIT, UsageError } from './cellwise/errors.ts';
import { checkLoginOptions, login } from './cellwise/login-command.ts';
import { listNotebooks, openViewer, uploadNotebook } from './cellwise/notebook-commands.ts';
import { showParameters } from './cellwise/params-command.ts';
import {
  cancelExecution,
  resumeExecution,
  runNotebook,
  saveResults,
  watchExecution,
} from './cellwise/run-commands.ts';
import { deleteSecret, listSecrets, setSecret } from './cellwise/secret-commands.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const OUTPUT_OPTION = [
  '--output [cellId]',
  "show what the cells print (stdout, stderr, displays) as they print it; a cell id: that cell's only",
] as const;

const NOTEBOOK_OPTION = [
  '--notebook <id>',
  'the notebook of the run (when EXECUTION is a bare execution id)',
] as const;

let exitCode: number = EXIT.completed;

/** Wraps a command's action: gives it the context, keeps its exit code. */
function action<A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<number>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = new CommandContext(command.optsWithGlobals());
    exitCode = await fn(ctx, ...(args.slice(0, -1) as A));
  };
}

function program(): Command {
  const cli = new Command('cellwise')
    .description('Run Jupyter notebooks on a Cellwise service')
    .version(pkg.version)
    .option('--json', 'machine-readable JSON on stdout (progress goes to stderr)')
    .exitOverride()
    .showHelpAfterError('(cellwise --help for usage)')
    .addHelpText(
      'after',
      '\nConfig: `cellwise login`, or CELLWISE_URL, CELLWISE_TENANT, CELLWISE_PROJECT, CELLWISE_TOKEN.\nExit codes: 0 Completed, 1 Error, 2 Cancelled or usage error, 130 stopped watching.',
    );

  cli
    .command('login')
    .description('save base URL, tenant, project and token (checked with a real call)')
    .option('--url <url>', 'base URL of the service, e.g. http://localhost:3000')
    .option('--tenant <id>', 'tenant id')
    .option('--project <id>', 'project id')
    .option('--token <token>', 'API token (prefer --token-stdin: a flag shows in `ps`)')
    .option('--token-stdin', 'read the token from stdin')
    .option('--no-verify', 'save without checking the credentials')
    .action(
      action((ctx, options: Parameters<typeof login>[1]) => {
        checkLoginOptions(options);
        return login(ctx, options);
      }),
    );

  cli
    .command('ls')
    .description("list the project's notebooks")
    .option('--status <status>', 'only Ready, Running, Error or Kernel_Dead notebooks')
    .option('--page <n>', 'page number')
    .option('--page-size <n>', 'notebooks per page (max 100)')
    .action(action(listNotebooks));

  cli
    .command('upload')
    .description('upload an .ipynb file as a new notebook')
    .argument('<file>', 'the .ipynb file')
    .option('--name <name>', 'notebook name (default: the file name)')
    .option('--description <text>', 'notebook description')
    .option('--investigation <id>', 'investigation to put it in (default: the project default)')
    .action(action(uploadNotebook));

  cli
    .command('run')
    .description('run a notebook (by id or name) and watch it to the end')
    .argument('<notebook>', 'notebook id or exact name')
    .option(
      '-p, --param <name=value>',
      'a parameter, typed like papermill (3, 1.5, true, null, JSON, text)',
      collect,
    )
    .option('-y, --yaml <yaml>', 'parameters as YAML text', collect)
    .option('-f, --file <params.yaml|json>', 'parameters from a YAML or JSON file', collect)
    .option('--no-wait', 'print the run id and return at once')
    .option('--idempotency-token <token>', 'a repeat with the same token returns the same run')
    .addOption(new Option('--priority <priority>', 'queue priority').choices(['low', 'normal', 'high']))
    .option('--timeout <seconds>', 'limit for the whole run')
    .option('--cell-timeout <seconds>', 'limit for each cell')
    .option('--no-report', 'do not render the HTML report')
    .option(...OUTPUT_OPTION)
    .option(
      '--retry <attempts>',
      'try again after a failure, up to this many attempts in all (1-5); follows each attempt',
    )
    .option(
      '--retry-on <kinds>',
      'failures that start another attempt, comma-separated: KernelDied, KernelHostLost, ServiceRestarted, TimeoutError, CellError',
    )
    .option('--retry-backoff <seconds>', 'wait at least this long between attempts (default 30)')
    .option('--strict', 'refuse parameters the parameters cell does not declare or whose type does not fit')
    .option('--secret <NAME>', "a project secret to set in the kernel's environment (repeatable)", collect)
    .action(action(runNotebook));

  cli
    .command('params')
    .description("list the parameters a notebook's parameters cell declares: name, type, default, help")
    .argument('<notebook>', 'notebook id or exact name')
    .action(action(showParameters));

  cli
    .command('watch')
    .description('follow a run: a progress bar per cell, each cell as it ends')
    .argument('<execution>', 'execution id, or NOTEBOOK_ID/EXECUTION_ID')
    .option(...NOTEBOOK_OPTION)
    .option(...OUTPUT_OPTION)
    .action(action(watchExecution));

  cli
    .command('cancel')
    .description('cancel a queued or running run')
    .argument('<execution>', 'execution id, or NOTEBOOK_ID/EXECUTION_ID')
    .option(...NOTEBOOK_OPTION)
    .option('--wait', 'wait until the run has ended')
    .action(action(cancelExecution));

  cli
    .command('resume')
    .description('resume a run that ended in Error or Cancelled from its failed cell')
    .argument('<execution>', 'execution id, or NOTEBOOK_ID/EXECUTION_ID')
    .option(...NOTEBOOK_OPTION)
    .option('--no-wait', 'print the new run id and return at once')
    .option('--timeout <seconds>', 'limit for the whole new run')
    .addOption(new Option('--priority <priority>', 'queue priority').choices(['low', 'normal', 'high']))
    .action(action(resumeExecution));

  cli
    .command('results')
    .description('download what a run produced: executed .ipynb, report, outputs, enriched data')
    .argument('<execution>', 'execution id, or NOTEBOOK_ID/EXECUTION_ID')
    .requiredOption('-o, --out <dir>', 'folder to write into (created if missing)')
    .option(...NOTEBOOK_OPTION)
    .action(action(saveResults));

  cli
    .command('diff')
    .description('what changed against another run: cells, outputs, metrics, parameters')
    .argument('<execution>', 'execution id, or NOTEBOOK_ID/EXECUTION_ID')
    .option('--against <id>', 'the run to compare with: an execution id, or lastSuccessful (the default)')
    .option(...NOTEBOOK_OPTION)
    .action(action(diffExecution));

  const secrets = cli.command('secrets').description("the project's secrets (values are write-only)");
  secrets
    .command('set')
    .description('create or replace a secret; the value is read from stdin or asked for (never an argument)')
    .argument('<name>', 'an environment variable name, e.g. DB_PASSWORD')
    .action(action(setSecret));
  secrets.command('list').description('the secrets by name, with their dates').action(action(listSecrets));
  secrets
    .command('delete')
    .description('delete a secret')
    .argument('<name>', 'the secret')
    .action(action(deleteSecret));

  cli
    .command('open')
    .description("print (and on a terminal open) the notebook's viewer URL")
    .argument('<target>', 'notebook id or name, or an execution')
    .option('--print', 'only print the URL')
    .option('--expires-in <seconds>', 'a signed read-only link valid this long')
    .option(...NOTEBOOK_OPTION)
    .action(action(openViewer));

  return cli;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cellwise: ${message}\n`);
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof ApiError && error.status === 401) {
    process.stderr.write('(the token was refused: `cellwise login` again)\n');
  }
  if (!(error instanceof ApiError || error instanceof ConnectionError) && process.env.CELLWISE_DEBUG) {
    process.stderr.write(`${(error as Error).stack}\n`);
  }
  return EXIT.error;
}

try {
  await program().parseAsync(process.argv);
  process.exit(exitCode);
} catch (error) {
  process.exit(report(error));
}
