import { spawnSync } from 'node:child_process';

/**
 * How Python itself spells a value in the ways a notebook may print it (computed by python3,
 * not by the service's code): `contained` are texts that hold the value somewhere inside
 * (base64 of a longer text, a JSON document), `forms` the spellings of the value alone.
 */
export function pythonSpellings(value: string): {
  forms: Record<string, string>;
  contained: Record<string, string>;
} {
  const script = `
import base64, html, json, sys, urllib.parse
v = sys.stdin.read()
b = v.encode()
forms = {
  "raw": v,
  "base64": base64.b64encode(b).decode(),
  "base64url": base64.urlsafe_b64encode(b).decode(),
  "quote": urllib.parse.quote(v),
  "quote_plus": urllib.parse.quote_plus(v),
  "json": json.dumps(v)[1:-1],
  "json_utf8": json.dumps(v, ensure_ascii=False)[1:-1],
  "repr": repr(v)[1:-1],
  "html": html.escape(v),
}
contained = {
  "b64in1": base64.b64encode(b"x" + b + b"yz").decode(),
  "b64in2": base64.b64encode(b"xy" + b + b"z").decode(),
  "b64in3": base64.b64encode(b"xyz" + b + b"!").decode(),
  "json_doc": json.dumps({"password": v}),
  "repr_list": repr([v]),
}
print(json.dumps({"forms": forms, "contained": contained}))
`;
  const run = spawnSync('python3', ['-c', script], { input: value, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

/** The spellings of `value` found in `text`, by name (none: nothing leaked). */
export function leakedForms(text: string, forms: Record<string, string>): string[] {
  return Object.entries(forms)
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
}
