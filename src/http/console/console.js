// The staff console: plain DOM, no framework. Every text from the server goes in through textContent.
'use strict';
const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const state = { me: null, facility: '', ticketId: '', tickets: [], events: null, recheck: 0 };

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  for (const c of children) e.append(c);
  return e;
}
function notice(text, error = false) {
  $('notice').textContent = text;
  $('notice').className = error ? 'error' : '';
}
async function api(method, path, body) {
  const res = await fetch(`/staff/v1${path}`, { method, credentials: 'same-origin', headers: { 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401) { location.reload(); throw new Error('signed out'); }
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : {};
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}
const facility = () => state.me.facilities.find((f) => f.id === state.facility);
// times and "today" in the facility's zone (the desk's browser may be set to another)
const zone = () => facility()?.timezone;
const count = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short', timeZone: zone() });
const todayThere = () => new Date().toLocaleDateString('en-CA', { timeZone: zone() });
/** what the call list's reasons and the reminder states mean, for the desk */
const WHY = { no_channel: 'no channel reaches them', unconfirmed: 'not confirmed', reminder_undeliverable: 'reminder had nowhere to go', reminder_failed: 'reminder failed', reminder_not_delivered: 'reminder not delivered' };
const REMINDER = { none: 'none', planned: 'planned', sent: 'sent', not_delivered: 'not delivered', undeliverable: 'undeliverable', failed: 'failed' };

// views
function show() {
  notice('');
  const view = (location.hash || '#inbox').slice(1);
  for (const v of ['inbox', 'today', 'broadcasts']) {
    $(`view-${v}`).hidden = v !== view;
    if (v === view) $(`nav-${v}`).setAttribute('aria-current', 'page'); else $(`nav-${v}`).removeAttribute('aria-current');
  }
  if (view === 'today') void loadDay();
  if (view === 'broadcasts') void loadHistory();
}

// inbox
function listen() {
  state.events?.close();
  state.events = new EventSource(`/staff/v1/events?facilityId=${encodeURIComponent(state.facility)}`);
  state.events.addEventListener('tickets', (e) => {
    const before = new Map(state.tickets.map((t) => [t.id, t.updatedAt]));
    state.tickets = JSON.parse(e.data).tickets;
    renderTickets();
    const open = state.tickets.find((t) => t.id === state.ticketId);
    if (open && before.get(open.id) !== open.updatedAt) void openTicket(open.id);
  });
}
function renderTickets() {
  $('inbox-count').textContent = state.tickets.length ? `(${state.tickets.length})` : '';
  $('tickets').replaceChildren(...state.tickets.map((t) => {
    const who = t.patient?.name ?? `Contact on ${t.channel}`;
    const b = el('button', { type: 'button', class: t.urgent ? 'urgent' : '', 'data-ticket': t.id }, el('strong', {}, `${t.urgent ? 'URGENT · ' : ''}${who}`), el('br'), `${t.reasonText ?? t.reason} · ${t.state === 'claimed' ? `claimed by ${t.claimedBy}` : 'waiting'} · ${when(t.updatedAt)}`);
    b.setAttribute('aria-pressed', String(t.id === state.ticketId));
    b.addEventListener('click', () => void openTicket(t.id));
    return el('li', {}, b);
  }));
  if (!state.tickets.length) $('tickets').append(el('li', {}, 'No one is waiting.'));
}
async function openTicket(id) {
  state.ticketId = id;
  const t = await api('GET', `/tickets/${encodeURIComponent(id)}`).catch((e) => notice(e.message, true));
  if (!t) return;
  // the list shows what the ticket says now, before the stream's next push
  state.tickets = state.tickets.map((x) => (x.id === t.id ? { ...x, state: t.state, claimedBy: t.claimedBy, updatedAt: t.updatedAt } : x)).filter((x) => x.state !== 'resolved');
  renderTickets();
  $('ticket').hidden = false;
  $('ticket-title').textContent = `${t.urgent ? 'URGENT · ' : ''}${t.patient?.name ?? 'Unverified contact'} (${t.channel})`;
  $('ticket-meta').textContent = `${t.reasonText ?? t.reason} · ${t.state === 'claimed' ? `claimed by ${t.claimedBy}` : t.state}${t.appointmentId ? ` · appointment ${t.appointmentId}` : ''}`;
  $('thread').replaceChildren(...t.messages.map((m) => el('li', { class: m.from }, el('small', {}, `${m.from === 'staff' ? m.by ?? 'staff' : m.from} · ${when(m.at)}${m.status ? ` · ${m.status}` : ''}`), m.text)));
  $('thread').scrollTop = $('thread').scrollHeight;
  // a reply's delivery is not a change of the ticket: look again until the platform answered
  clearTimeout(state.recheck);
  if (t.messages.some((m) => m.status === 'queued')) state.recheck = setTimeout(() => { if (state.ticketId === id) void openTicket(id); }, 1500);
  const mine = t.state === 'claimed' && t.claimedBy === state.me.name;
  $('claim').disabled = t.state !== 'waiting';
  $('resolve').disabled = t.state === 'resolved';
  $('send-reply').disabled = t.state === 'resolved' || (t.state === 'claimed' && !mine);
}
async function act(path, body, done) {
  try {
    const r = await api('POST', `/tickets/${encodeURIComponent(state.ticketId)}/${path}`, body);
    notice(done(r));
    await openTicket(state.ticketId);
  } catch (e) {
    notice(e.message, true);
  }
}

// today
async function loadDay() {
  const date = $('day').value;
  try {
    const [day, calls, surveys] = await Promise.all([
      api('GET', `/facilities/${state.facility}/appointments?date=${date}`),
      api('GET', `/facilities/${state.facility}/call-list?date=${date}`),
      api('GET', `/facilities/${state.facility}/surveys?days=7`),
    ]);
    const time = (a) => new Date(a.start).toLocaleTimeString([], { timeStyle: 'short', timeZone: zone() });
    $('day-rows').replaceChildren(...day.appointments.map((a) => el('tr', {}, el('td', {}, time(a)), el('td', {}, a.patient?.name ?? '—'), el('td', {}, a.doctor ?? '—'), el('td', {}, a.status), el('td', {}, a.channel ?? 'none'), el('td', {}, REMINDER[a.reminder] ?? a.reminder ?? '—'))));
    $('call-rows').replaceChildren(...calls.calls.map((c) => el('tr', {}, el('td', {}, time(c)), el('td', {}, c.patient.name ?? '—'), el('td', {}, c.patient.phone ?? '—'), el('td', {}, WHY[c.why] ?? c.why))));
    $('survey-summary').textContent = surveys.count ? `${count(surveys.count, 'answer')}, average ${surveys.average} of 10; low scores are also in the inbox.` : 'No answers yet.';
    $('survey-table').hidden = surveys.count === 0;
    $('survey-rows').replaceChildren(...surveys.surveys.map((v) => el('tr', { class: v.low ? 'urgent' : '' }, el('td', {}, when(v.answeredAt)), el('td', {}, String(v.score)), el('td', {}, v.comment ?? '—'))));
  } catch (e) {
    notice(e.message, true);
  }
}

// broadcasts
function bcRequest(dryRun) {
  const kind = document.querySelector('input[name="bc-kind"]:checked').value;
  const text = $('bc-text').value.trim();
  return { facilityId: state.facility, date: $('bc-date').value, kind, ...($('bc-doctor').value ? { calendarId: $('bc-doctor').value } : {}), ...(kind === 'message' ? { text } : {}), dryRun };
}
async function preview() {
  try {
    const r = await api('POST', '/broadcasts', bcRequest(true));
    const counts = Object.entries(r.byChannel).map(([c, n]) => `${c}: ${n}`).join(', ') || 'nobody reachable';
    const out = [el('p', {}, `Preview ${r.id}: ${count(r.recipients, 'recipient')}, ${r.skipped} skipped (${counts}); billable Viber messages: ${r.viberBotInitiated}.`)];
    if (r.repeated) out.push(el('p', { class: 'error' }, `Already sent ${when(r.sentAt)} by ${r.sentBy} (${r.sentId}): sending again sends nothing new.`));
    for (const p of r.preview ?? []) for (const part of p.parts) out.push(el('div', { class: 'preview', 'data-channel': p.channel }, el('strong', {}, `${p.channel}${p.fallback ? ' (fallback)' : ''}`), el('br'), part.text, part.buttons?.length ? `\n[${part.buttons.join('] [')}]` : '', part.segments ? `\n(${count(part.segments, 'SMS segment')})` : ''));
    $('bc-result').replaceChildren(...out);
    $('bc-send').disabled = r.recipients === 0 || r.repeated;
  } catch (e) {
    notice(e.message, true);
  }
}
async function send() {
  $('bc-send').disabled = true;
  try {
    const r = await api('POST', '/broadcasts', bcRequest(false));
    if (r.repeated) $('bc-result').replaceChildren(el('p', { class: 'error' }, `Already sent ${when(r.sentAt)} by ${r.sentBy}: nothing sent again.`));
    await follow(r.id);
  } catch (e) {
    notice(e.message, true);
  }
}
async function follow(id) {
  const bar = $('bc-progress');
  bar.hidden = false;
  for (;;) {
    const p = await api('GET', `/broadcasts/${id}`);
    bar.max = Math.max(1, p.total);
    bar.value = p.sent + p.failed + p.skipped;
    bar.textContent = `${bar.value} of ${p.total}`;
    $('bc-result').append(el('p', { class: 'progress-line' }, `${p.status}: ${p.sent} sent, ${p.failed} failed, ${p.skipped} skipped of ${p.total}`));
    const lines = $('bc-result').querySelectorAll('.progress-line');
    if (lines.length > 1) lines[0].remove();
    if (p.status === 'done' || p.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await loadHistory();
}
async function loadHistory() {
  try {
    const h = await api('GET', `/broadcasts?facilityId=${encodeURIComponent(state.facility)}`);
    $('bc-history-empty').hidden = h.broadcasts.length > 0;
    $('bc-history').replaceChildren(...h.broadcasts.map((b) => el('li', {}, `${when(b.createdAt)} · ${b.by ?? ''} · ${b.request.date} ${b.request.kind}${b.request.text ? ` “${b.request.text}”` : ''} · ${b.status}: ${b.sent} sent, ${b.failed} failed, ${b.skipped} skipped of ${b.total}`)));
  } catch (e) {
    notice(e.message, true);
  }
}

function chooseFacility(id) {
  state.facility = id;
  state.ticketId = '';
  $('ticket').hidden = true;
  $('bc-doctor').replaceChildren(el('option', { value: '' }, 'All doctors'), ...(facility()?.calendars ?? []).map((c) => el('option', { value: c.id }, c.name)));
  listen();
  show();
}

async function start() {
  state.me = await api('GET', '/me');
  $('facility').replaceChildren(...state.me.facilities.map((f) => el('option', { value: f.id }, f.name)));
  state.facility = state.me.facilities[0]?.id ?? '';
  const today = todayThere();
  $('day').value = today;
  $('bc-date').value = today;
  $('facility').addEventListener('change', () => chooseFacility($('facility').value));
  window.addEventListener('hashchange', show);
  $('claim').addEventListener('click', () => void act('claim', undefined, (t) => `Claimed by ${t.claimedBy}.`));
  $('resolve').addEventListener('click', () => void act('resolve', undefined, () => 'Handed back to the bot; the patient was told.'));
  $('reply-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('reply').value;
    void act('reply', { text }, (r) => { $('reply').value = ''; return `Reply ${r.status}.`; });
  });
  $('day-load').addEventListener('click', () => void loadDay());
  $('bc-preview').addEventListener('click', () => void preview());
  $('bc-form').addEventListener('submit', (e) => { e.preventDefault(); void send(); });
  for (const input of document.querySelectorAll('#bc-form input, #bc-form select, #bc-form textarea')) input.addEventListener('change', () => { $('bc-send').disabled = true; });
  chooseFacility(state.me.facilities[0]?.id ?? '');
  document.body.dataset.ready = 'true';
}
document.addEventListener('DOMContentLoaded', () => void start().catch((e) => notice(e.message, true)));
