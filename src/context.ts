import type { Database } from './db/connect.js';

/** What every use case receives: the database and the clock (time is always passed in). */
export interface AppContext {
  readonly database: Database;
  readonly now: () => Date;
}
