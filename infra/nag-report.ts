import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One rule's violations: the rule (`AwsSolutions-IAM5`, findings folded in), its level, the resources. */
export interface NagViolation {
  rule: string;
  /** The full id, with the finding (`AwsSolutions-IAM5[Resource::*]`). */
  id: string;
  severity: 'error' | 'warning';
  paths: string[];
}

/** An acknowledgment (suppression) recorded on a construct: which rule, where, why. */
export interface NagAcknowledgment {
  id: string;
  path: string;
  reason: string;
}

/**
 * Applies cdk-nag's `AwsSolutionsChecks` and `ServerlessChecks` to a synthesized construct tree
 * (after `app.synth()`, so every resource and policy is in place) and returns what is left
 * after the acknowledgments: the violations, and every acknowledgment with its reason.
 */
export function nagReport(scope: IConstruct): {
  violations: NagViolation[];
  acknowledgments: NagAcknowledgment[];
} {
  const violations: NagViolation[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    for (const v of pack.validateScope(scope).violations) {
      violations.push({
        rule: v.ruleName.replace(/\[.*$/, ''),
        id: v.ruleName,
        severity: (v.severity === 'error' ? 'error' : 'warning') as 'error' | 'warning',
        paths: v.violatingResources.map((r) => r.constructPath ?? '(unknown)'),
      });
    }
  }
  const acknowledgments: NagAcknowledgment[] = [];
  const visit = (node: IConstruct) => {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [key, value] of Object.entries(entry.data as Record<string, unknown>)) {
        const id = key.replace(/^annotation::/i, '');
        if (!/^(AwsSolutions|Serverless)-/.test(id)) continue; // CDK's own, not cdk-nag's
        const reason =
          typeof value === 'string' ? value : String((value as { reason?: string })?.reason ?? '');
        acknowledgments.push({ id, path: node.node.path, reason });
      }
    }
    for (const child of node.node.children) visit(child);
  };
  visit(scope);
  return { violations, acknowledgments };
}

/** Counts per rule and level: `{ 'error AwsSolutions-IAM5': 12, … }` (each violating resource once). */
export function nagCounts(violations: readonly NagViolation[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of violations)
    counts[`${v.severity} ${v.rule}`] = (counts[`${v.severity} ${v.rule}`] ?? 0) + v.paths.length;
  return counts;
}
