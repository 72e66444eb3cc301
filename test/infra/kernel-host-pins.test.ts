import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/synth.ts';

/*
 * The kernel host image is pinned: its base by digest, each package it installs by the exact
 * Debian version, the very versions the local stack runs on this (Debian 12) machine.
 */

const dockerfile = readFileSync(join(REPO_ROOT, 'kernel-host/Dockerfile'), 'utf8');
/** The packages of the Dockerfile's apt-get install, as name → version. */
const pins = () =>
  Object.fromEntries(
    [...dockerfile.matchAll(/^\s+([a-z0-9][a-z0-9.+-]+)(?:=(\S+))?\s*\\$/gm)].map((m) => [m[1]!, m[2]]),
  );

describe('kernel host image pins', () => {
  it('builds from a dated Debian 12 slim tag pinned by its index digest', () => {
    const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(from).toEqual([expect.stringMatching(/^debian:bookworm-\d{8}-slim@sha256:[0-9a-f]{64}$/)]);
  });

  it('pins every package it installs to an exact version', () => {
    const packages = pins();
    expect(Object.keys(packages)).toEqual(
      expect.arrayContaining([
        'python3-jupyter-server',
        'python3-ipykernel',
        'r-base-core',
        'r-cran-irkernel',
      ]),
    );
    for (const [name, version] of Object.entries(packages))
      expect(version, name).toMatch(/^[0-9][\w.+:~-]*$/);
  });

  it('pins the versions the local stack runs here (dpkg), so both homes run the same Jupyter', () => {
    let installed: string;
    try {
      installed = execFileSync('dpkg-query', ['-W', ...Object.keys(pins())], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`dpkg-query failed (a Debian machine with the project's packages is needed): ${error}`);
    }
    const host = Object.fromEntries(
      installed
        .trim()
        .split('\n')
        .map((line) => line.split('\t') as [string, string]),
    );
    expect(pins()).toEqual(host);
  });
});
