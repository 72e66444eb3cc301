import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CONFORMANCE = fileURLToPath(new URL('../fixtures/scala_kernel_conformance.py', import.meta.url));
/** The kernel host's own kernelspecs (python3, scala), found first through JUPYTER_PATH. */
const KERNEL_SPECS_DIR = fileURLToPath(new URL('../../kernel-host/share/jupyter', import.meta.url));

/** Runs the Python unittest file; resolves with its exit status and its report (stderr). */
function unittest(): Promise<{ status: number | null; report: string }> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', [CONFORMANCE, '-v'], {
      env: {
        PATH: '/usr/bin:/bin',
        HOME: '/tmp',
        LANG: 'C.UTF-8',
        PYTHONDONTWRITEBYTECODE: '1',
        PYDEVD_DISABLE_FILE_VALIDATION: '1',
        JUPYTER_PATH: KERNEL_SPECS_DIR,
      },
    });
    let report = '';
    child.stderr.on('data', (chunk: Buffer) => {
      report += chunk.toString();
    });
    child.stdout.resume();
    child.on('close', (status) => resolve({ status, report }));
  });
}

describe('unit: the scala kernel (Scala 2.11 REPL behind a Jupyter kernel)', () => {
  it("passes jupyter_kernel_test's conformance tests and its own interrupt, restart, shutdown and death tests", async () => {
    const { status, report } = await unittest();
    expect(report, report).toMatch(/^OK \(skipped=\d+\)$/m);
    expect(status).toBe(0);
    const passed = report.match(/ \.\.\. ok$/gm) ?? [];
    // stdout, stderr, execute_result, error, is_complete, kernel_info (the Jupyter suite),
    // then the kernel's own: compile error, exception, definitions, two interrupts, and the
    // lifecycle (shutdown, restart, a halted JVM).
    expect(passed.length).toBeGreaterThanOrEqual(12);
    for (const name of [
      'test_execute_stdout',
      'test_execute_stderr',
      'test_execute_result',
      'test_error',
      'test_is_complete',
      'test_kernel_info',
      'test_scala_interrupt_stops_a_busy_loop',
      'test_shutdown_leaves_no_jvm',
      'test_halting_jvm_ends_the_kernel',
    ]) {
      expect(report).toMatch(new RegExp(`^${name} .*\\.\\.\\. (?:.*\\n)?.*ok$`, 'm'));
    }
  }, 600_000);
});
