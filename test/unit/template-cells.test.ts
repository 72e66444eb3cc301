import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_COLUMNS } from '../../functions/core/demo/loan-log.ts';
import { findTemplate } from '../../functions/core/templates.ts';
import { runPython, stagedDemoDir, templateScript } from '../support/template-script.ts';

/**
 * The process-mining templates' code, run as one script by Debian's python3 with the real SDK,
 * in a directory staged like a run's kernel directory with the demo log as the run's dataset.
 * (test/integration/templates.test.ts runs them as notebooks through the whole stack.)
 */
const dir = stagedDemoDir();
const outbox = (file: string) => join(dir, '.cellwise', 'outbox', file);
const manifest = (file: string) => JSON.parse(readFileSync(outbox(file), 'utf8'));
const BASE = DEMO_COLUMNS;

function run(slug: string, parameters?: Record<string, string>) {
  const result = runPython(templateScript(slug, parameters), dir);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('unit', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the fixed ids and slugs, and names the customer-journey template', () => {
    expect(findTemplate('process_mining_starter')?.templateId).toBe('3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e01');
    expect(findTemplate('variant_analysis')?.templateId).toBe('3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e02');
    expect(findTemplate('blank_python')?.templateId).toBe('3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e03');
    expect(findTemplate('customer_journey_enrichment')?.templateId).toBe(
      '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e04',
    );
  });

  it('runs process_mining_starter on the demo log and publishes its enriched frame', () => {
    const out = run('process_mining_starter');
    expect(out).toContain("'cases': 1720");
    const frame = manifest('frame-process_mining_starter_enriched.json');
    expect(frame).toMatchObject({ recordCount: 15_020 });
    expect(frame.columns).toEqual([...BASE, 'case_events', 'cycle_time_hours', 'variant_rank']);
  }, 120_000);

  it('filters process_mining_starter to the analysis_period parameter', () => {
    const out = run('process_mining_starter', { analysis_period: "'2024-03'" });
    const cases = Number(/'cases': (\d+)/.exec(out)?.[1]);
    expect(cases).toBeGreaterThan(200);
    expect(cases).toBeLessThan(400);
  }, 120_000);

  it('runs variant_analysis on the demo log and reports its coverage', () => {
    const out = run('variant_analysis');
    expect(out).toMatch(/\d+ variants; the \d+ most frequent cover 80% of the 1720 cases/);
    expect(out).toContain("'variants_for_80_percent'");
  }, 120_000);

  it('runs customer_journey_enrichment: logs the classifier with its accuracy and publishes the new columns', () => {
    run('customer_journey_enrichment');
    const model = manifest('model-customer_churn_predictor.json');
    expect(model).toMatchObject({
      modelType: 'RandomForestClassifier',
      features: ['journey_score', 'cycle_time', 'touchpoint_count'],
    });
    expect(model.metrics.accuracy).toBeGreaterThan(0.6);
    expect(model.metrics.accuracy).toBeLessThanOrEqual(1);
    const frame = manifest('frame-customer_journey_enhanced.json');
    expect(frame.recordCount).toBe(15_020);
    expect(frame.columns).toEqual([...BASE, 'customer_segment', 'journey_score', 'anomaly_flag']);
  }, 120_000);
});
