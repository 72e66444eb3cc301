import type { NbCell, NbDocument } from './types.ts';

/** The kernelspec and language_info Jupyter writes for each kernel the service knows. */
const KERNEL_METADATA: Record<string, { kernelspec: object; language_info: object }> = {
  python3: {
    kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
    language_info: { name: 'python', file_extension: '.py', mimetype: 'text/x-python' },
  },
  r: {
    kernelspec: { name: 'ir', display_name: 'R', language: 'R' },
    language_info: { name: 'R', file_extension: '.r', mimetype: 'text/x-r-source' },
  },
  scala: {
    kernelspec: { name: 'scala', display_name: 'Scala', language: 'scala' },
    language_info: { name: 'scala', file_extension: '.scala', mimetype: 'text/x-scala' },
  },
};

/** A new nbformat 4.5 document for the kernel type with the given cells. */
export function newDocument(kernelType: string, cells: NbCell[]): NbDocument {
  return { nbformat: 4, nbformat_minor: 5, metadata: { ...KERNEL_METADATA[kernelType] }, cells };
}

/** The kernel type a document declares in its kernelspec, if it names one the service knows. */
export function kernelTypeOf(document: NbDocument): string | undefined {
  const spec = document.metadata.kernelspec as { name?: unknown; language?: unknown } | undefined;
  const name = typeof spec?.name === 'string' ? spec.name.toLowerCase() : '';
  const language = typeof spec?.language === 'string' ? spec.language.toLowerCase() : '';
  if (name.startsWith('python') || language === 'python') return 'python3';
  if (name === 'ir' || language === 'r') return 'r';
  if (name.includes('scala') || language === 'scala') return 'scala';
  return undefined;
}

/** Serialises a document the way Jupyter does (one-space indent, trailing newline). */
export function serializeDocument(document: NbDocument): string {
  return `${JSON.stringify(document, null, 1)}\n`;
}
