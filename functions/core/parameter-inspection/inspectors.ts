/**
 * The parameters cell's parsers, registered by kernel language as papermill registers its
 * translators (`papermill_translators.register("python", PythonTranslator)`), and what a
 * notebook declares: its cell tagged `parameters` read by its language's parser.
 */
import { joinSource, type NbDocument } from '../nbformat/types.ts';
import { PARAMETERS_TAG } from '../parameters.ts';
import type { DeclaredParameter, ParameterInspector } from './declared-parameter.ts';
import { inspectPython } from './python-inspector.ts';
import { inspectR } from './r-inspector.ts';
import { inspectScala } from './scala-inspector.ts';

const INSPECTORS = new Map<string, ParameterInspector>();

/** Registers the parser of a kernel language (`kernelspec.language`: `python`, `R`). */
export function registerInspector(language: string, inspector: ParameterInspector): void {
  INSPECTORS.set(language.toLowerCase(), inspector);
}

registerInspector('python', inspectPython);
registerInspector('R', inspectR);
registerInspector('scala', inspectScala);

/** The language of a kernel type (`python3` → `python`, `r` → `R`, `scala`); null for one without a parser. */
export function languageOf(kernelType: string): string | null {
  if (kernelType === 'python3') return 'python';
  if (kernelType === 'r') return 'R';
  if (kernelType === 'scala') return 'scala';
  return null;
}

/** What a notebook declares: its parameters cell (null without one) and that cell's parameters. */
export interface NotebookParameters {
  language: string | null;
  parametersCellId: string | null;
  parameters: DeclaredParameter[];
}

/**
 * papermill's `inspect_notebook`: the first cell tagged `parameters`, read by the parser
 * of the notebook's kernel language. No such cell, or a language without a parser: no parameters.
 */
export function inspectNotebook(document: NbDocument, kernelType: string): NotebookParameters {
  const language = languageOf(kernelType);
  const cell = document.cells.find(
    (c) => Array.isArray(c.metadata.tags) && c.metadata.tags.includes(PARAMETERS_TAG),
  );
  const inspector = language ? INSPECTORS.get(language.toLowerCase()) : undefined;
  if (!cell || !inspector) return { language, parametersCellId: cell?.id ?? null, parameters: [] };
  return { language, parametersCellId: cell.id ?? null, parameters: inspector(joinSource(cell.source)) };
}

/** The notebook's own `strictParameters` setting: its metadata `cellwise.strictParameters` (default false). */
export function notebookStrictParameters(document: NbDocument): boolean {
  const cellwise = document.metadata.cellwise;
  return (
    typeof cellwise === 'object' &&
    cellwise !== null &&
    (cellwise as Record<string, unknown>).strictParameters === true
  );
}
