// The web app: built into web/dist (served by the API server at /) by `npm run build:web`, which
// `npm install` runs through `prepare`. `npm run dev:web` proxies the API to a running server.
import { constants } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

/**
 * A .br and a .gz beside every text file of the build over 1 KB, once, at the highest levels: the
 * server sends them to browsers that accept them (@fastify/static `preCompressed`) instead of
 * compressing the same bytes on every request.
 */
const precompress = () =>
  compression({
    threshold: 1024,
    algorithms: [
      defineAlgorithm('brotliCompress', { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      defineAlgorithm('gzip', { level: 9 }),
    ],
    logLevel: 'silent',
  });

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': process.env.PL_API_URL ?? 'http://127.0.0.1:3000',
      '/calendar': process.env.PL_API_URL ?? 'http://127.0.0.1:3000',
    },
  },
});
