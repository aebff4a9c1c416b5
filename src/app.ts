import { type Config, loadConfig } from './config.js';
import type { AppContext } from './context.js';
import { connect, type Database } from './db/connect.js';
import { migrate } from './db/migrate.js';

/** Opens the configured database and brings its schema up to date. */
export async function openApp(
  config: Config = loadConfig(),
): Promise<{ ctx: AppContext; config: Config; database: Database }> {
  const database = await connect({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.pgPoolMax,
  });
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return { ctx: { database, now: () => new Date() }, config, database };
}
