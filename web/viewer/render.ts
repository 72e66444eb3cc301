/**
 * Renders nbformat cells and outputs as DOM, read-only. Markdown goes through marked (TeX math
 * through Temml to MathML), every piece of HTML from a notebook (markdown, text/html,
 * image/svg+xml) through DOMPurify, code through highlight.js (which escapes), ANSI text through
 * ansi_up (which escapes). Nothing a notebook contains can run script here; the page's CSP
 * forbids inline script and inline styles besides. So:
 *
 * - an SVG output is shown as an image (`<img src="data:image/svg+xml,…">`): an image document
 *   runs no script, loads nothing and cannot overlay the page, and its own `<style>` and
 *   `style=""` (how matplotlib colours a plot) apply inside it;
 * - `style` attributes of notebook HTML are dropped (the CSP would refuse them anyway, and a
 *   styled overlay could imitate the page's login);
 * - ansi_up's inline styles (bold, underline, 256 and 24-bit colours) become classes or CSSOM
 *   colours, which the CSP allows.
 */
import { AnsiUp } from 'ansi_up';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';
import r from 'highlight.js/lib/languages/r';
import scala from 'highlight.js/lib/languages/scala';
import { marked } from 'marked';
import { mathExtension } from './math.ts';

hljs.registerLanguage('python', python);
hljs.registerLanguage('r', r);
hljs.registerLanguage('scala', scala);
marked.use(mathExtension);
/** Highlighted HTML of code (highlight.js escapes it): the named language, else a guess. */
function highlighted(source: string, language: string): string {
  return hljs.getLanguage(language)
    ? hljs.highlight(source, { language, ignoreIllegals: true }).value
    : hljs.highlightAuto(source).value;
}

/** Fenced code in markdown is highlighted like code cells. */
marked.use({
  renderer: {
    code({ text: source, lang }) {
      const language = (lang ?? '').trim().split(/\s+/)[0] ?? '';
      return `<pre><code class="hljs">${highlighted(source, language)}</code></pre>\n`;
    },
  },
});

const ansi = new AnsiUp();
ansi.use_classes = true;

/** Links from notebooks open elsewhere and never tell where they came from. */
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.getAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const HTML_POLICY = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'],
  FORBID_ATTR: ['style'],
};
/** SVG for an image document: `<use>` stays (matplotlib draws glyphs and markers with it). */
const SVG_POLICY = { USE_PROFILES: { svg: true, svgFilters: true }, ADD_TAGS: ['use'] };

export type Json = Record<string, unknown>;
export const text = (value: unknown): string =>
  Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';

export function el(tag: string, className?: string, content?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function sanitized(tag: string, className: string, html: string): HTMLElement {
  const node = el(tag, className);
  node.innerHTML = DOMPurify.sanitize(html, HTML_POLICY);
  return node;
}

/** An SVG output as an image: sanitised, serialised as XML (namespaces included), a data: URI. */
function svgImage(source: string, alt: string): HTMLElement {
  // Read in an inert document and serialised from there: never inserted into this page.
  const clean = DOMPurify.sanitize(source, SVG_POLICY);
  const root = new DOMParser().parseFromString(clean, 'text/html').querySelector('svg');
  const img = el('img', 'output svg') as HTMLImageElement;
  img.alt = alt || 'SVG image';
  if (root)
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(root))}`;
  return img;
}

export function markdown(source: string): HTMLElement {
  return sanitized('div', 'markdown', marked.parse(source, { async: false, gfm: true }) as string);
}

export function code(source: string, language: string): HTMLElement {
  const pre = el('pre', 'source');
  const block = el('code', 'hljs');
  block.innerHTML = highlighted(source, language);
  pre.append(block);
  return pre;
}

const COLOUR = /^rgb\(\d{1,3},\s*\d{1,3},\s*\d{1,3}\)$/;

function ansiBlock(className: string, value: string): HTMLElement {
  const pre = el('pre', className);
  // ansi_up writes bold, underline and extended colours as style attributes, which the CSP
  // refuses. Read in an inert document, they become classes and CSSOM colours (allowed)
  // before the nodes move into this page; nothing else ansi_up writes is kept.
  const inert = new DOMParser().parseFromString(`<pre>${ansi.ansi_to_html(value)}</pre>`, 'text/html');
  const colours: [HTMLElement, string, string][] = [];
  for (const span of inert.querySelectorAll<HTMLElement>('[style]')) {
    let color = '';
    let background = '';
    for (const rule of (span.getAttribute('style') ?? '').split(';')) {
      const [name, raw = ''] = rule.split(':').map((part) => part.trim());
      if (name === 'font-weight' && raw === 'bold') span.classList.add('ansi-bold');
      else if (name === 'font-style' && raw === 'italic') span.classList.add('ansi-italic');
      else if (name === 'text-decoration' && raw === 'underline') span.classList.add('ansi-underline');
      else if (name === 'opacity') span.classList.add('ansi-faint');
      else if (name === 'color' && COLOUR.test(raw)) color = raw;
      else if (name === 'background-color' && COLOUR.test(raw)) background = raw;
    }
    span.removeAttribute('style');
    if (color || background) colours.push([span, color, background]);
  }
  pre.append(...Array.from(inert.querySelector('pre')?.childNodes ?? []));
  for (const [span, color, background] of colours) {
    if (color) span.style.color = color;
    if (background) span.style.backgroundColor = background;
  }
  return pre;
}

function jsonBlock(value: unknown): HTMLElement {
  const details = el('details', 'output json');
  details.append(el('summary', undefined, 'JSON'), el('pre', undefined, JSON.stringify(value, null, 2)));
  return details;
}

/** One nbformat output as DOM. */
export function output(o: Json): HTMLElement {
  const type = o.output_type;
  if (type === 'stream')
    return ansiBlock(`output stream ${o.name === 'stderr' ? 'stderr' : ''}`, text(o.text));
  if (type === 'error') {
    const traceback = Array.isArray(o.traceback) ? o.traceback.join('\n') : '';
    return ansiBlock('output error', traceback || `${o.ename}: ${o.evalue}`);
  }
  const data = (o.data ?? {}) as Json;
  if (data['image/png']) {
    const img = el('img', 'output image') as HTMLImageElement;
    img.alt = text(data['text/plain']) || 'plot';
    img.src = `data:image/png;base64,${text(data['image/png']).replace(/\s/g, '')}`;
    return img;
  }
  if (data['image/jpeg']) {
    const img = el('img', 'output image') as HTMLImageElement;
    img.src = `data:image/jpeg;base64,${text(data['image/jpeg']).replace(/\s/g, '')}`;
    return img;
  }
  if (data['image/svg+xml']) return svgImage(text(data['image/svg+xml']), text(data['text/plain']));
  if (data['text/html']) return sanitized('div', 'output html', text(data['text/html']));
  if (data['text/markdown']) return markdown(text(data['text/markdown']));
  if (data['application/json'] !== undefined) return jsonBlock(data['application/json']);
  return ansiBlock('output text', text(data['text/plain']));
}

/** A cell: prompt with execution count, source, status badge, outputs. */
export function cell(c: Json, language: string): HTMLElement {
  const box = el('section', `cell ${c.cell_type}`);
  box.dataset.cellId = typeof c.id === 'string' ? c.id : '';
  if (c.cell_type === 'markdown') {
    box.append(markdown(text(c.source)));
    return box;
  }
  if (c.cell_type === 'raw') {
    box.append(el('pre', 'source raw', text(c.source)));
    return box;
  }
  const count = typeof c.execution_count === 'number' ? String(c.execution_count) : ' ';
  const head = el('div', 'input');
  head.append(el('span', 'prompt', `[${count}]:`), code(text(c.source), language), el('span', 'status'));
  const outputs = el('div', 'outputs');
  for (const o of (c.outputs ?? []) as Json[]) outputs.append(output(o));
  box.append(head, outputs);
  return box;
}
