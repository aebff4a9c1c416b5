/// <reference lib="dom" />
// Web build size and the first load of My day on the demo data (50 accounts, 400 promises), measured
// in the browser with the Performance API. Printed, and written to test-artifacts/first-load.json;
// never asserted as a time (the machine is shared), only that the page shows the owner's promises.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2EApp, newPage, SKIP_BROWSER_REASON, signIn, startE2E } from './support/app.js';

const DIST = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../web/dist');
const OUT = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../test-artifacts/first-load.json',
);

function buildSize() {
  // The build's files, not the .br and .gz it writes beside them (what the server actually sends).
  const files = fs
    .readdirSync(path.join(DIST, 'assets'))
    .filter((f) => !/\.(br|gz)$/.test(f))
    .map((f) => {
      const file = path.join(DIST, 'assets', f);
      const body = fs.readFileSync(file);
      const br = fs.existsSync(`${file}.br`) ? fs.statSync(`${file}.br`).size : null;
      return { file: f, bytes: body.length, gzipBytes: gzipSync(body).length, brBytes: br };
    });
  const sum = (ext: string, k: 'bytes' | 'gzipBytes') =>
    files.filter((f) => f.file.endsWith(ext)).reduce((n, f) => n + f[k], 0);
  // The entry chunk is what the first visit of any page loads; the rest load with their pages.
  const entry = fs
    .readFileSync(path.join(DIST, 'index.html'), 'utf8')
    .match(/assets\/(index-[^"]+\.js)/)?.[1];
  return {
    files,
    entry: files.find((f) => f.file === entry),
    js: { bytes: sum('.js', 'bytes'), gzipBytes: sum('.js', 'gzipBytes') },
    css: { bytes: sum('.css', 'bytes'), gzipBytes: sum('.css', 'gzipBytes') },
  };
}

/** Navigation timings, and the moment the first promise card is on screen (read in the page). */
async function myDayTimings(page: Page) {
  const shown = await page.waitForFunction(() =>
    document.querySelector('main a[href^="/promises/"]') ? performance.now() : false,
  );
  const myDayShownMs = (await shown.jsonValue()) as number;
  return page.evaluate((shownMs) => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return {
      responseEndMs: Math.round(nav.responseEnd),
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      loadEventMs: Math.round(nav.loadEventEnd),
      firstContentfulPaintMs: fcp ? Math.round(fcp.startTime) : null,
      myDayShownMs: Math.round(shownMs),
      requests: resources.length + 1,
      transferredBytes: resources.reduce((n, r) => n + r.transferSize, nav.transferSize),
    };
  }, myDayShownMs);
}

describe.skipIf(SKIP_BROWSER_REASON !== undefined)('first load of My day', () => {
  let app: E2EApp;
  beforeAll(async () => {
    app = await startE2E({ accounts: 50, promises: 400 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('measures the build and the first load (cold and warm cache)', async () => {
    const signedIn = await newPage(app);
    await signIn(app, signedIn.page, app.demoAdmin.email, '/my-day', app.demoAdmin.password);
    // Cold: a fresh context (empty cache) with the session cookie opens My day; warm: a reload.
    const { context, page } = await newPage(app);
    await context.addCookies(await signedIn.context.cookies());
    await page.goto('/my-day');
    const cold = await myDayTimings(page);
    await page.reload();
    const warm = await myDayTimings(page);
    const figures = { build: buildSize(), cold, warm };
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(
      `web build: entry JS ${figures.build.entry?.bytes} B (${figures.build.entry?.gzipBytes} B gzip), all JS ${figures.build.js.bytes} B (${figures.build.js.gzipBytes} B gzip), CSS ${figures.build.css.bytes} B (${figures.build.css.gzipBytes} B gzip); ` +
        `My day cold: FCP ${cold.firstContentfulPaintMs} ms, promises shown ${cold.myDayShownMs} ms, ${cold.requests} requests, ${cold.transferredBytes} B; ` +
        `warm: FCP ${warm.firstContentfulPaintMs} ms, promises shown ${warm.myDayShownMs} ms`,
    );
    expect(cold.myDayShownMs).toBeGreaterThan(0);
    expect(figures.build.js.gzipBytes).toBeGreaterThan(0);
    // The entry script goes out as the build's Brotli file to a browser that accepts it, else gzip.
    const entryUrl = `/assets/${figures.build.entry?.file}`;
    const br = await page.request.get(entryUrl, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers()['content-encoding']).toBe('br');
    expect(Number(br.headers()['content-length'])).toBe(figures.build.entry?.brBytes);
    const gz = await page.request.get(entryUrl, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers()['content-encoding']).toBe('gzip');
    expect((await gz.body()).length).toBe(figures.build.entry?.bytes);
    await context.close();
    await signedIn.context.close();
  });
});
