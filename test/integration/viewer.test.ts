import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigNotebookText } from '../../bench/bignb/generate-notebook.ts';
import { call, client, newTenant, stack, type Tenant } from '../support/api.ts';
import { execute, notebookOf, runToEnd, SCALA_KERNELSPEC, upload, waitForRun } from '../support/runs.ts';

/** What callbacks running in the page use (this project's TypeScript has no DOM types). */
type PageNode = { textContent: string | null };
type PageGlobals = {
  document: {
    querySelector(selector: string): PageNode | null;
    querySelectorAll(selector: string): ArrayLike<PageNode>;
    getElementById(id: string): PageNode | null;
  };
};

let mine: Tenant;
let theirs: Tenant;
let api: ReturnType<typeof client>;
let browser: Browser;
let shown: { notebookId: string; path: string };

/** Every way a notebook could try to run script in the viewer; each would set `window.__xss`. */
const XSS_MARKDOWN = `## Attempts
<script>window.__xss = 'markdown script'</script>
<img src="x" onerror="window.__xss = 'markdown onerror'">
[a link](javascript:window.__xss='javascript link')
<a href="javascript:window.__xss='html link'" id="js-link">html link</a>
<svg><script>window.__xss = 'inline svg'</script></svg>
<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>
<form action="javascript:window.__xss='form'"><button id="xss-button">go</button></form>
<object data="javascript:window.__xss='object'"></object>
<embed src="javascript:window.__xss='embed'">
<meta http-equiv="refresh" content="0; url=javascript:window.__xss='meta refresh'">
<base href="javascript:window.__xss='base'//">
<svg><a xlink:href="javascript:window.__xss='svg link'"><text x="0" y="15" id="svg-link">svg link</text></a></svg>
<svg><animate onbegin="window.__xss='animate onbegin'" attributeName="x" dur="1s"></animate></svg>
<svg><set attributeName="onmouseover" to="window.__xss='svg set'"></set></svg>
<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mxss'">`;

const TABLE = `# Results

| metric | value |
|--------|-------|
| cases  | 42    |
| events | 1337  |

Mean cycle time $\\bar{t} = \\frac{1}{n}\\sum_i t_i$ costs $5 and $6 in coffee.

$$
e^{i\\pi} + 1 = 0
$$

\`\`\`python
def fenced(x):
    return x + 1
\`\`\``;

const PLOT_CELL = `import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(5, 2.4), dpi=80)
ax.plot([1, 2, 3, 4, 5], [3, 1, 4, 1, 5], marker='o')
ax.set_title('cases per day')
plt.show()`;

const SVG_CELL = `from IPython.display import SVG, display
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>window.__xss = "svg output"</script><circle id="dot" cx="20" cy="20" r="15" fill="teal" onload="window.__xss = \\'svg onload\\'"/><animate onbegin="window.__xss = \\'svg animate\\'" attributeName="r" dur="1s"/></svg>'))`;

/** A real matplotlib SVG: colours come from its style attributes, glyphs and markers from <use>. */
const MATPLOTLIB_SVG_CELL = `import io
import matplotlib.pyplot as plt
from IPython.display import SVG, display
fig, ax = plt.subplots(figsize=(3, 2), dpi=72)
ax.bar(['a', 'b'], [3, 5], color='#ff0000')
ax.plot([0, 1], [1, 2], marker='o', color='#0000ff')
ax.set_title('svg plot')
buffer = io.StringIO()
fig.savefig(buffer, format='svg')
plt.close(fig)
display(SVG(buffer.getvalue()))`;

const ANSI_CELL = String.raw`print('\x1b[1;38;5;208mwarm bold\x1b[0m \x1b[38;2;10;120;200mtrue colour\x1b[0m \x1b[4;32munderlined green\x1b[0m')`;

const JSON_CELL = `from IPython.display import JSON, display
display(JSON({'cases': 42, 'variants': ['a', 'b']}))`;

const HTML_CELL = `from IPython.display import HTML, display
display(HTML('<b id="html-out" style="position:fixed;inset:0;background:white">bold output</b><script>window.__xss = "html output"</script><img src="x" onerror="window.__xss = \\'html onerror\\'">'))`;

async function open(path: string, token?: string): Promise<Page> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(`${stack().baseUrl}${path}`);
  if (token) {
    await page.fill('#token', token);
    await page.click('#login button');
  }
  return page;
}

// Page-side expressions are strings: this project's TypeScript has no DOM types.
const xss = (page: Page) => page.evaluate('window.__xss ?? null');

beforeAll(async () => {
  mine = await newTenant();
  theirs = await newTenant();
  api = client(mine);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const { notebookId, status } = await runToEnd(
    api,
    notebookOf([
      { source: TABLE, cellType: 'markdown' },
      'def greet(name):\n    return f"hello {name}"\n\nprint(greet("viewer"))',
      PLOT_CELL,
      SVG_CELL,
      HTML_CELL,
      MATPLOTLIB_SVG_CELL,
      ANSI_CELL,
      JSON_CELL,
      { source: XSS_MARKDOWN, cellType: 'markdown' },
      { source: 'raise ValueError("boom in the viewer")', tags: ['raises-exception'] },
    ]),
  );
  expect(status.status).toBe('Completed');
  const url = await api.get(`/notebook/${notebookId}/url`);
  shown = { notebookId, path: url.body.relativePath };
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the notebook viewer page (route 11’s URL)', () => {
  it('serves a static shell with a strict Content-Security-Policy and no inline script', async () => {
    const res = await call('GET', shown.path);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('img-src data:');
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
  });

  it('renders markdown tables, highlighted code with counts, a PNG, an SVG, HTML and a coloured error', async () => {
    const page = await open(shown.path, mine.token);
    await page.waitForSelector('.markdown table td');
    expect(await page.textContent('.markdown table')).toContain('1337');
    // TeX as MathML: one inline formula, one block; dollar amounts stay text.
    expect(await page.locator('.markdown p math').count()).toBe(2);
    expect(await page.locator('.markdown .math-block math[display="block"]').count()).toBe(1);
    expect(await page.locator('.markdown math mfrac').count()).toBe(1);
    expect(await page.locator('.markdown p', { hasText: 'costs $5 and $6 in coffee' }).count()).toBe(1);
    expect(await page.locator('.cell.code .hljs-keyword').first().textContent()).toBe('def');
    expect(await page.locator('.cell.code .prompt').first().textContent()).toBe('[1]:');
    expect(await page.textContent('.cell.code .output.stream')).toContain('hello viewer');
    const width = await page
      .locator('img.output.image')
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    expect(width).toBeGreaterThan(300);
    // SVGs are images (an image document runs nothing); both loaded.
    const svgs = page.locator('img.output.svg');
    expect(await svgs.count()).toBe(2);
    await page.waitForFunction(
      "[...document.querySelectorAll('img.output.svg')].every((i) => i.complete && i.naturalWidth > 0)",
    );
    expect(
      await svgs.first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBe(40);
    // The matplotlib plot is drawn in its colours: red bars, a blue line, dark text (glyphs via <use>).
    const colours = await svgs.nth(1).evaluate((img: any) => {
      const canvas = (globalThis as any).document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let [red, blue, dark] = [0, 0, 0];
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a < 200) continue;
        if (r > 200 && g < 60 && b < 60) red++;
        if (b > 200 && r < 60 && g < 60) blue++;
        if (r < 60 && g < 60 && b < 60) dark++;
      }
      return { red, blue, dark };
    });
    expect(colours.red).toBeGreaterThan(500);
    expect(colours.blue).toBeGreaterThan(20);
    expect(colours.dark).toBeGreaterThan(100);
    // ANSI bold, 256 and 24-bit colours, underline: classes and CSSOM colours, no refused styles.
    const warm = page.locator('.output.stream span', { hasText: 'warm bold' });
    expect(
      await warm.evaluate((node: any) => {
        const style = (globalThis as any).getComputedStyle(node);
        return [style.fontWeight, style.color];
      }),
    ).toEqual(['700', 'rgb(255, 135, 0)']);
    const trueColour = page.locator('.output.stream span', { hasText: 'true colour' });
    expect(await trueColour.evaluate((node: any) => (globalThis as any).getComputedStyle(node).color)).toBe(
      'rgb(10, 120, 200)',
    );
    const underlined = page.locator('.output.stream span', { hasText: 'underlined green' });
    expect(
      await underlined.evaluate((node: any) => (globalThis as any).getComputedStyle(node).textDecorationLine),
    ).toBe('underline');
    // Notebook HTML keeps no style attribute (one could lay a fake login over the page).
    expect(await page.getAttribute('#html-out', 'style')).toBeNull();
    expect(await page.locator('#cells :is(.markdown, .output.html) [style]').count()).toBe(0);
    // application/json: collapsed, opens on a click.
    const json = page.locator('details.output.json');
    expect(await json.getAttribute('open')).toBeNull();
    expect(await json.locator('pre').isVisible()).toBe(false);
    await json.locator('summary').click();
    expect(await json.locator('pre').isVisible()).toBe(true);
    expect(JSON.parse((await json.locator('pre').textContent()) ?? '')).toEqual({
      cases: 42,
      variants: ['a', 'b'],
    });
    // Fenced code in markdown is highlighted.
    expect(await page.locator('.markdown pre code .hljs-keyword', { hasText: 'def' }).count()).toBe(1);
    expect(await page.textContent('#html-out')).toBe('bold output');
    const error = page.locator('.output.error');
    expect(await error.textContent()).toContain('boom in the viewer');
    // The traceback's ANSI colours: IPython writes the exception's name in red (`\x1b[0;31m`, the
    // head line and the last line), the failing line's marker in green, `raise` in 256-colour 28, bold.
    const colourOf = (node: any) => (globalThis as any).getComputedStyle(node).color;
    const ename = error.locator('span', { hasText: /^ValueError$/ });
    const enameColours = await ename.evaluateAll((nodes: any[]) =>
      nodes.map((node) => [node.className, (globalThis as any).getComputedStyle(node).color]),
    );
    expect(enameColours).toEqual(
      expect.arrayContaining([
        ['ansi-red-fg', 'rgb(231, 92, 88)'],
        ['ansi-red-fg', 'rgb(231, 92, 88)'],
      ]),
    );
    expect(await error.locator('span', { hasText: /^----> 1$/ }).evaluate(colourOf)).toBe('rgb(0, 162, 80)');
    expect(
      await error.locator('span', { hasText: /^raise$/ }).evaluate((node: any) => {
        const style = (globalThis as any).getComputedStyle(node);
        return [style.color, style.fontWeight];
      }),
    ).toEqual(['rgb(0, 135, 0)', '700']);
    expect(await page.locator('.cell.code .status').first().textContent()).toBe('Success');
    // The README's screenshot (docs/viewer.png) is refreshed on request only, so a test run
    // leaves the checkout unchanged; every run keeps its own under test-results/.
    const shot = process.env.CELLWISE_UPDATE_SCREENSHOT === '1' ? 'docs' : 'test-results';
    await mkdir(shot, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${shot}/viewer.png`, type: 'png' });
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('shows a Scala run: Scala-highlighted code, its stdout, stderr, value and error', async () => {
    const { notebookId, status } = await runToEnd(
      api,
      notebookOf(
        [
          'val greeting = "hello scala"\nprintln(greeting)\nSystem.err.println("careful")\ngreeting.length',
          'throw new IllegalStateException("boom in scala")',
        ],
        SCALA_KERNELSPEC,
      ),
      {},
      120_000,
    );
    expect(status.status).toBe('Error');
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.cell.code .output.error');
    expect(await page.locator('.cell.code .hljs-keyword').first().textContent()).toBe('val');
    expect(await page.locator('.cell.code .hljs-string').first().textContent()).toBe('"hello scala"');
    const first = page.locator('.cell.code').first();
    expect(await first.locator('.output.stream:not(.stderr)').allTextContents()).toEqual([
      'hello scala\n',
      'greeting: String = hello scala\n',
    ]);
    expect(await first.locator('.output.stream.stderr').textContent()).toBe('careful\n');
    expect(await first.locator('.output.text').textContent()).toBe('11');
    expect(await page.textContent('.cell.code .output.error')).toContain(
      'java.lang.IllegalStateException: boom in scala',
    );
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('runs no script from a notebook’s markdown, HTML or SVG (an XSS corpus)', async () => {
    const page = await open(shown.path, mine.token);
    await page.waitForSelector('.output.error');
    await page
      .locator('#js-link')
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await page
      .locator('.markdown a', { hasText: 'a link' })
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await page.waitForTimeout(300);
    expect(await xss(page)).toBeNull();
    await page
      .locator('#svg-link')
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await page.mouse.move(10, 10);
    await page.waitForTimeout(1200); // past the SVG animations' begin
    expect(await xss(page)).toBeNull();
    expect(new URL(page.url()).pathname).toBe(shown.path); // no meta refresh, no <base> navigation
    expect(
      await page
        .locator('#cells :is(script, iframe, form, object, embed, meta, base, animate, set, style)')
        .count(),
    ).toBe(0);
    expect(await page.locator('#cells [onerror], #cells [onload], #cells [onbegin]').count()).toBe(0);
    expect(await page.locator('#cells [href^="javascript:"], #cells [*|href^="javascript:"]').count()).toBe(
      0,
    );
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('keeps the token in this tab’s session, never in the URL', async () => {
    const page = await open(shown.path, mine.token);
    await page.waitForSelector('.markdown table');
    expect(page.url()).not.toContain(mine.token);
    await page.reload();
    await page.waitForSelector('.markdown table');
    expect(await page.isHidden('#login')).toBe(true);
    await page.close();
  });

  it('answers 404 for the page when the URL’s investigation is not the notebook’s, and for an unknown notebook', async () => {
    const [, , t, p, investigationId, , notebookId] = shown.path.split('/');
    const page = (inv: string, nb = notebookId) => `/investigation/${t}/${p}/${inv}/notebook/${nb}`;
    expect(page(investigationId!)).toBe(shown.path);
    expect((await call('GET', page(investigationId!.toUpperCase()))).status).toBe(200);
    // Another investigation of the same project, and a GUID that is no investigation at all.
    const other = await api.post('/investigation', { name: `not the notebook’s ${Date.now()}` });
    expect(other.status, other.text).toBe(201);
    for (const wrong of [other.body.investigationId, '01a212a4-0000-7000-8000-000000000001']) {
      const res = await call('GET', page(wrong));
      expect(res.status, wrong).toBe(404);
      expect(res.body).toMatchObject({ Error: 'Notebook not found', NotebookId: notebookId });
      expect(res.text).not.toContain('viewer.js');
    }
    // An unknown notebook, and this notebook under another tenant's project.
    expect((await call('GET', page(investigationId!, '01a212a4-0000-7000-8000-000000000002'))).status).toBe(
      404,
    );
    const foreign = `/investigation/${theirs.tenantId}/${theirs.projectId}/${investigationId}/notebook/${notebookId}`;
    expect((await call('GET', foreign)).status).toBe(404);
    // A signed link cannot open it under another investigation either: the page itself is a 404.
    const link = (await api.get(`/notebook/${notebookId}/url?expiresIn=600`)).body.url as string;
    const browserPage = await browser.newPage();
    const response = await browserPage.goto(
      `${stack().baseUrl}${page(other.body.investigationId)}${new URL(link).hash}`,
    );
    expect(response?.status()).toBe(404);
    expect(await browserPage.locator('.cell').count()).toBe(0);
    await browserPage.close();
  });

  it('refuses another tenant’s token and shows none of the notebook', async () => {
    const page = await open(shown.path, theirs.token);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.textContent('#meta')).toMatch(/cannot see/);
    expect(await page.locator('.cell').count()).toBe(0);
    await page.close();
  });

  it('shows the declared parameters with their types, defaults and help above the cells, and none for a notebook without', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        {
          source: 'n: int = 3  # how many <b>rows</b>\nlabel = "weekly"\nwhen = today()',
          tags: ['parameters'],
        },
        'print(n)',
      ]),
    );
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('#parameters tr[data-parameter="when"]');
    const rows = await page
      .locator('#parameters tbody tr')
      .evaluateAll((list: any[]) => list.map((row) => [...row.children].map((td: any) => td.textContent)));
    expect(rows).toEqual([
      ['n', 'int', '3', 'how many <b>rows</b>'],
      ['label', 'str', '"weekly"', ''],
      ['when', 'any', 'today()', ''],
    ]);
    expect(await page.textContent('#parameters h2')).toBe('Parameters');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();

    const plain = await open(shown.path, mine.token);
    await plain.waitForSelector('.markdown table td');
    expect(await plain.isHidden('#parameters')).toBe(true);
    await plain.close();
  });

  it('shows an earlier version from the version picker, and the current one again', async () => {
    const notebookId = await upload(api, notebookOf([{ source: '# First draft', cellType: 'markdown' }]));
    const name = (await api.get(`/notebook/${notebookId}`)).body.notebookName;
    const updated = await api.put(`/notebook/${notebookId}`, {
      name,
      cells: [{ cellType: 'markdown', source: '# Second draft' }],
    });
    expect(updated.status, updated.text).toBe(200);
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.markdown h1');
    expect(await page.textContent('.markdown h1')).toBe('Second draft');
    const options = await page
      .locator('#version option')
      .evaluateAll((list: any[]) => list.map((o) => o.value));
    expect(options).toEqual([String(updated.body.notebookVersion), '1.0.0']);
    await page.selectOption('#version', '1.0.0');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document.querySelector('.markdown h1')?.textContent ===
        'First draft',
    );
    expect(await page.textContent('#version-note')).toContain('Showing version 1.0.0');
    await page.selectOption('#version', String(updated.body.notebookVersion));
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document.querySelector('.markdown h1')?.textContent ===
        'Second draft',
    );
    expect(await page.textContent('#version-note')).toBe('');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('shows a notebook above the inline limit in full, fetched from storage through its content URL', {
    timeout: 120_000,
  }, async () => {
    const text = bigNotebookText(6 * 1024 * 1024);
    const cells = JSON.parse(text).cells.length;
    const slot = await api.post('/notebook/uploads');
    const put = await fetch(slot.body.uploadUrl, { method: 'PUT', headers: slot.body.headers, body: text });
    expect(put.status).toBe(200);
    const created = await api.post('/notebook/upload', {
      uploadId: slot.body.uploadId,
      notebookName: 'big plots',
    });
    expect(created.status, created.text).toBe(201);
    const content = await api.get(`/notebook/${created.body.notebookId}/content`);
    expect(content.body).toHaveProperty('contentUrl');
    const { body } = await api.get(`/notebook/${created.body.notebookId}/url`);
    const res = await call('GET', body.relativePath);
    const storage = new URL(content.body.contentUrl).origin;
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${storage}`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.cell.code .output.stream');
    expect(await page.locator('section.cell').count()).toBe(cells);
    expect(await page.locator('.cell.code .output.stream').first().textContent()).toContain('plotted 0');
    expect(await page.locator('img.output.image').count()).toBe(cells / 2);
    expect(await page.textContent('#meta')).not.toContain('too large');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('shows a run’s progress live: cell statuses and outputs appear as cells end, without reloading', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        'import time\nprint("first done")',
        'time.sleep(2.5)\nprint("second done")',
        'time.sleep(2.5)\nprint("third done")',
      ]),
    );
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.cell.code');
    await page.evaluate('window.__loaded = 1');
    const started = await execute(api, notebookId);
    await page.waitForSelector('#progress:not([hidden])', { timeout: 15_000 });
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document
          .querySelector('.outputs')
          ?.textContent?.includes('first done'),
      null,
      {
        timeout: 20_000,
      },
    );
    // The first cell's output is shown while the run still goes on (live, then stored at its end).
    expect(await page.textContent('#progress-text')).toMatch(/Running/);
    expect(await page.locator('.outputs').allTextContents()).toEqual(['first done\n', '', '']);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document.querySelector('.cell.code .status')?.textContent ===
        'Success',
      null,
      { timeout: 10_000 },
    );
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document
          .querySelectorAll('.outputs')[2]
          ?.textContent?.includes('third done'),
      null,
      {
        timeout: 30_000,
      },
    );
    await waitForRun(api, notebookId, started.executionId);
    await page.waitForSelector('#progress', { state: 'hidden', timeout: 10_000 });
    expect(await page.evaluate('window.__loaded')).toBe(1);
    expect(await page.locator('.cell.code .status').allTextContents()).toEqual([
      'Success',
      'Success',
      'Success',
    ]);
    expect(await page.locator('.cell.code .prompt').allTextContents()).toEqual(['[1]:', '[2]:', '[3]:']);
    await page.close();
  });

  it('shows what a running cell prints as it prints it, before the cell ends, then its stored outputs', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        'import time\nfor i in range(15):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.3)',
        'from IPython.display import display\nh = display("draft", display_id=True)\ntime.sleep(1.5)\nh.update("final")',
      ]),
    );
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.cell.code');
    const started = await execute(api, notebookId);
    await page.waitForFunction(
      () =>
        (
          (globalThis as unknown as PageGlobals).document.querySelector('.outputs')?.textContent ?? ''
        ).includes('tick 3'),
      null,
      { timeout: 20_000 },
    );
    // Seen while the cell still prints: its status is not an end yet and later ticks have not come.
    const seen = await page.locator('.outputs').first().textContent();
    expect(seen).not.toContain('tick 14');
    expect(await page.locator('.cell.code .status').first().textContent()).not.toBe('Success');
    // The display shows its draft while the cell sleeps, then its final value.
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document
          .querySelectorAll('.outputs')[1]
          ?.textContent?.includes('draft'),
      null,
      { timeout: 20_000 },
    );
    await waitForRun(api, notebookId, started.executionId);
    await page.waitForSelector('#progress', { state: 'hidden', timeout: 10_000 });
    const outputs = await page.locator('.outputs').allTextContents();
    expect(outputs[0]).toBe(Array.from({ length: 15 }, (_, i) => `tick ${i}\n`).join(''));
    expect(outputs[1]).toContain('final');
    expect(outputs[1]).not.toContain('draft');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('shows a later cell’s display update in the earlier cell live, while the run goes on', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        'from IPython.display import display, update_display\ndisplay("before update", display_id="x")',
        // Long enough for the page to find the run and show the first cell before the update.
        'import time\ntime.sleep(6)\nupdate_display("after update", display_id="x")',
        'time.sleep(5)\nprint("third done")',
      ]),
    );
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.cell.code');
    const started = await execute(api, notebookId);
    const firstShows = (text: string) =>
      page.waitForFunction(
        (wanted) =>
          (globalThis as unknown as PageGlobals).document
            .querySelector('.outputs')
            ?.textContent?.includes(wanted),
        text,
        { timeout: 30_000 },
      );
    await firstShows('before update');
    await firstShows('after update');
    // Updated before the run ended: the third cell still runs.
    expect(await page.textContent('#progress-text')).toMatch(/Running/);
    expect(await page.locator('.outputs').first().textContent()).not.toContain('before update');
    await waitForRun(api, notebookId, started.executionId);
    await page.close();
  }, 90_000);

  it('shows every output of a long cell and the note on what was not kept, live and after the run', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        "for i in range(1100):\n    display(i)\ndisplay({'text/x\\nY': 'v'}, raw=True)",
        'import time\ntime.sleep(3)\nprint("done")',
      ]),
    );
    const { body } = await api.get(`/notebook/${notebookId}/url`);
    const page = await open(body.relativePath, mine.token);
    await page.waitForSelector('.cell.code');
    const started = await execute(api, notebookId);
    const note = '.cell.code .outputs .stderr';
    // Live: the results come a page (1,000 outputs) at a time; the note ends the second page.
    await page.waitForSelector(note, { timeout: 30_000 });
    expect(await page.textContent('#progress-text')).toMatch(/Running/);
    const noteText = 'Skipped as invalid: MIME type "text/x\\nY" is not a valid media type.';
    expect(await page.locator(note).textContent()).toContain(noteText);
    expect(await page.locator('.cell.code').first().locator('.outputs > *').count()).toBe(1101);
    await waitForRun(api, notebookId, started.executionId);
    await page.waitForSelector('#progress', { state: 'hidden', timeout: 10_000 });
    // After the run: the notebook's own outputs, the note among them.
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).document.querySelectorAll('.outputs')[1]?.textContent ===
        'done\n',
      null,
      { timeout: 15_000 },
    );
    expect(await page.locator(note).textContent()).toContain(noteText);
    expect(await page.locator('.cell.code').first().locator('.outputs > *').count()).toBe(1101);
    await page.close();
  });
});

describe('signed read-only links (GET .../url?expiresIn=)', () => {
  const linkOf = (url: string) => new URL(url).hash.replace('#access=', '');

  it('marks the cells that changed against the last successful run, with what changed in the title', async () => {
    const notebookId = await upload(
      api,
      notebookOf([{ source: 'n = 1', tags: ['parameters'] }, 'print(f"n = {n}")', 'print("same")']),
    );
    for (const n of [1, 2]) {
      const run = await execute(api, notebookId, { parameters: { n } });
      expect((await waitForRun(api, notebookId, run.executionId)).status).toBe('Completed');
    }
    const url = await api.get(`/notebook/${notebookId}/url?expiresIn=600`);
    const page = await open(`${url.body.relativePath}${new URL(url.body.url).hash}`);
    await page.waitForSelector('section[data-cell-id="c2"].changed .changed-badge');
    const title = await page.getAttribute('section[data-cell-id="c2"] .changed-badge', 'title');
    expect(title).toMatch(/^Changed since the last successful run \([0-9a-f-]{36}\): stdout \+1 −1 lines$/);
    expect(await page.textContent('section[data-cell-id="c2"] .changed-badge')).toBe('changed');
    expect(await page.$$eval('section.changed', (s) => s.map((e) => e.getAttribute('data-cell-id')))).toEqual(
      ['c2'],
    );
    expect(await page.$('section[data-cell-id="c3"] .changed-badge')).toBeNull();
    await page.close();
  });

  it('marks no cell when the notebook has no earlier successful run', async () => {
    const page = await open(shown.path, mine.token);
    await page.waitForSelector('section[data-cell-id="c2"] .outputs .output');
    // Loaded again (the token stays in the tab): the viewer asks for the diff, 404 (one run only), and marks nothing.
    const diff = page.waitForResponse((r) => r.url().includes('/diff?against=lastSuccessful'));
    await page.reload();
    expect((await diff).status()).toBe(404);
    await page.waitForSelector('section[data-cell-id="c2"] .outputs .output');
    await page.waitForTimeout(300);
    expect(await page.$$('.changed-badge')).toEqual([]);
    await page.close();
  });

  it('gives a link that expires when asked, opens the notebook without a token, read-only', async () => {
    const before = Date.now();
    const res = await api.get(`/notebook/${shown.notebookId}/url?expiresIn=600`);
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.expiresAt) - before).toBeGreaterThan(590_000);
    expect(Date.parse(res.body.expiresAt) - before).toBeLessThan(610_000);
    expect(res.body.url).toMatch(/#access=cwl_/);
    const page = await open(`${res.body.relativePath}${new URL(res.body.url).hash}`);
    await page.waitForSelector('.markdown table td');
    expect(await page.isHidden('#login')).toBe(true);
    expect(await page.textContent('#meta')).toContain('read-only link');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  it('grants the GET routes of that notebook alone: no writes, no other notebook, no new links', async () => {
    const link = linkOf((await api.get(`/notebook/${shown.notebookId}/url?expiresIn=600`)).body.url);
    const nb = `${mine.base}/notebook/${shown.notebookId}`;
    for (const path of ['', '/content', '/versions', '/executions', '/parameters']) {
      expect((await call('GET', `${nb}${path}`, { token: link })).status, path).toBe(200);
    }
    expect((await call('POST', `${nb}/execute`, { token: link, json: {} })).status).toBe(401);
    expect((await call('PUT', nb, { token: link, json: { name: 'taken over' } })).status).toBe(401);
    expect((await call('DELETE', nb, { token: link })).status).toBe(401);
    expect((await call('GET', `${nb}/url?expiresIn=999`, { token: link })).status).toBe(401);
    const other = await upload(api, notebookOf(['1']));
    const res = await call('GET', `${mine.base}/notebook/${other}`, { token: link });
    expect(res.status).toBe(404);
    expect((await call('GET', `${mine.base}/notebooks`, { token: link })).status).toBe(404);
    const foreign = `${theirs.base}/notebook/${shown.notebookId}`;
    expect((await call('GET', foreign, { token: link })).status).toBe(404);
  });

  it('refuses an expired or altered link, on the page and in the API', async () => {
    const res = await api.get(`/notebook/${shown.notebookId}/url?expiresIn=1`);
    const link = linkOf(res.body.url);
    const [payload, signature] = link.slice(4).split('.');
    const forged = Buffer.from(payload!, 'base64url').toString().replace(/:\d+$/, ':99999999999');
    const altered = `cwl_${Buffer.from(forged).toString('base64url')}.${signature}`;
    const nb = `${mine.base}/notebook/${shown.notebookId}`;
    // Denied by the authorizer (API Gateway's 403): no route runs for them.
    expect((await call('GET', nb, { token: altered })).status).toBe(403);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(res.body.expiresAt) - Date.now()) + 200));
    expect((await call('GET', nb, { token: link })).status).toBe(403);
    const page = await open(`${res.body.relativePath}#access=${link}`);
    await page.waitForFunction(() =>
      (globalThis as unknown as PageGlobals).document
        .getElementById('meta')
        ?.textContent?.includes('expired'),
    );
    expect(await page.locator('.cell').count()).toBe(0);
    await page.close();
  });

  it('answers 400 for a bad expiresIn and 404 for another tenant', async () => {
    for (const bad of ['0', '-5', 'soon', '1.5', String(31 * 24 * 3600)]) {
      const res = await api.get(`/notebook/${shown.notebookId}/url?expiresIn=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.Details[0].path).toBe('query.expiresIn');
    }
    const res = await call('GET', `${theirs.base}/notebook/${shown.notebookId}/url?expiresIn=60`, {
      token: theirs.token,
    });
    expect(res.status).toBe(404);
  });
});
