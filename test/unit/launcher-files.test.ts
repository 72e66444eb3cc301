import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../fixtures/launcher_file_attacks.py', import.meta.url));
const asRoot = process.getuid?.() === 0;

interface Outcome {
  both: string;
  userOnly: string;
  checksOnly: string;
  neither: string;
}

/** The launcher's file operations against what a kernel plants (test/fixtures/launcher_file_attacks.py). */
function attacks() {
  const run = spawnSync('/usr/bin/python3', [SCRIPT], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`attack script failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as {
    reads: Record<string, Outcome>;
    listing: string;
    writes: Record<string, string>;
    secret: string;
  };
}

describe.runIf(asRoot)('unit: the launcher never follows what a kernel plants in its directory', () => {
  const seen = asRoot ? attacks() : undefined;

  it('reads a regular file whichever defences are on', () => {
    expect(seen!.reads['model.pkl']).toEqual({
      both: 'read: a model',
      userOnly: 'read: a model',
      checksOnly: 'read: a model',
      neither: 'read: a model',
    });
  });

  it.each([
    ['symlink.pkl', 'is a symbolic link, not a regular file'],
    ['hardlink.pkl', 'has 2 hard links'],
  ])(
    'refuses a %s to a root-only file; either defence alone stops it; without both the secret leaks',
    (name, reason) => {
      const outcome = seen!.reads[name]!;
      expect(outcome.both).toBe(`refused: .cellwise/outbox/${name} ${reason}`);
      expect(outcome.checksOnly).toBe(outcome.both);
      expect(outcome.userOnly).toBe('PermissionError');
      expect(outcome.neither).toBe(`read: ${seen!.secret}`);
    },
  );

  it('refuses a FIFO at once (without the checks the reader blocks) and a socket', () => {
    expect(seen!.reads['fifo.pkl']).toEqual({
      both: 'refused: .cellwise/outbox/fifo.pkl is a FIFO, not a regular file',
      checksOnly: 'refused: .cellwise/outbox/fifo.pkl is a FIFO, not a regular file',
      userOnly: 'blocked',
      neither: 'blocked',
    });
    expect(seen!.reads['socket.pkl']!.both).toBe(
      'refused: .cellwise/outbox/socket.pkl is a socket, not a regular file',
    );
  });

  it('lists the outbox with the reason for every entry it will not read', () => {
    const listing = JSON.parse(seen!.listing.replace(/^read: /, ''));
    const refused = Object.fromEntries(
      listing.entries.map((e: { name: string; refused?: string }) => [e.name, e.refused ?? null]),
    );
    expect(refused).toEqual({
      'model.pkl': null,
      'symlink.pkl': 'symlink.pkl is a symbolic link, not a regular file',
      'hardlink.pkl': 'hardlink.pkl has 2 hard links',
      'fifo.pkl': 'fifo.pkl is a FIFO, not a regular file',
      'socket.pkl': 'socket.pkl is a socket, not a regular file',
    });
  });

  it('replaces a link standing where it writes instead of writing through it (a root write without the checks overwrites the target)', () => {
    expect(seen!.writes.neither).toBe('read: written');
    expect(seen!.writes.canaryAfterNeither).toBe('overwritten');
    expect(seen!.writes.both).toBe(
      'read: [".cellwise/datasets was a symbolic link; replaced by a directory"]',
    );
    expect(seen!.writes.canaryAfterBoth).toBe(seen!.secret);
  });
});
