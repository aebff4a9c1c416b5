import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { csv, text, uuid } from '../http/schemas.js';
import { isCalendarDate, isCurrency, LIFECYCLE_STAGES, TEMPERATURES, TIERS } from './account.js';
import { listTemperatureHistory, setAccountTemperature } from './account-temperature.js';
import { presentAccount, presentTemperatureEntry } from './accounts.presenter.js';
import { createAccount } from './create-account.js';
import { parseSort } from './keyset.js';
import { ACCOUNT_SORTS, type AccountSort, getAccount, listAccounts } from './read-accounts.js';
import { updateAccount } from './update-account.js';

/** A calendar date (contract start, renewal): the customer's date, not an instant. */
export const calendarDate = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD, e.g. 2027-03-31')
    .refine(isCalendarDate, 'is not a real date');

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, 'must be at most 253 characters')
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a domain such as acme.com (no scheme, path or @)',
  );
const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of three capital letters, e.g. USD')
  .refine(isCurrency, 'is not an ISO 4217 currency code');
const arrMinor = z
  .number()
  .int('must be a whole number of minor units (cents)')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER);

const accountParams = z.strictObject({ accountId: uuid() });
const limit = z.coerce.number().int().min(1).max(500).default(50);
const cursor = z.string().max(500).optional();

const needsCurrency = (b: { arrMinor?: number | undefined; currency?: string | undefined }) =>
  b.arrMinor === undefined || b.currency !== undefined;
const currencyIssue = { message: 'give the currency of arrMinor (ISO 4217, e.g. USD)', path: ['currency'] };

export const CreateAccountBody = z
  .strictObject({
    name: text(300),
    domain: domain.nullable().optional(),
    externalId: text(200).nullable().optional(),
    tier: z.enum(TIERS),
    arrMinor: arrMinor.optional(),
    currency: currency.optional(),
    contractStart: calendarDate().nullable().optional(),
    renewalDate: calendarDate().nullable().optional(),
    lifecycleStage: z.enum(LIFECYCLE_STAGES).optional(),
    ownerId: uuid(),
  })
  .refine(needsCurrency, currencyIssue);

export const UpdateAccountBody = z
  .strictObject({
    name: text(300).optional(),
    domain: domain.nullable().optional(),
    externalId: text(200).nullable().optional(),
    tier: z.enum(TIERS).optional(),
    arrMinor: arrMinor.optional(),
    currency: currency.optional(),
    contractStart: calendarDate().nullable().optional(),
    renewalDate: calendarDate().nullable().optional(),
    lifecycleStage: z.enum(LIFECYCLE_STAGES).optional(),
    ownerId: uuid().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

export const AccountListQuery = z
  .strictObject({
    owner: z.union([z.literal('me'), uuid()]).optional(),
    tier: csv(z.enum(TIERS)).optional(),
    stage: csv(z.enum(LIFECYCLE_STAGES)).optional(),
    temperature: csv(z.enum(TEMPERATURES)).optional(),
    renewingWithinDays: z.coerce.number().int().min(0).max(3660).optional(),
    renewalFrom: calendarDate().optional(),
    renewalTo: calendarDate().optional(),
    q: text(200).optional(),
    sort: z
      .string()
      .regex(
        new RegExp(`^-?(${ACCOUNT_SORTS.join('|')})$`),
        `must be one of ${ACCOUNT_SORTS.join(', ')} (prefix - for descending)`,
      )
      .default('name'),
    cursor,
    limit,
    count: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  })
  .refine((q) => q.renewalFrom === undefined || q.renewalTo === undefined || q.renewalFrom <= q.renewalTo, {
    message: 'must not be before renewalFrom',
    path: ['renewalTo'],
  });

export function accountRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'accounts.list',
      method: 'GET',
      url: '/api/v1/accounts',
      auth: 'records.read',
      summary:
        'Accounts matching filters (owner, tier, lifecycle stage, temperature, renewal window, name search), sorted, with a cursor; each with its open and overdue promise counts (`promises`). Renewal bounds are inclusive dates; renewingWithinDays counts from today in the workspace’s time zone.',
      tags: ['accounts'],
      query: AccountListQuery,
      handler: async ({ principal, query }) => {
        const { sort, cursor, limit, count, ...filter } = query;
        const { key, direction } = parseSort<AccountSort>(sort);
        const page = await listAccounts(ctx, {
          principal,
          filter,
          sort: key,
          direction,
          cursor,
          limit,
          withTotal: count === true,
        });
        return {
          data: page.data.map((a) => presentAccount(a, page.counts.get(a.id) ?? { open: 0, overdue: 0 })),
          nextCursor: page.nextCursor,
          ...(page.total === undefined ? {} : { total: page.total }),
        };
      },
    }),
    route({
      id: 'accounts.create',
      method: 'POST',
      url: '/api/v1/accounts',
      auth: 'account.create',
      summary:
        'Create an account: name, tier, ARR (integer minor units + ISO 4217 currency), contract start, renewal date, lifecycle stage, owner (an active user).',
      tags: ['accounts'],
      body: CreateAccountBody,
      status: 201,
      handler: async ({ principal, body }) =>
        presentAccount(await createAccount(ctx, { principal, input: body })),
    }),
    route({
      id: 'accounts.get',
      method: 'GET',
      url: '/api/v1/accounts/:accountId',
      auth: 'records.read',
      summary: 'One account, with how many of its promises are open and overdue.',
      tags: ['accounts'],
      params: accountParams,
      handler: async ({ principal, params }) => {
        const { account, counts } = await getAccount(ctx, { principal, accountId: params.accountId });
        return presentAccount(account, counts);
      },
    }),
    route({
      id: 'accounts.update',
      method: 'PATCH',
      url: '/api/v1/accounts/:accountId',
      auth: 'account.write_own',
      summary:
        'Change an account (its owner, or a manager/admin). The temperature has its own endpoint, so its history stays complete.',
      tags: ['accounts'],
      params: accountParams,
      body: UpdateAccountBody,
      handler: async ({ principal, params, body }) =>
        presentAccount(await updateAccount(ctx, { principal, accountId: params.accountId, changes: body })),
    }),
    route({
      id: 'accounts.temperature.set',
      method: 'POST',
      url: '/api/v1/accounts/:accountId/temperature',
      auth: 'account.write_own',
      summary:
        'Record the relationship temperature after a meaningful interaction, with a note of what happened; kept in the history.',
      tags: ['accounts'],
      params: accountParams,
      body: z.strictObject({ temperature: z.enum(TEMPERATURES), note: text(2000) }),
      status: 201,
      handler: async ({ principal, params, body }) => {
        const { account, entry } = await setAccountTemperature(ctx, {
          principal,
          accountId: params.accountId,
          ...body,
        });
        return { ...presentAccount(account), temperatureChange: presentTemperatureEntry(entry) };
      },
    }),
    route({
      id: 'accounts.temperature.history',
      method: 'GET',
      url: '/api/v1/accounts/:accountId/temperature-history',
      auth: 'records.read',
      summary: 'Every temperature reading of an account, newest first, with who set it and why.',
      tags: ['accounts'],
      params: accountParams,
      query: z.strictObject({ cursor, limit }),
      handler: async ({ principal, params, query }) => {
        const page = await listTemperatureHistory(ctx, { principal, accountId: params.accountId, ...query });
        return { data: page.data.map(presentTemperatureEntry), nextCursor: page.nextCursor };
      },
    }),
  ];
}
