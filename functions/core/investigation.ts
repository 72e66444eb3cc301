import type { Scope } from './notebook.ts';

export interface InvestigationRecord extends Scope {
  investigationId: string;
  name: string;
  description: string | null;
  isDefault: boolean;
  dateCreated: string;
  createdBy: string;
}

export const DEFAULT_INVESTIGATION_NAME = 'Default';

export function toInvestigationResource(r: InvestigationRecord) {
  return {
    investigationId: r.investigationId,
    projectId: r.projectId,
    name: r.name,
    description: r.description,
    isDefault: r.isDefault,
    dateCreated: r.dateCreated,
    createdBy: r.createdBy,
  };
}
