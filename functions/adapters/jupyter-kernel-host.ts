import { serializeDocument } from '../core/nbformat/document.ts';
import type { NbDocument } from '../core/nbformat/types.ts';
import type {
  KernelHost,
  KernelPoolStats,
  KernelSpecEnvironment,
  KernelSpecs,
  ReportRenderer,
} from '../core/ports/kernel-ports.ts';
import { JupyterKernelFiles } from './jupyter-kernel-files.ts';
import { JupyterKernels } from './jupyter-kernels.ts';
import { isObject, KernelHostConnection } from './kernel-host-connection.ts';
import { DnsHostDirectory, type KernelHostDirectory } from './kernel-host-directory.ts';

/** A render or the first environments probe (every interpreter asked) may take a while. */
const SLOW_DEADLINE_MS = 120_000;

const isPackageList = (value: unknown): value is KernelSpecEnvironment['packages'] =>
  Array.isArray(value) &&
  value.every(
    (p) => isObject(p) && typeof p.name === 'string' && (typeof p.version === 'string' || p.version === null),
  );

const isSpecEnvironment = (value: unknown): value is KernelSpecEnvironment =>
  isObject(value) &&
  typeof value.name === 'string' &&
  typeof value.displayName === 'string' &&
  typeof value.language === 'string' &&
  (typeof value.languageVersion === 'string' || value.languageVersion === null) &&
  isPackageList(value.packages) &&
  isPackageList(value.customLibraries);

const isPoolStats = (value: unknown): value is KernelPoolStats =>
  isObject(value) && ['size', 'ready', 'starting'].every((key) => typeof value[key] === 'number');

/** The kernel host's kernelspecs (what each really runs) and its warm pool. */
class JupyterKernelSpecs implements KernelSpecs {
  constructor(private readonly host: KernelHostConnection) {}

  async environments(): Promise<KernelSpecEnvironment[]> {
    const response = await this.host.requestAny('/cellwise/v1/environments', {}, SLOW_DEADLINE_MS);
    await this.host.expect(response, 'kernel environments', 200);
    const body = await this.host.json(
      response,
      'kernel environments',
      (v): v is { kernels: KernelSpecEnvironment[] } =>
        isObject(v) && Array.isArray(v.kernels) && v.kernels.every(isSpecEnvironment),
    );
    return body.kernels.map((k) => ({
      name: k.name,
      displayName: k.displayName,
      language: k.language,
      languageVersion: k.languageVersion,
      packages: k.packages,
      customLibraries: k.customLibraries,
    }));
  }

  async pool(): Promise<Record<string, KernelPoolStats>> {
    const response = await this.host.requestAny('/cellwise/v1/pool');
    if (response.status === 404) {
      await this.host.drain(response);
      return {};
    }
    await this.host.expect(response, 'kernel pool', 200);
    const body = await this.host.json(
      response,
      'kernel pool',
      (v): v is { kernels: Record<string, KernelPoolStats> } =>
        isObject(v) && isObject(v.kernels) && Object.values(v.kernels).every(isPoolStats),
    );
    return body.kernels;
  }
}

/** The run report, rendered by nbconvert on the kernel host. */
class JupyterReports implements ReportRenderer {
  constructor(private readonly host: KernelHostConnection) {}

  async renderHtml(document: NbDocument): Promise<string> {
    const response = await this.host.requestAny(
      '/cellwise/v1/render/html',
      { method: 'POST', body: serializeDocument(document) },
      SLOW_DEADLINE_MS,
    );
    await this.host.expect(response, 'rendering the report', 200);
    return response.text();
  }
}

/**
 * The kernel host (Debian's Jupyter Server with the Cellwise extension) over HTTP and
 * websockets: its kernels, their files, its kernelspecs and its report renderer.
 */
export class JupyterKernelHost implements KernelHost {
  readonly kernels: JupyterKernels;
  readonly files: JupyterKernelFiles;
  readonly specs: KernelSpecs;
  readonly reports: ReportRenderer;
  private readonly connection: KernelHostConnection;

  /** `hosts`: the fleet's directory, or one host's (or one DNS name's) base URL. */
  constructor(hosts: KernelHostDirectory | string, token: () => Promise<string>) {
    const directory = typeof hosts === 'string' ? new DnsHostDirectory(hosts) : hosts;
    this.connection = new KernelHostConnection(directory, token);
    this.kernels = new JupyterKernels(this.connection);
    this.files = new JupyterKernelFiles(this.connection);
    this.specs = new JupyterKernelSpecs(this.connection);
    this.reports = new JupyterReports(this.connection);
  }

  /** `ok` while at least one host of the fleet answers. */
  async readiness(): Promise<string> {
    try {
      const [hosts, live] = await Promise.all([this.connection.hosts(), this.connection.fleet()]);
      if (live.length > 0) return 'ok';
      return `unavailable: none of the ${hosts.length} kernel host(s) answers`;
    } catch (error) {
      return `unavailable: ${(error as Error).message.slice(0, 160)}`;
    }
  }
}
