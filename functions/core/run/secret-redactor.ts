import { secretForms } from './secret-forms.ts';

/** What a secret's value becomes wherever it would have been shown. */
export const secretMark = (name: string) => `[secret:${name}]`;

/** Windows up to this long are scanned directly; longer ones with each form's KMP automaton. */
const DIRECT_SCAN = 1024;

interface Pattern {
  form: string;
  mark: string;
}

interface Match {
  start: number;
  end: number;
  mark: string;
}

/**
 * Replaces every form of the run's secret values (`secretForms`: raw, base64, URL-, JSON-,
 * repr- and HTML-escaped) by `[secret:NAME]`, leftmost first and, where forms overlap, the
 * longest. Built from the values once per task; never logged, never stored.
 */
export class SecretRedactor {
  private readonly patterns: Pattern[];
  private readonly failures: Int32Array[] = [];
  private readonly byFirst = new Map<string, Pattern[]>();
  /** The longest form, in UTF-16 units. */
  readonly longest: number;

  constructor(values: Readonly<Record<string, string>>) {
    const seen = new Set<string>();
    const patterns: Pattern[] = [];
    for (const [name, value] of Object.entries(values)) {
      for (const form of secretForms(value)) {
        if (seen.has(form)) continue;
        seen.add(form);
        patterns.push({ form, mark: secretMark(name) });
      }
    }
    this.patterns = patterns.sort((a, b) => b.form.length - a.form.length);
    for (const p of this.patterns) {
      const list = this.byFirst.get(p.form[0]!) ?? [];
      list.push(p);
      this.byFirst.set(p.form[0]!, list);
    }
    this.longest = this.patterns[0]?.form.length ?? 0;
  }

  /** Whether there is anything to redact at all. */
  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** `text` with every form replaced. */
  redact(text: string): string {
    return this.apply(text, this.matches(text), text.length);
  }

  /** A JSON value with every string in it (keys too) redacted. */
  redactDeep<T>(value: T): T {
    if (this.empty) return value;
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [this.redact(k), this.redactDeep(v)]),
      ) as T;
    }
    return value;
  }

  /**
   * Redacts a text that arrives in pieces (a stream): `push` returns what can be shown now,
   * holding back the shortest tail that a later piece could still complete into a form (and
   * a match it would lengthen); `flush` returns the rest. What is released never changes.
   */
  stream(): { push(text: string): string; flush(): string; held(): string } {
    let held = '';
    return {
      held: () => held,
      push: (text) => {
        const buffer = held + text;
        const matches = this.matches(buffer);
        let cut = this.undecided(buffer);
        const crossing = matches.find((m) => m.start < cut && m.end > cut);
        if (crossing) cut = crossing.start;
        held = buffer.slice(cut);
        return this.apply(buffer, matches, cut);
      },
      flush: () => {
        const rest = this.redact(held);
        held = '';
        return rest;
      },
    };
  }

  /**
   * The first position whose text to the end is a proper prefix of a form (the text's length
   * when none). A long window (a large print, a long value): per form, its KMP automaton run
   * over the text's last `form.length - 1` characters ends in the longest such suffix, linear
   * in that length whatever the value (a repetitive value would make direct tries quadratic).
   */
  private undecided(text: string): number {
    const n = text.length;
    const from = Math.max(0, n - this.longest + 1);
    if (n - from <= DIRECT_SCAN) return this.undecidedDirect(text, from);
    let earliest = n;
    this.patterns.forEach(({ form }, k) => {
      const fail = this.failure(k);
      let q = 0;
      for (let i = Math.max(0, n - form.length + 1); i < n; i++) {
        const c = text.charCodeAt(i);
        while (q > 0 && (q === form.length || form.charCodeAt(q) !== c)) q = fail[q - 1]!;
        if (form.charCodeAt(q) === c) q++;
      }
      if (q === form.length) q = fail[q - 1]!;
      if (q > 0) earliest = Math.min(earliest, n - q);
    });
    return earliest;
  }

  /**
   * The same by trying the forms that begin with each character of a short window: fast on
   * what programs print (few positions begin a form, and those fail within a few characters).
   */
  private undecidedDirect(text: string, from: number): number {
    for (let j = from; j < text.length; j++) {
      const candidates = this.byFirst.get(text[j]!);
      if (!candidates) continue;
      const tail = text.slice(j);
      if (candidates.some((p) => p.form.length > tail.length && p.form.startsWith(tail))) return j;
    }
    return text.length;
  }

  /** KMP's failure function of the k-th form, computed once. */
  private failure(k: number): Int32Array {
    const known = this.failures[k];
    if (known) return known;
    const form = this.patterns[k]!.form;
    const fail = new Int32Array(form.length);
    for (let i = 1, q = 0; i < form.length; i++) {
      while (q > 0 && form.charCodeAt(i) !== form.charCodeAt(q)) q = fail[q - 1]!;
      if (form.charCodeAt(i) === form.charCodeAt(q)) q++;
      fail[i] = q;
    }
    this.failures[k] = fail;
    return fail;
  }

  /** Leftmost-longest, non-overlapping occurrences of the forms. */
  private matches(text: string): Match[] {
    if (this.empty) return [];
    const found: Match[] = [];
    for (const { form, mark } of this.patterns) {
      for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
        found.push({ start: at, end: at + form.length, mark });
      }
    }
    if (found.length === 0) return found;
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const chosen: Match[] = [];
    let position = 0;
    for (const m of found) {
      if (m.start < position) continue;
      chosen.push(m);
      position = m.end;
    }
    return chosen;
  }

  /** `text` up to `until`, with the matches that end there replaced. */
  private apply(text: string, matches: Match[], until: number): string {
    let out = '';
    let position = 0;
    for (const m of matches) {
      if (m.end > until) break;
      out += text.slice(position, m.start) + m.mark;
      position = m.end;
    }
    return out + text.slice(position, until);
  }
}
