/**
 * The notebook's declared parameters (`GET .../parameters`): a table of each name, type,
 * default and help above the cells, as papermill's `--help-notebook` lists them. Text only:
 * every value goes in through `textContent`.
 */
import { el, type Json } from './render.ts';

/** Fills `box` with the parameters table; hides it when the notebook declares none. */
export function showParameters(box: HTMLElement, declared: Json | null): void {
  const parameters = (declared?.parameters ?? []) as Json[];
  box.hidden = parameters.length === 0;
  if (box.hidden) {
    box.replaceChildren();
    return;
  }
  const head = el('tr');
  head.append(...['Name', 'Type', 'Default', 'Help'].map((h) => el('th', undefined, h)));
  const rows = parameters.map((p) => {
    const row = el('tr');
    row.dataset.parameter = String(p.name);
    row.append(
      el('td', 'parameter-name', String(p.name)),
      el('td', 'parameter-type', String(p.annotation ?? p.inferredType ?? 'any')),
      el('td', 'parameter-default', String(p.default)),
      el('td', 'parameter-help', String(p.help ?? '')),
    );
    return row;
  });
  const table = el('table');
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  tbody.append(...rows);
  table.append(thead, tbody);
  const title = declared?.strictParameters ? 'Parameters (strict: runs refuse others)' : 'Parameters';
  box.replaceChildren(el('h2', undefined, title), table);
}
