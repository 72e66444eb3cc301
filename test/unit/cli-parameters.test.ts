import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectParameters, parametersJson, typeValue } from '../../cli/cellwise/parameters.ts';
import { tempDir } from '../support/temp-dirs.ts';

const json = (value: unknown) => JSON.stringify(value);

describe('cli parameters', () => {
  it('types -p values the way papermill does', () => {
    expect(json(typeValue('3'))).toBe('3');
    expect(json(typeValue('-007'))).toBe('-7');
    expect(json(typeValue('1.5'))).toBe('1.5');
    expect(json(typeValue('1.0'))).toBe('1.0');
    expect(json(typeValue('2.'))).toBe('2.0');
    expect(json(typeValue('.5'))).toBe('0.5');
    expect(json(typeValue('+1e3'))).toBe('1e3');
    expect(typeValue('true')).toBe(true);
    expect(typeValue('False')).toBe(false);
    expect(typeValue('None')).toBe(null);
    expect(typeValue('abc')).toBe('abc');
    expect(typeValue('')).toBe('');
    expect(typeValue('[draft')).toBe('[draft');
  });

  it('keeps big integers and JSON values exact', () => {
    expect(json(typeValue('123456789012345678901234567890'))).toBe('123456789012345678901234567890');
    expect(json(typeValue('[1, 2.50, {"k": 12345678901234567890}]'))).toBe(
      '[1,2.50,{"k":12345678901234567890}]',
    );
    expect(typeValue('"quoted"')).toBe('quoted');
  });

  it('reads YAML text and files with ints and floats kept apart', () => {
    const dir = tempDir('cli-params-');
    writeFileSync(join(dir, 'p.yaml'), 'n: 1\nx: 1.0\nbig: 98765432109876543210\nlist: [1, 2.5]\nname: hi\n');
    writeFileSync(join(dir, 'p.json'), '{"n": 2, "x": 3.0, "big": 12345678901234567890123}');
    expect(parametersJson(collectParameters({ file: [join(dir, 'p.yaml')] }))).toBe(
      '{"n":1,"x":1.0,"big":98765432109876543210,"list":[1,2.5],"name":"hi"}',
    );
    expect(parametersJson(collectParameters({ file: [join(dir, 'p.json')] }))).toBe(
      '{"n":2,"x":3.0,"big":12345678901234567890123}',
    );
  });

  it('lets -p override -y and -y override -f', () => {
    const dir = tempDir('cli-params-');
    writeFileSync(join(dir, 'p.yml'), 'a: 1\nb: 1\nc: 1\n');
    const merged = collectParameters({ file: [join(dir, 'p.yml')], yaml: ['b: 2\nc: 2'], param: ['c=3'] });
    expect(parametersJson(merged)).toBe('{"a":1,"b":2,"c":3}');
  });

  it('refuses pairs without a name and YAML that is not a mapping', () => {
    expect(() => collectParameters({ param: ['=3'] })).toThrow(/name=value/);
    expect(() => collectParameters({ param: ['novalue'] })).toThrow(/name=value/);
    expect(() => collectParameters({ yaml: ['- 1\n- 2'] })).toThrow(/mapping/);
    expect(() => collectParameters({ yaml: ['a: [1'] })).toThrow(/-y #1/);
    expect(() => collectParameters({ file: ['/nonexistent/p.yaml'] })).toThrow(/cannot read/);
  });
});
