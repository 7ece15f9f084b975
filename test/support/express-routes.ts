import type { Express } from 'express';

/** A route the app serves: method (lower case, as Express keeps it) and path in Express syntax. */
export interface ServedRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: unknown;
  rawPath?: unknown;
  name?: string;
}

const joinPath = (prefix: string, path: string) => (prefix + (path === '/' ? '' : path)).replace(/\/{2,}/g, '/') || '/';

function stackOf(handle: unknown): Layer[] | undefined {
  const stack = (handle as { stack?: unknown } | null)?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

/**
 * Every route of an Express 5 app, read from its router's stack: routes (router.get(...)),
 * and the routes of routers mounted with app.use(path, router), however deep, under their
 * mount path. Plain middleware (authentication, body parsing, static files) serves no route
 * of its own and is skipped. A mounted Express sub-app is opaque to this walk: it is
 * returned in `opaque` so a caller can refuse routes hidden that way.
 */
export function servedRoutes(app: Express): { routes: ServedRoute[]; opaque: string[] } {
  const routes: ServedRoute[] = [];
  const opaque: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path;
        if (typeof path !== 'string') throw new Error(`a route under ${prefix || '/'} has a path that is not a string (${String(path)}): document it by hand and teach this walk`);
        for (const [method, on] of Object.entries(layer.route.methods)) if (on) routes.push({ method: method === '_all' ? 'all' : method, path: joinPath(prefix, path) });
        continue;
      }
      const nested = stackOf(layer.handle);
      const mount = layer.rawPath;
      if (nested) {
        if (typeof mount !== 'string') throw new Error(`a router mounted under ${prefix || '/'} has no string path (router's Layer.rawPath): update this walk for the router version installed`);
        walk(nested, joinPath(prefix, mount));
      } else if ((layer.handle as { name?: string }).name === 'mounted_app') {
        opaque.push(joinPath(prefix, typeof mount === 'string' ? mount : '?'));
      }
    }
  };
  const router = (app as unknown as { router?: unknown }).router;
  const stack = stackOf(router);
  if (!stack) throw new Error('app.router.stack is not there: not Express 5?');
  walk(stack, '');
  return { routes, opaque };
}
