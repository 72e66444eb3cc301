/**
 * TeX math in markdown cells, as Jupyter writes it: `$…$` inline and `$$…$$` as a block,
 * rendered to MathML by Temml (the browser lays MathML out natively: no fonts, no script).
 * A bad expression shows as an error text, never as markup of its own.
 */
import type { MarkedExtension, Tokens } from 'marked';
import temml from 'temml';

const render = (tex: string, displayMode: boolean) =>
  temml.renderToString(tex, { displayMode, throwOnError: false, annotate: false });

interface MathToken extends Tokens.Generic {
  text: string;
}

export const mathExtension: MarkedExtension = {
  extensions: [
    {
      name: 'blockMath',
      level: 'block',
      start: (src: string) => src.match(/^\$\$/m)?.index,
      tokenizer(src: string) {
        const match = /^\$\$([\s\S]+?)\$\$[^\S\n]*(?:\n|$)/.exec(src);
        if (match) return { type: 'blockMath', raw: match[0], text: match[1]!.trim() };
        return undefined;
      },
      renderer: (token) => `<p class="math-block">${render((token as MathToken).text, true)}</p>\n`,
    },
    {
      name: 'inlineMath',
      level: 'inline',
      start: (src: string) => src.indexOf('$'),
      tokenizer(src: string) {
        // `$5 and $6` is money, not math: no space inside the delimiters, no digit after the close.
        const match = /^\$(?!\s)((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)/.exec(src);
        if (match) return { type: 'inlineMath', raw: match[0], text: match[1]! };
        return undefined;
      },
      renderer: (token) => render((token as MathToken).text, false),
    },
  ],
};
