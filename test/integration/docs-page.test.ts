import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { call, stack } from '../support/api.ts';

/** What callbacks running in the page use (this project's TypeScript has no DOM types). */
type PageNode = { textContent: string | null };
type PageGlobals = {
  document: {
    querySelector(selector: string): PageNode | null;
    querySelectorAll(selector: string): ArrayLike<PageNode>;
    getElementById(id: string): PageNode | null;
  };
};

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

describe('the API docs page (GET /api/docs)', () => {
  it('is served without a token, with a strict CSP and its renderer from this origin', async () => {
    const res = await call('GET', '/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    const sources = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
    for (const asset of ['/static/docs.js', '/static/docs.css']) {
      expect(sources).toContain(asset);
      expect((await call('GET', asset)).status).toBe(200);
    }
  });

  it('answers 400 in the error shape for an unknown asset', async () => {
    const res = await call('GET', '/static/evil.js');
    expect(res.status).toBe(400);
    expect(res.body.Error).toBeTruthy();
  });

  it('lists every route of the manifest with its method and path', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(stack().baseUrl) && !request.url().startsWith('data:'))
        outside.push(request.url());
    });
    await page.goto(`${stack().baseUrl}/api/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    const listed = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) => {
        const method = b.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.toUpperCase()} ${path}`;
      }),
    );
    expect(listed.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows an operation’s parameters, request and response schemas and the seed’s example', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack().baseUrl}/api/docs`);
    const block = page.locator('.opblock', {
      has: page.locator('[data-path="/api/{tenantId}/{projectId}/notebook/{notebookId}"]'),
    });
    await block
      .filter({ has: page.locator('.opblock-summary-method', { hasText: 'PUT' }) })
      .locator('.opblock-summary-control')
      .click();
    const opened = page.locator('.opblock.is-open');
    await opened.locator('.parameters').waitFor();
    expect(await opened.locator('.parameter__name').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('notebookId')]),
    );
    await page.waitForFunction(() =>
      (globalThis as unknown as PageGlobals).document
        .querySelector('.opblock.is-open')
        ?.textContent?.includes('Advanced Customer Analytics v2'),
    );
    expect(await opened.locator('.responses-wrapper').textContent()).toContain('409');
    await page.close();
  });
});
