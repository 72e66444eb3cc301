import { describe, expect, it } from 'vitest';
import {
  checkEnvironmentRequest,
  compareVersions,
  type KernelEnvironment,
  notebookEnvironment,
  requireEnvironment,
  satisfies,
} from '../../functions/core/environments.ts';
import { ValidationError } from '../../functions/core/errors.ts';

const python: KernelEnvironment = {
  kernelType: 'python3',
  displayName: 'Python 3',
  language: 'python',
  languageVersion: '3.11.2',
  packages: [
    { name: 'pandas', version: '1.5.3' },
    { name: 'scikit-learn', version: '1.2.1' },
    { name: 'numpy', version: '1.24.2' },
  ],
  customLibraries: [{ name: 'mindzie_sdk', version: '0.1.0' }],
};

describe('unit', () => {
  describe('satisfies', () => {
    it('matches names as pip does and checks one version requirement', () => {
      expect(satisfies('Pandas', python.packages)).toBe(true);
      expect(satisfies('scikit_learn', python.packages)).toBe(true);
      expect(satisfies('pandas>=1.5', python.packages)).toBe(true);
      expect(satisfies('pandas==1.5', python.packages)).toBe(true);
      expect(satisfies('pandas==1.5.3', python.packages)).toBe(true);
      expect(satisfies('pandas<1.5.3', python.packages)).toBe(false);
      expect(satisfies('numpy>1.9', python.packages)).toBe(true);
      expect(satisfies('pandas>=2', python.packages)).toBe(false);
      expect(satisfies('pandas!=1.5.3', python.packages)).toBe(false);
      expect(satisfies('polars', python.packages)).toBe(false);
      expect(satisfies('pandas>=1,<3', python.packages)).toBe(false);
    });

    it('compares versions numerically part by part', () => {
      expect(compareVersions('1.10', '1.9')).toBe(1);
      expect(compareVersions('4.2-1', '4.2')).toBe(1);
      expect(compareVersions('2.0', '2')).toBe(0);
    });
  });

  describe('checks', () => {
    it('names each unknown entry and accepts custom libraries as packages', () => {
      expect(() => checkEnvironmentRequest(python, { packages: ['mindzie-sdk', 'pandas'] })).not.toThrow();
      try {
        checkEnvironmentRequest(python, { packages: ['pandas', 'polars'], customLibraries: ['x'] });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).details.map((d) => d.path)).toEqual([
          'body.environment.packages[1]',
          'body.environment.customLibraries[0]',
        ]);
      }
    });

    it('refuses a kernel type the environments lack, listing those they have', () => {
      expect(() => requireEnvironment([python], 'r')).toThrow(/Available: python3/);
    });

    it('stores the real Python version whatever was requested', () => {
      expect(notebookEnvironment(python, { pythonVersion: '2.7', packages: ['pandas'] })).toEqual({
        pythonVersion: '3.11.2',
        packages: ['pandas'],
        customLibraries: [],
      });
    });
  });
});
