import type Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import { z } from 'zod';
import type { LocaleCode } from '../core/domain.js';
import type { OutboundMessage } from '../core/messages.js';
import { facilityOfTicket } from '../engine/tickets.js';
import type { Ticket } from '../store/tickets.js';
import type { Store } from '../store/types.js';
import { badRequest, HttpError, notFound } from './errors.js';
import { readJson } from './raw-body.js';

/** What the ticket routes need beyond the store: the outbox, the send records, a facility's locale and texts. */
export interface TicketActions {
  /** hands a message to the recipient's queue in the outbox */
  send(msg: OutboundMessage): Promise<unknown>;
  /** a sent message's outcome: queued, sent, failed, undeliverable */
  sendStatus(messageId: string): Promise<string | undefined>;
  /** the facility's locale, and the text of a message key in a locale */
  locale(facilityId: string): LocaleCode;
  text(locale: LocaleCode, key: string): string;
}

/** The parts of the staff scope the ticket routes use (src/http/staff.ts). */
export interface TicketScope {
  readonly deps: { store: Store; tickets?: TicketActions };
  readonly now: () => Date;
  member(ctx: Koa.Context): { name: string };
  reach(ctx: Koa.Context, facilityId: string): void;
  audit(ctx: Koa.Context, entry: { action: string; facilityId: string; targets?: Record<string, unknown>; outcome?: string }): Promise<unknown>;
  reachable(ctx: Koa.Context): string[];
}

const STATES = ['waiting', 'claimed', 'resolved'] as const;
const replySchema = z.strictObject({ text: z.string().trim().min(1, 'text is empty').max(2000, 'text is longer than 2000 characters') });
const conflict = (message: string, extra: Record<string, unknown> = {}) => new HttpError(409, 'conflict', message, extra);

/** `/staff/v1/tickets…`: conversations handed to staff — list, read, claim, reply on the patient's channel, hand back. */
export function mountTicketRoutes(router: Router, scope: TicketScope): void {
  router.get('/tickets', (ctx) => listTickets(scope, ctx));
  router.get('/tickets/:id', async (ctx) => {
    const t = await ticketOf(scope, ctx);
    ctx.body = { ...(await summary(scope, t)), messages: await thread(scope, t) };
  });
  router.post('/tickets/:id/claim', (ctx) => claimTicket(scope, ctx));
  router.post('/tickets/:id/reply', (ctx) => replyToTicket(scope, ctx));
  router.post('/tickets/:id/resolve', (ctx) => resolveTicket(scope, ctx));
}

async function listTickets(scope: TicketScope, ctx: Koa.Context): Promise<void> {
  const q = ctx.query as Record<string, string | undefined>;
  if (q.state !== undefined && !(STATES as readonly string[]).includes(q.state)) throw badRequest(`state must be one of ${STATES.join(', ')}`);
  let facilities: string[];
  if (q.facilityId) {
    scope.reach(ctx, q.facilityId);
    facilities = [q.facilityId];
  } else {
    facilities = scope.reachable(ctx);
  }
  ctx.body = { tickets: await ticketSummaries(scope, facilities, q.state as Ticket['state'] | undefined) };
}

/** the facilities' tickets in one state (default: waiting and claimed), urgent first, then newest first */
export async function ticketSummaries(scope: Pick<TicketScope, 'deps'>, facilities: readonly string[], state?: Ticket['state']) {
  const all = (await Promise.all(facilities.map((f) => scope.deps.store.tickets.list(f)))).flat();
  const chosen = all
    .filter((t) => (state ? t.state === state : t.state !== 'resolved'))
    .sort((a, b) => Number(b.urgent ?? false) - Number(a.urgent ?? false) || b.updatedAt.localeCompare(a.updatedAt));
  return Promise.all(chosen.map((t) => summary(scope, t)));
}

/** the ticket the route names, once the token is known to reach its facility (403 before anything is read) */
async function ticketOf(scope: TicketScope, ctx: Koa.Context): Promise<Ticket> {
  const id = String((ctx as Router.RouterContext).params.id ?? '');
  const facilityId = facilityOfTicket(id);
  if (!facilityId || !/^[\w.-]{1,120}$/.test(id)) throw notFound('no such ticket');
  scope.reach(ctx, facilityId);
  const t = await scope.deps.store.tickets.get(facilityId, id);
  if (!t) throw notFound('no such ticket');
  return t;
}

/** the ticket for a list; the patient only as far as a verified link shows them (a claimed link proves nothing) */
async function summary(scope: Pick<TicketScope, 'deps'>, t: Ticket) {
  const verified = (await scope.deps.store.patients.ofContact(t.facilityId, t.contactId)).filter((p) => p.links.some((l) => l.contactId === t.contactId && l.verified));
  const patient = verified[0];
  return {
    id: t.id,
    facilityId: t.facilityId,
    contactId: t.contactId,
    channel: t.channel,
    state: t.state,
    reason: t.reason,
    /** the reason in words, in the facility's language (the staff alert's wording) */
    ...reasonText(scope, t),
    urgent: t.urgent ?? false,
    ...(patient ? { patient: { name: patient.name, ...(patient.patientId ? { patientId: patient.patientId } : {}) } } : {}),
    ...(t.claimedBy ? { claimedBy: t.claimedBy } : {}),
    ...(t.appointmentId ? { appointmentId: t.appointmentId } : {}),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

function reasonText(scope: Pick<TicketScope, 'deps'>, t: Ticket): { reasonText?: string } {
  const actions = scope.deps.tickets;
  if (!actions) return {};
  const key = `staffAlert.reasons.${t.reason}`;
  const text = actions.text(actions.locale(t.facilityId), key);
  return text && text !== key ? { reasonText: text } : {};
}

/** the thread; each staff answer with its delivery outcome (an answer no channel could carry says so) */
export async function thread(scope: Pick<TicketScope, 'deps'>, t: Ticket) {
  return Promise.all(
    t.messages.map(async (m) => ({
      from: m.from,
      text: m.text,
      at: m.at,
      ...(m.by ? { by: m.by } : {}),
      ...(m.from === 'staff' ? { status: (await scope.deps.tickets?.sendStatus(m.id)) ?? 'queued' } : {}),
    })),
  );
}

async function claimTicket(scope: TicketScope, ctx: Koa.Context): Promise<void> {
  const t = await ticketOf(scope, ctx);
  const by = scope.member(ctx).name;
  const next = await take(scope, t, by);
  await scope.audit(ctx, { action: 'ticket.claim', facilityId: t.facilityId, targets: { ticketId: t.id, contactId: t.contactId } });
  ctx.body = await summary(scope, next);
}

/** claims a waiting ticket for `by`; 409 when another holds it or it was handed back */
async function take(scope: TicketScope, t: Ticket, by: string): Promise<Ticket> {
  let refusal: HttpError | undefined;
  const next = await scope.deps.store.tickets.change(t.facilityId, t.id, (cur) => {
    if (cur.state === 'resolved') refusal = conflict('the ticket was handed back to the bot');
    else if (cur.state === 'claimed' && cur.claimedBy !== by) refusal = conflict(`claimed by ${cur.claimedBy}`, { claimedBy: cur.claimedBy });
    if (refusal || cur.state === 'claimed') return undefined;
    return { ...cur, state: 'claimed', claimedBy: by, updatedAt: scope.now().toISOString() };
  });
  if (refusal) throw refusal;
  return next ?? t;
}

async function replyToTicket(scope: TicketScope, ctx: Koa.Context): Promise<void> {
  const t = await ticketOf(scope, ctx);
  const parsed = replySchema.safeParse(await readJson(ctx).catch(() => undefined));
  if (!parsed.success) throw badRequest('invalid reply', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  const actions = scope.deps.tickets;
  if (!actions) throw new HttpError(503, 'unavailable', 'replies are not wired in this instance');
  const by = scope.member(ctx).name;
  const held = await take(scope, t, by);
  const contact = await scope.deps.store.contacts.get(t.facilityId, t.contactId);
  const locale = contact?.locale ?? actions.locale(t.facilityId);
  const at = scope.now().toISOString();
  const msg: OutboundMessage = { id: `staff:${t.id}:${randomUUID()}`, facilityId: t.facilityId, channel: held.channel, channelUserId: held.channelUserId, purpose: 'human', locale, reply: { text: parsed.data.text }, contactId: t.contactId };
  await scope.deps.store.tickets.append(t.facilityId, t.id, [{ id: msg.id, from: 'staff', text: parsed.data.text, at, by }]);
  await actions.send(msg);
  await scope.audit(ctx, { action: 'ticket.reply', facilityId: t.facilityId, targets: { ticketId: t.id, contactId: t.contactId, messageId: msg.id } });
  ctx.status = 202;
  ctx.body = { messageId: msg.id, status: (await actions.sendStatus(msg.id)) ?? 'queued' };
}

/** hands the conversation back to the bot: the ticket closes, the conversation starts afresh, the patient is told */
async function resolveTicket(scope: TicketScope, ctx: Koa.Context): Promise<void> {
  const t = await ticketOf(scope, ctx);
  const { store } = scope.deps;
  const at = scope.now().toISOString();
  const done = await store.tickets.change(t.facilityId, t.id, (cur) => (cur.state === 'resolved' ? undefined : { ...cur, state: 'resolved', resolvedAt: at, updatedAt: at }));
  if (t.state === 'resolved') throw conflict('the ticket was already handed back');
  // a held conversation sat in the handoff step: it starts afresh (under the conversation's lock, so a turn
  // running now does not write the old snapshot back). A waiting one may have moved on (the patient chose
  // to book meanwhile): it is left as it is.
  if (t.state === 'claimed') await store.locks.withLock(`conv:${t.facilityId}:${t.contactId}`, () => store.conversations.delete(t.facilityId, t.contactId));
  const actions = scope.deps.tickets;
  if (actions) {
    const contact = await store.contacts.get(t.facilityId, t.contactId);
    const locale = contact?.locale ?? actions.locale(t.facilityId);
    const text = actions.text(locale, 'handoff.resolved');
    const msg: OutboundMessage = { id: `staff:${t.id}:resolved`, facilityId: t.facilityId, channel: t.channel, channelUserId: t.channelUserId, purpose: 'response', locale, reply: { text }, contactId: t.contactId };
    await store.tickets.append(t.facilityId, t.id, [{ id: msg.id, from: 'bot', text, at }]);
    await actions.send(msg);
  }
  await scope.audit(ctx, { action: 'ticket.resolve', facilityId: t.facilityId, targets: { ticketId: t.id, contactId: t.contactId } });
  ctx.body = await summary(scope, done ?? t);
}
