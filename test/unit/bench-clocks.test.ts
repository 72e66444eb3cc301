import { describe, expect, it } from 'vitest';
import { clockedTrivialNotebook, clockSpanMs, trivialNotebook } from '../../bench/engine/notebooks.ts';

describe('unit', () => {
  describe('the engine benchmark clocks', () => {
    it('prints the kernel clock at the end of the first cell and the start of the last, the rest as trivialNotebook', () => {
      const clocked = clockedTrivialNotebook(200);
      const plain = trivialNotebook(200);
      expect(clocked.cells).toHaveLength(200);
      expect(clocked.cells[0]!.source).toMatch(
        /^import time\nx = 0\nprint\(f"clock \{time\.time\(\):\.6f\}"\)$/,
      );
      expect(clocked.cells[199]!.source).toMatch(
        /^print\(f"clock \{time\.time\(\):\.6f\}"\)\nx = 199\nprint\(x\)$/,
      );
      expect(clocked.cells.slice(1, 199)).toEqual(plain.cells.slice(1, 199));
    });

    it('measures the span between the first and last clock printed, null with fewer than two', () => {
      expect(clockSpanMs('clock 1765100000.250000\n0\n9\nclock 1765100000.843500\n')).toBeCloseTo(593.5, 3);
      expect(
        clockSpanMs('{"text":"clock 1765100000.250000\\n"}\n{"text":"clock 1765100001.000000\\n"}'),
      ).toBeCloseTo(750, 3);
      expect(clockSpanMs('clock 1765100000.250000\n')).toBeNull();
      expect(clockSpanMs('')).toBeNull();
    });
  });
});
