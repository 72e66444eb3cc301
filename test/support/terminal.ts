import { type ChildProcess, spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';

/**
 * A command run on a pseudo-terminal, as a person at a terminal runs it: util-linux `script`
 * (`/usr/bin/script`, Debian's essential bsdutils) opens the terminal and runs the command with
 * its stdin, stdout and stderr on it. Keys written with `press` are typed on that terminal: Ctrl-C
 * ("\x03") becomes a SIGINT for the command through the terminal's line discipline, unless the
 * command reads the terminal raw (a readline prompt), where it is a key like any other.
 * The terminal has no size (0 columns, as under many CI runners) unless `columns` is given.
 */
export interface Terminal {
  child: ChildProcess;
  /** Everything written to the terminal so far, escape sequences included. */
  raw(): string;
  /**
   * What was written, as the pieces the terminal drew: split at every escape sequence and line
   * end (a progress bar's redraws are one piece each), empty pieces dropped.
   */
  pieces(): string[];
  /** What was written without escape sequences and carriage returns. */
  text(): string;
  /** Types keys on the terminal. */
  press(keys: string): void;
  /** Waits until `pattern` is in `text()` (after `from`, an earlier length of it). */
  until(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** The command's exit code and what it wrote. */
  done: Promise<{ code: number | null; text: string; pieces: string[] }>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]|\r\n|\r|\n/;

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

export function onTerminal(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; columns?: number } = {},
): Terminal {
  const size = options.columns ? `stty cols ${options.columns}; ` : '';
  // `exec`: the command itself is the terminal's foreground process, so Ctrl-C reaches it alone.
  const command = `${size}exec ${argv.map(quote).join(' ')}`;
  const child = spawn(
    '/usr/bin/script',
    ['--quiet', '--flush', '--return', '--command', command, '/dev/null'],
    {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let raw = '';
  const collect = (chunk: Buffer) => {
    raw += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const text = () => stripVTControlCharacters(raw).replaceAll('\r', '');
  const pieces = () => raw.split(SEQUENCE).filter((p) => p.trim() !== '');
  const done = new Promise<{ code: number | null; text: string; pieces: string[] }>((resolve) =>
    child.on('close', (code) => {
      child.stdin!.destroy();
      resolve({ code, text: text(), pieces: pieces() });
    }),
  );
  return {
    child,
    raw: () => raw,
    pieces,
    text,
    press: (keys) => {
      child.stdin!.write(keys);
    },
    async until(pattern, { from = 0, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text().slice(from))) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`not seen on the terminal: ${pattern}\n${text()}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    done,
  };
}
