// Vitest global set-up: builds the web app once per run so the browser tests serve the current code.
import { build } from 'vite';

export default async function setup() {
  if (process.env.PL_E2E_SKIP_BUILD === '1') return;
  // Vitest sets NODE_ENV=test, which Vite would carry into the bundle (React's development build):
  // the tests must serve, and measure, the production build users get from `npm install`.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: new URL('../../web/vite.config.ts', import.meta.url).pathname,
      mode: 'production',
      logLevel: 'warn',
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
