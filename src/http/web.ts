// Serves the built web app (web/dist) at `/`: its files, and index.html for any other page address a
// browser asks for (the app routes on the client). API, docs and feed paths never fall back to it.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const NOT_APP = /^\/(api|docs|openapi\.json|calendar|healthz|inbound)(\/|$|\?)/;

/** The web build inside the package, when it was built. */
export function defaultWebRoot(): string | undefined {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web/dist');
  return fs.existsSync(path.join(root, 'index.html')) ? root : undefined;
}

/**
 * Registers the static files. Returns the fallback for the not-found handler: true when it answered
 * with the app's page.
 */
export async function registerWeb(
  app: FastifyInstance,
  root: string,
): Promise<(req: FastifyRequest, reply: FastifyReply) => boolean> {
  const index = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // The build writes .br and .gz beside each text asset (web/vite.config.ts): sent to browsers
    // that accept them, so nothing is compressed per request.
    preCompressed: true,
    // Hashed asset names never change content: cache them for a year; index.html is never cached.
    setHeaders: (reply, file) => {
      if (file.includes(`${path.sep}assets${path.sep}`)) {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
  return (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (NOT_APP.test(req.url)) return false;
    if (!/text\/html|\*\/\*/.test(String(req.headers.accept ?? ''))) return false;
    reply.status(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    return true;
  };
}
