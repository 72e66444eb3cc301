import type { RouteDefinition } from '../infra/routes.ts';

export interface RouteMatch {
  route: RouteDefinition;
  pathParameters: Record<string, string>;
}

interface Compiled {
  route: RouteDefinition;
  segments: Array<{ literal: string } | { param: string }>;
}

/**
 * Matches requests to manifest routes the way API Gateway HTTP APIs do: same number of
 * segments, and where several routes match, literal segments beat `{param}` segments,
 * earliest position first (so `/notebook/templates` wins over `/notebook/{notebookId}`).
 */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: readonly RouteDefinition[]) {
    this.compiled = routes.map((route) => ({
      route,
      segments: route.path
        .split('/')
        .slice(1)
        .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s })),
    }));
  }

  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').slice(1);
    let best: { match: RouteMatch; score: number[] } | undefined;
    for (const candidate of this.compiled) {
      if (candidate.route.method !== method || candidate.segments.length !== parts.length) continue;
      const pathParameters: Record<string, string> = {};
      const score: number[] = [];
      let ok = true;
      candidate.segments.forEach((segment, i) => {
        const part = parts[i]!;
        if ('literal' in segment) {
          ok &&= segment.literal === part;
          score.push(2);
        } else {
          ok &&= part.length > 0;
          pathParameters[segment.param] = safeDecode(part);
          score.push(1);
        }
      });
      if (ok && (!best || compare(score, best.score) > 0))
        best = { match: { route: candidate.route, pathParameters }, score };
    }
    return best?.match;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
