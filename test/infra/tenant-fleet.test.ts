import { App, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostSteps, kernelFleetSizing, MAX_HOSTS } from '../../infra/kernel-fleet.ts';
import { kernelLimitsOf } from '../../infra/kernel-limits.ts';
import { synthesizeRunWorkflow } from '../../infra/run-workflow.ts';
import { type Synthesized, TENANT_ID, type TenantSynth, tenantSynth } from './support/synth.ts';

/*
 * The kernel fleet of the tenant stack: its size, how it scales on demand, the scale-in
 * protection its hosts may set, and the queue sweep that admits runs and publishes demand.
 */

let synth: TenantSynth;

const of = (s: Synthesized, type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};
const logicalId = (s: Synthesized, construct: IConstruct) =>
  s.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const sizing = (context: Record<string, unknown>, props = {}) =>
  kernelFleetSizing(new App({ context }), props, 2048);

describe('kernel fleet sizing', () => {
  it('defaults to 1 to 4 hosts of 2 vCPU and 8 GiB, each holding three kernels of the default 2048 MiB', () => {
    expect(sizing({})).toEqual({
      minHosts: 1,
      maxHosts: 4,
      cpu: 2048,
      memoryMb: 8192,
      arch: 'x86_64',
      hostMemoryMiB: 7680,
      kernelsPerHost: 3,
    });
  });

  it('takes the bounds from the props before the context, and the task size from the context', () => {
    expect(sizing({ minHosts: '2', maxHosts: '8', kernelHostMemoryMb: '16384' })).toMatchObject({
      minHosts: 2,
      maxHosts: 8,
      hostMemoryMiB: 15872,
      kernelsPerHost: 7,
    });
    expect(sizing({ minHosts: '2', maxHosts: '8' }, { minHosts: 0, maxHosts: 3 })).toMatchObject({
      minHosts: 0,
      maxHosts: 3,
    });
    // A minimum above the default maximum raises the maximum with it.
    expect(sizing({ minHosts: '6' })).toMatchObject({ minHosts: 6, maxHosts: 6 });
  });

  it('refuses bounds it cannot scale between, a host that holds no kernel, and the old fixed count', () => {
    for (const [context, message] of [
      [{ minHosts: '3', maxHosts: '2' }, /minHosts \(3\) must not be above maxHosts \(2\)/],
      [{ maxHosts: String(MAX_HOSTS + 1) }, /maxHosts must be at most 39/],
      [{ maxHosts: '0' }, /maxHosts must be an integer >= 1/],
      [{ minHosts: 'many' }, /minHosts must be an integer >= 0/],
      [{ kernelHostMemoryMb: '2048' }, /holds no kernel of the default 2048 MiB/],
      [{ kernelHostCount: '3' }, /kernelHostCount is gone/],
    ] as const) {
      expect(() => sizing(context), JSON.stringify(context)).toThrow(message);
    }
  });

  it('never lets a run ask for more memory than one host has for kernels', () => {
    const app = new App();
    expect(kernelLimitsOf(app, undefined, 7680).max.memoryMiB).toBe(7680);
    expect(kernelLimitsOf(app, undefined, 15872).max.memoryMiB).toBe(8192);
    expect(() => kernelLimitsOf(app, { max: { memoryMiB: 8192 } }, 7680)).toThrow(
      /would fit on no kernel host/,
    );
  });

  it('maps every KernelHostsWanted value to exactly one host count within the bounds', () => {
    expect(hostSteps(1, 4)).toEqual([
      { upper: 1.5, change: 1 },
      { lower: 1.5, upper: 2.5, change: 2 },
      { lower: 2.5, upper: 3.5, change: 3 },
      { lower: 3.5, change: 4 },
    ]);
    expect(hostSteps(0, 1)).toEqual([
      { upper: 0.5, change: 0 },
      { lower: 0.5, change: 1 },
    ]);
    expect(hostSteps(0, MAX_HOSTS)).toHaveLength(40); // step scaling's most
  });
});

describe('TenantStack kernel fleet', () => {
  beforeAll(async () => {
    synth = await tenantSynth();
  }, 600_000);

  it('scales the kernel host service between minHosts and maxHosts on KernelHostsWanted, with exact capacities', () => {
    for (const [s, min, max] of [
      [synth.plain, 1, 4],
      [synth.configured, 0, 6],
    ] as const) {
      const target = only(of(s, 'AWS::ApplicationAutoScaling::ScalableTarget'))[1].Properties!;
      expect(target).toMatchObject({
        MinCapacity: min,
        MaxCapacity: max,
        ScalableDimension: 'ecs:service:DesiredCount',
        ServiceNamespace: 'ecs',
      });
      expect(JSON.stringify(target.ResourceId)).toContain(logicalId(s, s.stack.kernelHost.service));
      const policies = of(s, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => p.Properties!);
      expect(policies.length).toBe(2); // the lower and the upper half of the steps
      const adjustments = policies.flatMap((p) => {
        expect(p.PolicyType).toBe('StepScaling');
        const config = p.StepScalingPolicyConfiguration;
        expect(config).toMatchObject({ AdjustmentType: 'ExactCapacity', MetricAggregationType: 'Maximum' });
        return config.StepAdjustments.map((a: { ScalingAdjustment: number }) => a.ScalingAdjustment);
      });
      expect(adjustments.sort((a: number, b: number) => a - b)).toEqual(
        Array.from({ length: max - min + 1 }, (_, i) => min + i),
      );
      const alarms = of(s, 'AWS::CloudWatch::Alarm')
        .map(([, a]) => a.Properties!)
        .filter((a) => a.MetricName === 'KernelHostsWanted');
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) {
        expect(alarm).toMatchObject({
          Namespace: `Cellwise/${TENANT_ID}`,
          Dimensions: [{ Name: 'service', Value: 'cellwise' }],
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
        });
        expect(alarm.AlarmActions).toHaveLength(1);
      }
    }
  });

  it('keeps a fixed fleet (minHosts = maxHosts) at its size, with no scaling policy', () => {
    const s = synth.existingVpc;
    expect(only(of(s, 'AWS::ECS::Service'))[1].Properties!.DesiredCount).toBe(2);
    expect(only(of(s, 'AWS::ApplicationAutoScaling::ScalableTarget'))[1].Properties).toMatchObject({
      MinCapacity: 2,
      MaxCapacity: 2,
    });
    expect(of(s, 'AWS::ApplicationAutoScaling::ScalingPolicy')).toEqual([]);
  });

  it('sweeps the queue every minute and when a kernel host task starts or stops', () => {
    const s = synth.plain;
    const sweeper = logicalId(s, s.stack.runs.sweeper);
    const rules = of(s, 'AWS::Events::Rule')
      .map(([, r]) => r.Properties!)
      .filter((r) => (r.Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn).includes(sweeper)));
    expect(rules).toHaveLength(2);
    const timer = only(rules.filter((r) => r.ScheduleExpression));
    expect(timer.ScheduleExpression).toBe('rate(1 minute)');
    const onHosts = only(rules.filter((r) => r.EventPattern)).EventPattern;
    expect(onHosts).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [{ 'Fn::GetAtt': [logicalId(s, s.stack.kernelHost.cluster), 'Arn'] }],
        lastStatus: ['RUNNING', 'STOPPED'],
      },
    });
    for (const rule of rules) {
      const target = only(rule.Targets as any[]);
      expect(target.RetryPolicy.MaximumRetryAttempts).toBe(0); // the next sweep redoes a failed one
    }
    const fn = s.resources[sweeper]!.Properties!;
    expect(fn.VpcConfig).toBeDefined();
    expect(fn.Environment.Variables).toMatchObject({
      CELLWISE_KERNEL_FLEET_MIN_HOSTS: '1',
      CELLWISE_KERNEL_FLEET_MAX_HOSTS: '4',
      CELLWISE_KERNELS_PER_HOST: '3',
    });
  });

  it('runs a workflow that never waits for admission: no Wait state, and a requeued run ends its execution', () => {
    const states = synthesizeRunWorkflow().States as Record<string, any>;
    expect(Object.values(states).filter((state) => state.Type === 'Wait')).toEqual([]);
    expect(states.Requeued).toEqual({ Type: 'Succeed' });
    for (const choice of ['Started?', 'MoreCells?']) {
      expect(states[choice].Choices).toContainEqual({
        Variable: '$.step.next',
        StringEquals: 'requeued',
        Next: 'Requeued',
      });
    }
  });
});
