import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text, uuid } from '../http/schemas.js';
import { presentContact } from './contacts.presenter.js';
import { createContact, getContact, listContacts, updateContact } from './manage-contacts.js';

const email = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: 'must be an email address' }));

export const CreateContactBody = z.strictObject({
  accountId: uuid(),
  name: text(200),
  email: email.nullable().optional(),
  title: text(200).nullable().optional(),
});

export const UpdateContactBody = z
  .strictObject({
    accountId: uuid().optional(),
    name: text(200).optional(),
    email: email.nullable().optional(),
    title: text(200).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

const contactParams = z.strictObject({ contactId: uuid() });

export function contactRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'contacts.list',
      method: 'GET',
      url: '/api/v1/accounts/:accountId/contacts',
      auth: 'records.read',
      summary: 'The contacts (people) at an account, by name, with a cursor.',
      tags: ['contacts'],
      params: z.strictObject({ accountId: uuid() }),
      query: z.strictObject({
        cursor: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      handler: async ({ principal, params, query }) => {
        const page = await listContacts(ctx, { principal, accountId: params.accountId, ...query });
        return { data: page.data.map(presentContact), nextCursor: page.nextCursor };
      },
    }),
    route({
      id: 'contacts.create',
      method: 'POST',
      url: '/api/v1/contacts',
      auth: 'contact.write',
      summary: 'Add a person at an account of the workspace.',
      tags: ['contacts'],
      body: CreateContactBody,
      status: 201,
      handler: async ({ principal, body }) =>
        presentContact(await createContact(ctx, { principal, input: body })),
    }),
    route({
      id: 'contacts.get',
      method: 'GET',
      url: '/api/v1/contacts/:contactId',
      auth: 'records.read',
      summary: 'One contact.',
      tags: ['contacts'],
      params: contactParams,
      handler: async ({ principal, params }) =>
        presentContact(await getContact(ctx, { principal, contactId: params.contactId })),
    }),
    route({
      id: 'contacts.update',
      method: 'PATCH',
      url: '/api/v1/contacts/:contactId',
      auth: 'contact.write',
      summary:
        'Change a contact’s name, email, title, or account (another account of this workspace, while no promise names the contact).',
      tags: ['contacts'],
      params: contactParams,
      body: UpdateContactBody,
      handler: async ({ principal, params, body }) =>
        presentContact(await updateContact(ctx, { principal, contactId: params.contactId, changes: body })),
    }),
  ];
}
