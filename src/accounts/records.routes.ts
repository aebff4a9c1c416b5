// The routes of accounts, contacts, promise types and saved views, registered together.

import { contactRoutes } from '../contacts/contacts.routes.js';
import type { AppContext } from '../context.js';
import type { AnyRoute } from '../http/route.js';
import { promiseTypeRoutes } from '../promise-types/promise-types.routes.js';
import { viewRoutes } from '../views/views.routes.js';
import { accountRoutes } from './accounts.routes.js';

export function recordRoutes(ctx: AppContext): AnyRoute[] {
  return [...accountRoutes(ctx), ...contactRoutes(ctx), ...promiseTypeRoutes(ctx), ...viewRoutes(ctx)];
}
