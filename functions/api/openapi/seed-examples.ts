/**
 * Request and response examples of the API docs, copied from the API seeds (the documentation the
 * service implements) and completed to what this service answers: every field its response
 * schema requires, GUIDs that are GUIDs, error examples under their error status. Keyed by
 * route id; `status` is the response code the example belongs to (else the first 2xx).
 * `test/integration/openapi.test.ts` validates each against its route's schema in the document.
 */

const NOTEBOOK_ID = 'aa0e8400-e29b-41d4-a716-446655440000';
const PROJECT_ID = '660e8400-e29b-41d4-a716-446655440000';
const EXECUTION_ID = 'bb0e8400-e29b-41d4-a716-446655440000';
const DATASET_ID = '880e8400-e29b-41d4-a716-446655440000';
/** The management seed's investigation and notebooks (its ids made RFC 9562 GUIDs). */
const INVESTIGATION_ID = '11111111-2222-4333-8444-555555555555';
const USER_ID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
/** `outputs.dropped` of a run that kept every output. */
const NOTHING_DROPPED = { outputs: 0, truncated: 0, bytes: 0, reasons: [], cells: [] };

const SEED_PARAMETERS = {
  dataset_id: DATASET_ID,
  analysis_period: '2024-01',
  include_weekends: false,
};

/** The seed's first two cell results (the running and the completed run show them alike). */
const SEED_CELL_RESULTS = [
  {
    cellId: 'cell-001',
    status: 'Success',
    executionTime: '0.5 seconds',
    executionTimeMs: 500,
    executionCount: 1,
    hasOutput: false,
    outputType: null,
    outputCount: 0,
    errorType: null,
    errorMessage: null,
  },
  {
    cellId: 'cell-002',
    status: 'Success',
    executionTime: '3.2 seconds',
    executionTimeMs: 3200,
    executionCount: 2,
    hasOutput: true,
    outputType: 'display_data',
    outputCount: 1,
    errorType: null,
    errorMessage: null,
  },
];

/** The fields of a notebook listing entry (routes 1 and 2). */
const summary = {
  notebookId: NOTEBOOK_ID,
  projectId: PROJECT_ID,
  investigationId: INVESTIGATION_ID,
  notebookName: 'Process Mining Analysis',
  name: 'Process Mining Analysis',
  notebookDescription: 'Benutzerdefinierte Analyse zur Optimierung der Customer Journey',
  description: 'Benutzerdefinierte Analyse zur Optimierung der Customer Journey',
  notebookVersion: '1.3.2',
  kernelType: 'python3',
  status: 'Ready',
  enrichmentMode: true,
  notebookType: 0,
  notebookOrder: 1,
  cellCount: 12,
  blockCount: 12,
  lastExecutionDuration: 1020,
  lastExecutionDate: '2024-01-20T10:30:00Z',
  executionCount: 47,
  dateCreated: '2024-01-15T10:30:00Z',
  dateModified: '2024-01-20T10:30:00Z',
  createdBy: USER_ID,
  modifiedBy: USER_ID,
};

/** The management seed's investigation notebooks (route 2), in this service's listing shape. */
const investigationNotebook = (fields: {
  notebookId: string;
  name: string;
  description: string;
  dateCreated: string;
  dateModified: string;
  modifiedBy: string | null;
  notebookOrder: number;
  lastExecutionDuration: number;
  blockCount: number;
}) => ({
  ...summary,
  ...fields,
  notebookName: fields.name,
  notebookDescription: fields.description,
  notebookVersion: '1.0.0',
  enrichmentMode: false,
  cellCount: fields.blockCount,
  lastExecutionDate: fields.lastExecutionDuration > 0 ? fields.dateModified : null,
  executionCount: fields.lastExecutionDuration > 0 ? 1 : 0,
});

export const SEED_EXAMPLES: Readonly<
  Record<string, { request?: unknown; response?: unknown; status?: number }>
> = {
  getNotebook: {
    response: {
      ...summary,
      cellCount: 2,
      blockCount: 2,
      integration: {
        enrichmentMode: true,
        datasetBinding: DATASET_ID,
        outputFormat: 'enriched_dataframe',
        autoExecution: false,
        scheduleExecution: null,
        scheduleTimezone: 'UTC',
        scheduleParameters: {},
        scheduleStrictParameters: null,
        scheduleRetry: null,
        scheduleSecrets: null,
        nextScheduledRuns: [],
      },
      environment: {
        pythonVersion: '3.9.18',
        packages: ['pandas', 'numpy', 'scikit-learn', 'mindzie-sdk'],
        customLibraries: ['process_mining_utils', 'customer_analytics'],
      },
      cells: [
        {
          cellId: 'cell-001',
          cellType: 'code',
          source: 'import pandas as pd\nimport numpy as np\nfrom mindzie_sdk import ProcessMiningClient',
          executionCount: 15,
          hasOutput: true,
          lastExecuted: '2024-01-20T10:30:00Z',
          executionStatus: 'Success',
          lastModified: '2024-01-19T14:20:00Z',
          tags: [],
        },
        {
          cellId: 'cell-002',
          cellType: 'markdown',
          source: '# Customer Journey\n\nDurchlaufzeiten und Engpässe je Kundensegment.',
          executionCount: null,
          hasOutput: false,
          lastExecuted: null,
          executionStatus: null,
          lastModified: '2024-01-19T14:20:00Z',
          tags: [],
        },
      ],
    },
    status: 200,
  },
  listNotebooks: {
    response: {
      notebooks: [summary],
      totalCount: 8,
      page: 1,
      pageSize: 20,
      hasNextPage: false,
    },
  },
  createNotebook: {
    request: {
      notebookName: 'Advanced Customer Analytics',
      notebookDescription: 'Machine-Learning-Modelle zur Vorhersage des Kundenverhaltens',
      kernelType: 'python3',
      template: 'process_mining_starter',
      integration: {
        enrichmentMode: true,
        datasetBinding: DATASET_ID,
        outputFormat: 'enriched_dataframe',
        autoExecution: false,
      },
      environment: {
        packages: ['pandas', 'numpy', 'scikit-learn', 'matplotlib', 'seaborn'],
        customLibraries: ['process_mining_utils'],
      },
      initialCells: [
        {
          cellType: 'markdown',
          content:
            '# Customer Analytics Notebook\n\nDieses Notebook analysiert Daten zur Customer Journey mit Prozess-Mining-Techniken.',
        },
        {
          cellType: 'code',
          content:
            'import pandas as pd\nimport numpy as np\nfrom mindzie_sdk import ProcessMiningClient\n\n# Initialisiere mindzie client\nclient = ProcessMiningClient()',
        },
      ],
    },
  },
  executeNotebook: {
    request: {
      executionMode: 'all',
      cellRange: {
        startCell: 'cell-001',
        endCell: 'cell-010',
      },
      parameters: SEED_PARAMETERS,
      outputOptions: {
        captureOutputs: true,
        saveIntermediateResults: true,
        generateReport: true,
      },
      timeout: 1800,
      priority: 'Normal',
    },
    response: {
      executionId: EXECUTION_ID,
      notebookId: NOTEBOOK_ID,
      notebookVersion: '1.3.2',
      status: 'Running',
      trigger: 'api',
      scheduledFor: null,
      resumedFrom: null,
      attempt: 1,
      previousAttemptId: null,
      nextAttemptId: null,
      priority: 'Normal',
      dateCreated: '2024-01-20T10:29:59Z',
      startTime: '2024-01-20T10:30:00Z',
      endTime: null,
      totalDuration: null,
      totalDurationSeconds: null,
      executionMode: 'all',
      estimatedDuration: '15-20 minutes',
      estimatedDurationSeconds: 1050,
      currentCell: 'cell-003',
      progress: {
        totalCells: 12,
        completedCells: 2,
        successfulCells: 2,
        failedCells: 0,
        skippedCells: 0,
        currentCellIndex: 3,
        percentComplete: 17,
      },
      cellResults: SEED_CELL_RESULTS,
      outputs: { total: 1, dataFrames: 0, plots: 0, models: 0, enrichedData: null, dropped: NOTHING_DROPPED },
      resources: null,
      resourceLimits: { memoryMiB: 2048, processes: 256, diskMiB: 1024 },
      kernelHost: 'f3a1c2d94b7e4e0a9c1d2e3f4a5b6c7d',
      error: null,
      parameters: SEED_PARAMETERS,
      timeout: 1800,
      cellTimeout: null,
      keepKernelSeconds: 300,
      allowErrors: false,
      retry: null,
      secrets: [],
      replayedCells: [],
      queuePosition: null,
    },
    status: 202,
  },
  getExecution: {
    response: {
      executionId: EXECUTION_ID,
      notebookId: NOTEBOOK_ID,
      notebookVersion: '1.3.2',
      status: 'Completed',
      trigger: 'api',
      scheduledFor: null,
      resumedFrom: null,
      attempt: 1,
      previousAttemptId: null,
      nextAttemptId: null,
      priority: 'Normal',
      dateCreated: '2024-01-20T10:29:59Z',
      startTime: '2024-01-20T10:30:00Z',
      endTime: '2024-01-20T10:47:00Z',
      totalDuration: '17 minutes',
      totalDurationSeconds: 1020,
      executionMode: 'all',
      estimatedDuration: null,
      estimatedDurationSeconds: null,
      currentCell: null,
      progress: {
        totalCells: 12,
        completedCells: 12,
        successfulCells: 11,
        failedCells: 1,
        skippedCells: 0,
        currentCellIndex: null,
        percentComplete: 100,
      },
      cellResults: [
        ...SEED_CELL_RESULTS,
        {
          cellId: 'cell-003',
          status: 'Error',
          executionTime: '1.1 seconds',
          executionTimeMs: 1100,
          executionCount: 3,
          hasOutput: true,
          outputType: 'error',
          outputCount: 1,
          errorType: 'KeyError',
          errorMessage: "'customer_id' Spalte wurde im Datensatz nicht gefunden",
        },
      ],
      outputs: {
        total: 14,
        dataFrames: 3,
        plots: 5,
        models: 2,
        enrichedData: {
          recordCount: 15420,
          newColumns: ['customer_segment', 'journey_score', 'anomaly_flag'],
        },
        dropped: NOTHING_DROPPED,
      },
      resources: {
        peakMemoryUsage: '2.3 GB',
        cpuTime: '8.5 minutes',
        diskUsage: '450 MB',
        peakMemoryBytes: 2469606195,
        cpuTimeSeconds: 510,
        peakDiskUsage: '620 MB',
        peakDiskBytes: 650117120,
        diskUsageBytes: 471859200,
      },
      // The seed's run peaked at 2.3 GB: it asked for more than the default 2048 MiB.
      resourceLimits: { memoryMiB: 4096, processes: 256, diskMiB: 1024 },
      kernelHost: 'f3a1c2d94b7e4e0a9c1d2e3f4a5b6c7d',
      error: null,
      parameters: SEED_PARAMETERS,
      timeout: 1800,
      cellTimeout: null,
      keepKernelSeconds: 300,
      allowErrors: false,
      retry: null,
      secrets: [],
      replayedCells: [],
      queuePosition: null,
    },
  },
  getExecutionResults: {
    response: {
      executionId: EXECUTION_ID,
      notebookId: NOTEBOOK_ID,
      status: 'Completed',
      format: 'detailed',
      outputType: 'all',
      page: 1,
      pageSize: 1000,
      hasNextPage: false,
      dropped: NOTHING_DROPPED,
      counts: { outputs: 3, streams: 0, errors: 0, plots: 1, dataFrames: 0 },
      outputs: [
        {
          cellId: 'cell-002',
          outputIndex: 0,
          outputType: 'display_data',
          contentType: 'text/html',
          mimeTypes: ['text/html', 'text/plain'],
          bytes: 46,
          title: 'Datensatzübersicht',
          content: '<div>Datensatz enthält 15.420 Einträge...</div>',
          truncated: false,
          downloadUrl: 'https://api.mindzie.com/downloads/cell-002-bb0e8400.html',
        },
        {
          cellId: 'cell-005',
          outputIndex: 0,
          outputType: 'display_data',
          contentType: 'image/png',
          mimeTypes: ['image/png', 'text/plain'],
          bytes: 48213,
          title: 'Customer Journey Flussdiagramm',
          dimensions: {
            width: 800,
            height: 600,
          },
          downloadUrl: 'https://api.mindzie.com/downloads/cell-005-bb0e8400.png',
        },
        {
          cellId: 'cell-008',
          outputIndex: 0,
          outputType: 'display_data',
          contentType: 'application/json',
          mimeTypes: ['application/json', 'text/plain'],
          bytes: 164,
          title: 'Process Mining Metriken',
          content: {
            avgCycleTime: '4.2 Stunden',
            bottleneckActivities: ['Review Application', 'Manager Approval'],
            processEfficiency: 78.5,
            customerSatisfactionScore: 8.2,
          },
          truncated: false,
          downloadUrl: 'https://api.mindzie.com/downloads/cell-008-bb0e8400.json',
        },
      ],
      skipped: [],
      enrichedDatasets: [
        {
          name: 'customer_journey_enhanced',
          recordCount: 15420,
          newColumns: ['customer_segment', 'journey_score', 'anomaly_flag'],
          format: 'pandas_dataframe',
          downloadUrl: 'https://api.mindzie.com/downloads/enriched-bb0e8400.csv',
        },
      ],
      models: [
        {
          name: 'customer_churn_predictor',
          modelType: 'RandomForestClassifier',
          accuracy: 0.87,
          features: ['journey_score', 'cycle_time', 'touchpoint_count'],
          downloadUrl: 'https://api.mindzie.com/downloads/model-bb0e8400.pkl',
        },
      ],
      reports: [
        {
          name: 'Customer Analytics Summary',
          format: 'html',
          downloadUrl: 'https://api.mindzie.com/downloads/report-bb0e8400.html',
        },
      ],
      executedNotebook: {
        format: 'ipynb',
        downloadUrl: 'https://api.mindzie.com/downloads/bb0e8400.ipynb',
      },
    },
  },
  updateNotebook: {
    request: {
      notebookName: 'Advanced Customer Analytics v2',
      notebookDescription: 'Verbesserte ML-Modelle mit Echtzeit-Vorhersagefunktionen',
      dateModified: '2024-01-20T14:45:00Z',
      integration: {
        enrichmentMode: true,
        datasetBinding: DATASET_ID,
        outputFormat: 'enriched_dataframe',
        autoExecution: true,
        scheduleExecution: '0 2 * * *',
      },
      environment: {
        packages: ['pandas', 'numpy', 'scikit-learn', 'tensorflow', 'matplotlib'],
        customLibraries: ['process_mining_utils', 'ml_models'],
      },
    },
    // The seed's example answer is the optimistic-lock conflict.
    response: {
      Error: 'CONFLICT',
      Message: 'Notebook was modified by another user since you last fetched it',
      NotebookId: NOTEBOOK_ID,
      YourDateModified: '2024-01-20T14:45:00Z',
      CurrentDateModified: '2024-01-21T09:30:00Z',
      ModifiedBy: USER_ID,
      Resolution: 'GET /api/{tenantId}/{projectId}/notebook/{notebookId} to fetch current state, then retry',
    },
    status: 409,
  },
  deleteNotebook: {
    response: {
      Message: 'Notebook successfully deleted',
      NotebookId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    },
    status: 200,
  },
  listInvestigationNotebooks: {
    response: [
      investigationNotebook({
        notebookId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
        name: 'Main',
        description: 'Primary analysis notebook',
        dateCreated: '2024-01-15T10:30:00Z',
        dateModified: '2024-01-20T14:45:00Z',
        modifiedBy: USER_ID,
        notebookOrder: 1,
        lastExecutionDuration: 2.5,
        blockCount: 12,
      }),
      investigationNotebook({
        notebookId: 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff',
        name: 'Variant Analysis',
        description: 'Process variant exploration',
        dateCreated: '2024-01-16T09:00:00Z',
        dateModified: '2024-01-18T11:30:00Z',
        modifiedBy: null,
        notebookOrder: 2,
        lastExecutionDuration: 1.2,
        blockCount: 8,
      }),
    ],
    status: 200,
  },
  createInvestigationNotebook: {
    request: {
      name: 'Process Analysis',
      description: 'Detailed process analysis workflow',
      notebookType: 0,
    },
    response: {
      ...investigationNotebook({
        notebookId: 'cccccccc-dddd-4eee-8fff-000000000000',
        name: 'Process Analysis',
        description: 'Detailed process analysis workflow',
        dateCreated: '2024-03-01T10:00:00Z',
        dateModified: '2024-03-01T10:00:00Z',
        modifiedBy: null,
        notebookOrder: 3,
        lastExecutionDuration: 0,
        blockCount: 0,
      }),
      integration: {
        enrichmentMode: false,
        datasetBinding: null,
        outputFormat: null,
        autoExecution: false,
        scheduleExecution: null,
        scheduleTimezone: 'UTC',
        scheduleParameters: {},
        scheduleStrictParameters: null,
        scheduleRetry: null,
        scheduleSecrets: null,
        nextScheduledRuns: [],
      },
      environment: { pythonVersion: '3.11.2', packages: [], customLibraries: [] },
      cells: [],
    },
    status: 201,
  },
  createNotebookFromTemplate: {
    request: {
      templateId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      name: 'Process Discovery Analysis',
      description: 'Analysis using Process Discovery template',
    },
    // The seed's example answer is the unknown template.
    response: {
      Error: 'Template not found',
      Message: 'Template not found',
      TemplateId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    },
    status: 404,
  },
  copyNotebook: {
    request: {
      name: 'Copy of Main Analysis',
      destinationInvestigationId: '22222222-3333-4444-5555-666666666666',
    },
  },
  getNotebookUrl: {
    response: {
      notebookId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      url: `https://your-mindzie-instance.com/investigation/12345678-aaaa-4bbb-8ccc-1234567890ab/${PROJECT_ID}/${INVESTIGATION_ID}/notebook/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`,
      relativePath: `/investigation/12345678-aaaa-4bbb-8ccc-1234567890ab/${PROJECT_ID}/${INVESTIGATION_ID}/notebook/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`,
      expiresAt: null,
    },
    status: 200,
  },
};

type Json = Record<string, unknown>;

/** Puts a route's seed examples on its OpenAPI operation (JSON request body, success response). */
export function addSeedExamples(routeId: string, operation: Json): void {
  const seed = SEED_EXAMPLES[routeId];
  if (!seed) return;
  const json = (content: unknown) => (content as Record<string, Json> | undefined)?.['application/json'];
  const body = json((operation.requestBody as Json | undefined)?.content);
  if (seed.request !== undefined && body) body.example = seed.request;
  const responses = (operation.responses ?? {}) as Record<string, Json>;
  const code = seed.status ? String(seed.status) : Object.keys(responses).find((c) => c.startsWith('2'));
  const response = code ? json(responses[code]?.content) : undefined;
  if (seed.response !== undefined && response) response.example = seed.response;
}
