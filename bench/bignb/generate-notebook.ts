import { randomBytes } from 'node:crypto';

/** A PNG's first bytes: the outputs look like the plots they stand for. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * An nbformat 4.5 notebook of about `targetBytes` (as written by Jupyter: indent 1): code
 * cells each with a `display_data` output holding a base64 PNG of `pngBytes` (a plot), a
 * stream output, and a markdown cell between them. Used by the bignb bench and its tests.
 */
export function bigNotebookText(targetBytes: number, pngBytes = 200 * 1024): string {
  const perCell = Math.ceil((pngBytes * 4) / 3) + 600;
  const count = Math.max(1, Math.ceil(targetBytes / perCell));
  const pool = randomBytes(pngBytes * 2);
  const cells: object[] = [];
  for (let i = 0; i < count; i++) {
    const start = (i * 7919) % pngBytes;
    const png = Buffer.concat([PNG_SIGNATURE, pool.subarray(start, start + pngBytes - PNG_SIGNATURE.length)]);
    cells.push({
      cell_type: 'markdown',
      id: `md-${i}`,
      metadata: {},
      source: [`## Plot ${i}\n`, 'The distribution of case durations.'],
    });
    cells.push({
      cell_type: 'code',
      id: `plot-${i}`,
      execution_count: i + 1,
      metadata: {},
      source: ['import matplotlib.pyplot as plt\n', `plt.hist(durations[${i}], bins=50)\n`, 'plt.show()'],
      outputs: [
        { output_type: 'stream', name: 'stdout', text: [`plotted ${i}\n`] },
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': png.toString('base64'), 'text/plain': ['<Figure size 640x480 with 1 Axes>'] },
        },
      ],
    });
  }
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' },
    },
    cells,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}
