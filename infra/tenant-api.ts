import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AUTHORIZER_ENTRY, ROUTES, type RouteDefinition } from './routes.ts';
import type { MakeFunction } from './tenant-function.ts';

/** Why each route without the authorizer is public (the contract says so); AwsSolutions-APIG4. */
export const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  health: 'GET /health is the public health check (API.md): it answers ok or what is down, no tenant data',
  getOpenApi: 'GET /api/openapi.json is the public API description (API.md): the same document for everyone',
  viewApiDocs: 'GET /api/docs is the public API reference page, a static shell over the OpenAPI document',
  getStaticAsset: "GET /static/{asset} serves the pages' own JavaScript and CSS bundles, public by design",
  viewNotebookPage:
    "The viewer page's static shell (API.md: it needs no token): it only checks the notebook exists in that project and investigation; its data comes from the JSON API with a token or a signed link",
};

/** API Gateway HTTP APIs stop waiting for an integration after 30 s. */
export const DEFAULT_TIMEOUT_SECONDS = 29;
const DEFAULT_MEMORY_MB = 512;

export interface TenantApiProps {
  tenantId: string;
  makeFunction: MakeFunction;
  accessLogs: ILogGroup;
  /** The authorizer's variables (the link signing key secret) and its grants. */
  authorizer: {
    environment: Record<string, string>;
    grant: (fn: NodejsFunction) => void;
    permissions: string;
  };
  /** Each route's own variables, grants and placement (from what the manifest says it uses). */
  route: (route: RouteDefinition) => {
    environment: Record<string, string>;
    permissions: string;
    grant: (fn: NodejsFunction) => void;
    inVpc: boolean;
    afterBundling?: (outputDir: string) => string[];
  };
  network: Parameters<MakeFunction>[2]['network'];
}

/** What `addTenantApi` made. */
export interface TenantApi {
  api: HttpApi;
  authorizerFunction: NodejsFunction;
  functions: ReadonlyMap<string, NodejsFunction>;
}

/**
 * Adds the tenant's HTTP API to `scope`: one Lambda per manifest route, the Lambda authorizer
 * on the routes that need a caller, throttling and JSON access logs on the default stage.
 * The authorizer's identity source is the Authorization header: a request without one is
 * refused by API Gateway itself (`401 {"message":"Unauthorized"}`), and a token the authorizer cannot
 * resolve is denied (`403 {"message":"Forbidden"}`); either way no route Lambda runs. Its
 * results are not cached by API Gateway (a revoked token must stop working; the authorizer
 * caches lookups for `AUTH_CACHE_SECONDS` itself).
 */
export function addTenantApi(scope: Construct, props: TenantApiProps): TenantApi {
  const { tenantId, makeFunction } = props;
  const api = new HttpApi(scope, 'HttpApi', {
    apiName: `cellwise-${tenantId}`,
    description: `Cellwise REST API for tenant ${tenantId}`,
    createDefaultStage: false,
  });
  api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: 100, burstLimit: 200 },
    accessLogSettings: {
      destination: new LogGroupLogDestination(props.accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          requestTime: '$context.requestTime',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
        }),
      ),
    },
  });

  const authorizerFunction = makeFunction('Authorizer', AUTHORIZER_ENTRY, {
    group: 'api',
    permissions: props.authorizer.permissions,
    invokedBy: 'API Gateway (the Lambda authorizer)',
    memoryMb: 256,
    timeoutSeconds: 10,
    environment: props.authorizer.environment,
  });
  props.authorizer.grant(authorizerFunction);
  const authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', authorizerFunction, {
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    identitySource: ['$request.header.Authorization'],
    resultsCacheTtl: Duration.seconds(0),
  });

  const functions = new Map<string, NodejsFunction>();
  for (const route of ROUTES) {
    const spec = props.route(route);
    const fn = makeFunction(pascal(route.id), route.entry, {
      group: 'api',
      permissions: spec.permissions,
      invokedBy: `API Gateway (route ${route.method} ${route.path})`,
      memoryMb: route.memoryMb ?? DEFAULT_MEMORY_MB,
      timeoutSeconds: route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      environment: spec.environment,
      ...(spec.inVpc ? { network: props.network } : {}),
      ...(spec.afterBundling ? { afterBundling: spec.afterBundling } : {}),
    });
    spec.grant(fn);
    const [httpRoute] = api.addRoutes({
      path: route.path,
      methods: [route.method as HttpMethod],
      integration: new HttpLambdaIntegration(`${pascal(route.id)}Integration`, fn),
      ...(route.auth ? { authorizer } : {}),
    });
    if (!route.auth) {
      const reason = PUBLIC_ROUTE_REASONS[route.id];
      if (!reason)
        throw new Error(
          `TenantApi: route ${route.id} has no authorizer and no reason in PUBLIC_ROUTE_REASONS`,
        );
      Validations.of(httpRoute!).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    }
    functions.set(route.id, fn);
  }
  return { api, authorizerFunction, functions };
}

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
