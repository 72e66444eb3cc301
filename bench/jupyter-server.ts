import { type RunningJupyter, startJupyter as start } from '../local-stack/jupyter-process.ts';

export type { RunningJupyter };

/**
 * The reference: Debian's plain Jupyter Server over `rootDir` (no Cellwise extension), its
 * config/data/runtime dirs under `stateDir`. `reuse` restarts it on the same port and token.
 */
export function startJupyter(rootDir: string, stateDir: string, reuse?: { port: number; token: string }) {
  return start({
    rootDir,
    stateDir,
    ...(reuse ?? {}),
    env: { PATH: '/usr/bin:/bin', HOME: stateDir, LANG: 'C.UTF-8' },
  });
}
