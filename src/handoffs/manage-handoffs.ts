import { uuidv7 } from 'uuidv7';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { invalid, notFound } from '../errors.js';
import { findAccount, findActivePromiseType, findContact, findUser } from '../workspaces/workspaces.repo.js';
import { checkEditable, checkItems, checkReceiver, type HandoffItemInput } from './handoff.js';
import {
  deleteItems,
  findHandoff,
  type HandoffFilter,
  type HandoffItemRow,
  type HandoffRow,
  insertHandoff,
  insertItems,
  itemsOf,
  listHandoffRows,
  updateHandoffRow,
} from './handoffs.repo.js';

export interface HandoffWithItems {
  handoff: HandoffRow;
  items: HandoffItemRow[];
}

export interface HandoffInput {
  accountId: string;
  contactId?: string | null | undefined;
  fromUserId?: string | undefined;
  toUserId: string;
  note?: string | null | undefined;
  items: HandoffItemInput[];
}

export type HandoffChanges = Partial<Omit<HandoffInput, 'accountId'>>;

async function checkContact(tx: Tx, workspaceId: string, accountId: string, contactId: string) {
  const contact = await findContact(tx, workspaceId, contactId);
  if (!contact) throw notFound(`contact ${contactId}`, 'contactId');
  if (contact.accountId !== accountId) invalidContact(contactId, accountId);
}
function invalidContact(contactId: string, accountId: string): never {
  throw invalid('contactId', `contact ${contactId} is not at account ${accountId}`);
}

async function checkFromUser(tx: Tx, workspaceId: string, userId: string) {
  if (!(await findUser(tx, workspaceId, userId))) throw notFound(`user ${userId}`, 'fromUserId');
}

/** Items as rows; each named type must be an active promise type of the workspace. */
async function itemRows(
  tx: Tx,
  workspaceId: string,
  handoffId: string,
  items: HandoffItemInput[],
): Promise<HandoffItemRow[]> {
  checkItems(items);
  const rows: HandoffItemRow[] = [];
  for (const [position, item] of items.entries()) {
    if (item.typeKey && !(await findActivePromiseType(tx, workspaceId, item.typeKey))) {
      throw invalid(`items.${position}.typeKey`, `unknown promise type "${item.typeKey}"`);
    }
    rows.push({
      workspaceId,
      id: uuidv7(),
      handoffId,
      position,
      believesWeWill: item.believesWeWill,
      customerReason: item.customerReason,
      dueAt: item.dueAt,
      typeKey: item.typeKey ?? null,
      emotion: item.emotion ?? null,
      promiseId: null,
    });
  }
  return rows;
}

/** A draft handoff with its "Customer believes we will…" items (at least one). */
export async function createHandoff(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: HandoffInput },
): Promise<HandoffWithItems> {
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const account = await findAccount(tx, ws, input.accountId);
    if (!account) throw notFound(`account ${input.accountId}`, 'accountId');
    if (input.contactId) await checkContact(tx, ws, account.id, input.contactId);
    const fromUserId = input.fromUserId ?? principal.userId;
    await checkFromUser(tx, ws, fromUserId);
    checkReceiver(input.toUserId, await findUser(tx, ws, input.toUserId));
    const handoff: HandoffRow = {
      workspaceId: ws,
      id: uuidv7(),
      accountId: account.id,
      contactId: input.contactId ?? null,
      fromUserId,
      toUserId: input.toUserId,
      note: input.note ?? null,
      status: 'draft',
      createdBy: principal.userId,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      completedBy: null,
    };
    const items = await itemRows(tx, ws, handoff.id, input.items);
    await insertHandoff(tx, handoff);
    await insertItems(tx, items);
    return { handoff, items };
  });
}

/** Changes a draft: receiver, sender, contact, note, or the whole item list. */
export async function updateHandoff(
  ctx: AppContext,
  { principal, handoffId, changes }: { principal: Principal; handoffId: string; changes: HandoffChanges },
): Promise<HandoffWithItems> {
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const current = await findHandoff(tx, ws, handoffId, { lock: true });
    if (!current) throw notFound(`handoff ${handoffId}`, 'handoffId');
    checkEditable(current.status);
    if (changes.contactId) await checkContact(tx, ws, current.accountId, changes.contactId);
    if (changes.fromUserId) await checkFromUser(tx, ws, changes.fromUserId);
    if (changes.toUserId) checkReceiver(changes.toUserId, await findUser(tx, ws, changes.toUserId));
    if (changes.items !== undefined) {
      const rows = await itemRows(tx, ws, current.id, changes.items);
      await deleteItems(tx, ws, current.id);
      await insertItems(tx, rows);
    }
    const handoff = await updateHandoffRow(tx, ws, current.id, {
      ...(changes.contactId !== undefined ? { contactId: changes.contactId } : {}),
      ...(changes.fromUserId !== undefined ? { fromUserId: changes.fromUserId } : {}),
      ...(changes.toUserId !== undefined ? { toUserId: changes.toUserId } : {}),
      ...(changes.note !== undefined ? { note: changes.note } : {}),
      updatedAt: now,
    });
    return { handoff, items: await itemsOf(tx, ws, [handoff.id]) };
  });
}

export async function getHandoff(
  ctx: AppContext,
  { principal, handoffId }: { principal: Principal; handoffId: string },
): Promise<HandoffWithItems> {
  const db = ctx.database.db;
  const handoff = await findHandoff(db, principal.workspaceId, handoffId);
  if (!handoff) throw notFound(`handoff ${handoffId}`, 'handoffId');
  return { handoff, items: await itemsOf(db, principal.workspaceId, [handoff.id]) };
}

/** Handoffs of the workspace, newest first, each with its items (one query for all items). */
export async function listHandoffs(
  ctx: AppContext,
  {
    principal,
    filter,
    cursor,
    limit,
  }: { principal: Principal; filter: HandoffFilter; cursor?: string | undefined; limit: number },
): Promise<{ data: HandoffWithItems[]; nextCursor: string | null }> {
  const db = ctx.database.db;
  const f = {
    ...filter,
    ...(filter.toUser === 'me' ? { toUser: principal.userId } : {}),
    ...(filter.fromUser === 'me' ? { fromUser: principal.userId } : {}),
  };
  const { rows, nextCursor } = await listHandoffRows(db, principal.workspaceId, f, { cursor, limit });
  const items = await itemsOf(
    db,
    principal.workspaceId,
    rows.map((r) => r.id),
  );
  return {
    data: rows.map((handoff) => ({ handoff, items: items.filter((i) => i.handoffId === handoff.id) })),
    nextCursor,
  };
}
