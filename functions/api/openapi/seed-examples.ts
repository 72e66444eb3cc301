/**
 * Request and response examples of the API docs, copied from the API seeds (the documentation the
 * service implements). Keyed by route id; `status` is the response code the example belongs to (else the first 2xx).
 */
export const SEED_EXAMPLES: Readonly<
  Record<string, { request?: unknown; response?: unknown; status?: number }>
> = {
  getNotebook: {
    response: {
      notebookId: 'aa0e8400-e29b-41d4-a716-446655440000',
      projectId: '660e8400-e29b-41d4-a716-446655440000',
      notebookName: 'Process Mining Analysis',
      notebookDescription: 'Benutzerdefinierte Analyse zur Optimierung der Customer Journey',
      notebookVersion: '1.3.2',
      kernelType: 'python3',
      status: 'Ready',
      integration: {
        enrichmentMode: true,
        datasetBinding: '880e8400-e29b-41d4-a716-446655440000',
        outputFormat: 'enriched_dataframe',
        autoExecution: false,
      },
      cells: [
        {
          cellId: 'cell-001',
          cellType: 'code',
          executionCount: 15,
          hasOutput: true,
          lastExecuted: '2024-01-20T10:30:00Z',
          executionStatus: 'Success',
        },
        {
          cellId: 'cell-002',
          cellType: 'markdown',
          lastModified: '2024-01-19T14:20:00Z',
        },
      ],
      environment: {
        pythonVersion: '3.9.18',
        packages: ['pandas', 'numpy', 'scikit-learn', 'mindzie-sdk'],
        customLibraries: ['process_mining_utils', 'customer_analytics'],
      },
      dateCreated: '2024-01-15T10:30:00Z',
      dateModified: '2024-01-20T10:30:00Z',
      createdBy: 'user123',
      lastExecutionDate: '2024-01-20T10:30:00Z',
      executionCount: 47,
    },
    status: 200,
  },
  listNotebooks: {
    response: {
      notebooks: [
        {
          notebookId: 'aa0e8400-e29b-41d4-a716-446655440000',
          notebookName: 'Process Mining Analysis',
          kernelType: 'python3',
          status: 'Ready',
          enrichmentMode: true,
          cellCount: 12,
          lastExecutionDate: '2024-01-20T10:30:00Z',
          dateCreated: '2024-01-15T10:30:00Z',
        },
      ],
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
        datasetBinding: '880e8400-e29b-41d4-a716-446655440000',
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
      parameters: {
        dataset_id: '880e8400-e29b-41d4-a716-446655440000',
        analysis_period: '2024-01',
        include_weekends: false,
      },
      outputOptions: {
        captureOutputs: true,
        saveIntermediateResults: true,
        generateReport: true,
      },
      timeout: 1800,
      priority: 'Normal',
    },
    response: {
      executionId: 'bb0e8400-e29b-41d4-a716-446655440000',
      notebookId: 'aa0e8400-e29b-41d4-a716-446655440000',
      status: 'Running',
      startTime: '2024-01-20T10:30:00Z',
      estimatedDuration: '15-20 minutes',
      currentCell: 'cell-003',
      progress: {
        totalCells: 12,
        completedCells: 2,
        currentCellIndex: 3,
        percentComplete: 17,
      },
      parameters: {
        dataset_id: '880e8400-e29b-41d4-a716-446655440000',
        analysis_period: '2024-01',
        include_weekends: false,
      },
    },
  },
  getExecution: {
    response: {
      executionId: 'bb0e8400-e29b-41d4-a716-446655440000',
      notebookId: 'aa0e8400-e29b-41d4-a716-446655440000',
      status: 'Completed',
      startTime: '2024-01-20T10:30:00Z',
      endTime: '2024-01-20T10:47:00Z',
      totalDuration: '17 minutes',
      progress: {
        totalCells: 12,
        completedCells: 12,
        successfulCells: 11,
        failedCells: 1,
        percentComplete: 100,
      },
      cellResults: [
        {
          cellId: 'cell-001',
          status: 'Success',
          executionTime: '0.5 seconds',
          hasOutput: false,
        },
        {
          cellId: 'cell-002',
          status: 'Success',
          executionTime: '3.2 seconds',
          hasOutput: true,
          outputType: 'display_data',
        },
        {
          cellId: 'cell-003',
          status: 'Error',
          executionTime: '1.1 seconds',
          errorType: 'KeyError',
          errorMessage: "'customer_id' Spalte wurde im Datensatz nicht gefunden",
        },
      ],
      outputs: {
        dataFrames: 3,
        plots: 5,
        models: 2,
        enrichedData: {
          recordCount: 15420,
          newColumns: ['customer_segment', 'journey_score', 'anomaly_flag'],
        },
      },
      resources: {
        peakMemoryUsage: '2.3 GB',
        cpuTime: '8.5 minutes',
        diskUsage: '450 MB',
      },
    },
  },
  getExecutionResults: {
    response: {
      executionId: 'bb0e8400-e29b-41d4-a716-446655440000',
      status: 'Completed',
      outputs: [
        {
          cellId: 'cell-002',
          outputType: 'display_data',
          contentType: 'text/html',
          title: 'Datensatzübersicht',
          content: '<div>Datensatz enthält 15.420 Einträge...</div>',
          downloadUrl: 'https://api.mindzie.com/downloads/cell-002-bb0e8400.html',
        },
        {
          cellId: 'cell-005',
          outputType: 'image/png',
          title: 'Customer Journey Flussdiagramm',
          dimensions: {
            width: 800,
            height: 600,
          },
          downloadUrl: 'https://api.mindzie.com/downloads/cell-005-bb0e8400.png',
        },
        {
          cellId: 'cell-008',
          outputType: 'application/json',
          title: 'Process Mining Metriken',
          content: {
            avgCycleTime: '4.2 Stunden',
            bottleneckActivities: ['Review Application', 'Manager Approval'],
            processEfficiency: 78.5,
            customerSatisfactionScore: 8.2,
          },
          downloadUrl: 'https://api.mindzie.com/downloads/cell-008-bb0e8400.json',
        },
      ],
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
    },
  },
  updateNotebook: {
    request: {
      notebookName: 'Advanced Customer Analytics v2',
      notebookDescription: 'Verbesserte ML-Modelle mit Echtzeit-Vorhersagefunktionen',
      integration: {
        enrichmentMode: true,
        datasetBinding: '880e8400-e29b-41d4-a716-446655440000',
        outputFormat: 'enriched_dataframe',
        autoExecution: true,
        scheduleExecution: '0 2 * * *',
      },
      environment: {
        packages: ['pandas', 'numpy', 'scikit-learn', 'tensorflow', 'matplotlib'],
        customLibraries: ['process_mining_utils', 'ml_models'],
      },
    },
    response: {
      Error: 'CONFLICT',
      Message: 'Notebook was modified by another user since you last fetched it',
      YourDateModified: '2024-01-20T14:45:00Z',
      CurrentDateModified: '2024-01-21T09:30:00Z',
      ModifiedBy: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      Resolution: 'GET /api/{tenantId}/{projectId}/notebook/{notebookId} to fetch current state, then retry',
    },
    status: 200,
  },
  deleteNotebook: {
    response: {
      Message: 'Notebook successfully deleted',
      NotebookId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    },
    status: 200,
  },
  listInvestigationNotebooks: {
    response: [
      {
        notebookId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        investigationId: '11111111-2222-3333-4444-555555555555',
        name: 'Main',
        description: 'Primary analysis notebook',
        dateCreated: '2024-01-15T10:30:00Z',
        dateModified: '2024-01-20T14:45:00Z',
        createdBy: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
        modifiedBy: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
        notebookType: 0,
        notebookOrder: 1,
        lastExecutionDuration: 2.5,
        blockCount: 12,
      },
      {
        notebookId: 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff',
        investigationId: '11111111-2222-3333-4444-555555555555',
        name: 'Variant Analysis',
        description: 'Process variant exploration',
        dateCreated: '2024-01-16T09:00:00Z',
        dateModified: '2024-01-18T11:30:00Z',
        createdBy: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
        modifiedBy: null,
        notebookType: 0,
        notebookOrder: 2,
        lastExecutionDuration: 1.2,
        blockCount: 8,
      },
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
      notebookId: 'cccccccc-dddd-eeee-ffff-000000000000',
      investigationId: '11111111-2222-3333-4444-555555555555',
      name: 'Process Analysis',
      description: 'Detailed process analysis workflow',
      dateCreated: '2024-03-01T10:00:00Z',
      dateModified: '2024-03-01T10:00:00Z',
      createdBy: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      modifiedBy: null,
      notebookType: 0,
      notebookOrder: 3,
      lastExecutionDuration: 0,
      blockCount: 0,
    },
    status: 201,
  },
  createNotebookFromTemplate: {
    request: {
      templateId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      name: 'Process Discovery Analysis',
      description: 'Analysis using Process Discovery template',
    },
    response: {
      Error: 'Template not found',
    },
    status: 201,
  },
  copyNotebook: {
    request: {
      name: 'Copy of Main Analysis',
      destinationInvestigationId: '22222222-3333-4444-5555-666666666666',
    },
  },
  getNotebookUrl: {
    response: {
      notebookId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      url: 'https://your-mindzie-instance.com/investigation/12345678/87654321/11111111/notebook/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      relativePath: '/investigation/12345678/87654321/11111111/notebook/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
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
