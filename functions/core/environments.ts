import { ValidationError } from './errors.ts';
import type { Environment, KernelType } from './notebook.ts';

/** An installed package (or custom library) and its version. */
export interface InstalledPackage {
  name: string;
  version: string | null;
}

/** A kernel this deployment can really run, as the kernel host reports it. */
export interface KernelEnvironment {
  kernelType: KernelType;
  displayName: string;
  language: string;
  /** The interpreter's version (`3.11.2`, R's `4.2.2`); null when the kernel host could not ask it. */
  languageVersion: string | null;
  packages: InstalledPackage[];
  /** The Cellwise SDK packages importable in the kernel (Python kernels). */
  customLibraries: InstalledPackage[];
}

/** The kernelspec a kernel type runs with on the kernel host (IRkernel registers `ir`). */
export function kernelSpecName(kernelType: string): string {
  return kernelType === 'r' ? 'ir' : kernelType;
}

const SPEC = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(==|!=|>=|<=|>|<)\s*([0-9][0-9A-Za-z.+-]*))?\s*$/;

/** PEP 503 normalisation: case and runs of `-`, `_`, `.` do not matter (`scikit_learn` is `scikit-learn`). */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Compares dotted versions part by part, numerically where both parts are numbers (`1.10` > `1.9`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.+-]/);
  const right = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '0';
    const y = right[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const order = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (order !== 0) return Math.sign(order);
  }
  return 0;
}

/**
 * Whether a requirement (`pandas`, `pandas>=1.5`, `numpy==1.24.2`; operators `== != >= <= > <`,
 * names compared as pip does) is satisfied by the installed packages. `==` matches when the
 * installed version equals it or starts with it (`==1.5` accepts 1.5.3).
 */
export function satisfies(requirement: string, installed: readonly InstalledPackage[]): boolean {
  const match = SPEC.exec(requirement);
  if (!match) return false;
  const [, name = '', op, wanted = ''] = match;
  const found = installed.find((p) => normalize(p.name) === normalize(name));
  if (!found) return false;
  if (!op) return true;
  if (found.version === null) return false;
  const order = compareVersions(found.version, wanted);
  switch (op) {
    case '==':
      return order === 0 || found.version.startsWith(`${wanted}.`);
    case '!=':
      return order !== 0;
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order < 0;
  }
}

/** The environment of `kernelType`, or a ValidationError naming `path` and what is available. */
export function requireEnvironment(
  environments: readonly KernelEnvironment[],
  kernelType: string,
  path = 'kernelType',
): KernelEnvironment {
  const found = environments.find((e) => e.kernelType === kernelType);
  if (found) return found;
  const available = environments.map((e) => e.kernelType).join(', ') || 'none';
  throw new ValidationError(
    `Kernel '${kernelType}' is not available in this deployment. Available: ${available}`,
    [{ path, message: `must be one of: ${available}` }],
    'KernelNotAvailable',
  );
}

/**
 * Checks the requested packages and custom libraries against the kernel's environment: each
 * must be installed (and satisfy its version requirement); a package may also name a custom
 * library. Throws a ValidationError naming
 * every unknown entry (`body.environment.packages[1]`) and listing what is available.
 */
export function checkEnvironmentRequest(
  environment: KernelEnvironment,
  requested: Partial<Environment> | undefined,
): void {
  const issues: { path: string; message: string }[] = [];
  const unknown: string[] = [];
  for (const field of ['packages', 'customLibraries'] as const) {
    // The SDK is importable like an installed package: `packages: ['mindzie-sdk']` is accepted.
    const installed =
      field === 'packages' ? [...environment.packages, ...environment.customLibraries] : environment[field];
    (requested?.[field] ?? []).forEach((requirement, index) => {
      if (satisfies(requirement, installed)) return;
      unknown.push(`${field} '${requirement}'`);
      issues.push({
        path: `body.environment.${field}[${index}]`,
        message: `not available in the ${environment.kernelType} environment; available: ${
          installed.map((p) => (p.version ? `${p.name} ${p.version}` : p.name)).join(', ') || 'none'
        }`,
      });
    });
  }
  if (issues.length === 0) return;
  throw new ValidationError(
    `Not available in the ${environment.kernelType} environment: ${unknown.join(', ')} (GET /environments lists what is)`,
    issues,
    'EnvironmentNotAvailable',
  );
}

/**
 * The environment stored with a notebook: the requested packages and custom libraries as
 * given, and the kernel's real Python version (null for other languages; a requested
 * `pythonVersion` is not taken: the kernel host's interpreter is what runs).
 */
export function notebookEnvironment(
  environment: KernelEnvironment,
  requested: Partial<Environment> | undefined,
  previous?: Environment,
): Environment {
  return {
    pythonVersion: environment.language.toLowerCase() === 'python' ? environment.languageVersion : null,
    packages: requested?.packages ?? previous?.packages ?? [],
    customLibraries: requested?.customLibraries ?? previous?.customLibraries ?? [],
  };
}
