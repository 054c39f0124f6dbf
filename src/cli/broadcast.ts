import { SingleBar, Presets } from 'cli-progress';
import { DateTime } from 'luxon';
import { BROADCAST, httpUrl, parseCommand, serverUrl } from './commands.js';
import { configOrExit } from './main.js';
import { cannotReach, request, SERVER_TIMEOUT_MS } from './net.js';

interface Progress {
  id: string;
  status: string;
  total: number;
  sent: number;
  failed: number;
  skipped: number;
}

/** the request that creates a broadcast counts its recipients first: it gets longer than a progress poll */
const CREATE_TIMEOUT_MS = 60_000;

type Reply = { ok: true; status: number; body: Record<string, unknown> } | { ok: false; line: string; timedOut?: boolean };

/** One call to the staff API: its JSON answer, or the one line that says why there is none. */
async function call(base: string, path: string, init: RequestInit, timeoutMs: number): Promise<Reply> {
  const a = await request(`${base}${path}`, init, timeoutMs);
  if (!a.ok) return { ok: false, line: cannotReach('broadcast', base, a.reason), timedOut: a.reason.startsWith('no answer') };
  const text = await a.res.text().catch(() => '');
  try {
    return { ok: true, status: a.res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { ok: false, line: `frontdesk broadcast: ${base}${path} answered ${a.res.status} without JSON — is ${base} a frontdesk? use --url` };
  }
}

/** Talks to the running server's staff API, so the sends go through the same queue, throttles and records. */
export async function broadcastCommand(argv: string[]): Promise<number> {
  const values = parseCommand(BROADCAST, argv);
  if (!values) return 2;
  if (!values.facility || !values.date) {
    console.error('frontdesk broadcast: --facility and --date are required; `npx frontdesk help broadcast` lists the options');
    return 2;
  }
  if (values.url !== undefined && !httpUrl('broadcast', 'url', values.url)) return 2;
  const config = configOrExit();
  if (!config) return 1;
  const base = serverUrl(values.url, config);
  // a token on the command line is visible to every user of the machine (ps, shell history): the environment is the way
  if (values.token) console.error('frontdesk broadcast: warning: --token is visible to other users (ps, shell history); set FRONTDESK_STAFF_TOKEN instead');
  const token = values.token || process.env.FRONTDESK_STAFF_TOKEN || config.staffTokens[0] || config.staff[0]?.token;
  if (!token) {
    console.error('frontdesk broadcast: no staff token: set FRONTDESK_STAFF_TOKEN');
    return 2;
  }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = {
    facilityId: values.facility,
    date: values.date,
    ...(values.calendar ? { calendarId: values.calendar } : {}),
    kind: values.message ? 'message' : 'reminder',
    ...(values.message ? { text: values.message } : {}),
    dryRun: values['dry-run'],
  };
  const created = await call(base, '/staff/v1/broadcasts', { method: 'POST', headers, body: JSON.stringify(body) }, CREATE_TIMEOUT_MS);
  if (!created.ok) {
    // the request may have arrived: asking again is safe, a broadcast already requested is followed, not repeated
    console.error(`${created.line}${created.timedOut ? '; the same command again is safe (an accepted broadcast is followed, not repeated)' : ''}`);
    return 1;
  }
  const answer = created.body;
  if (created.status >= 400) {
    console.error(`frontdesk broadcast: ${created.status} ${String(answer.error)}: ${String(answer.message)}`);
    if (Array.isArray(answer.details)) for (const d of answer.details) console.error(`  - ${String(d)}`);
    return 1;
  }
  const zone = config.facilities.find((f) => f.id === values.facility)?.timezone;
  if (values['dry-run']) {
    printDryRun(answer, zone);
    return 0;
  }
  const id = String(answer.id);
  const before = answer.progress as Progress | undefined;
  if (answer.repeated && before && (before.status === 'done' || before.status === 'failed')) {
    console.log(`broadcast ${id} already sent ${when(answer.sentAt, zone)}: ${counts(before)} — already requested, nothing sent again`);
    return before.status === 'done' ? 0 : 1;
  }
  if (answer.repeated) console.log(`broadcast ${id} was already requested ${when(answer.sentAt, zone)}: following its progress`);
  const bar = new SingleBar({ format: 'broadcast {bar} {value}/{total} | sent {sent} failed {failed} skipped {skipped}' }, Presets.shades_classic);
  let p: Progress | undefined;
  for (;;) {
    const r = await call(base, `/staff/v1/broadcasts/${id}`, { headers }, SERVER_TIMEOUT_MS);
    if (!r.ok || r.status >= 400) {
      bar.stop();
      // the broadcast itself goes on in the server: the same command again follows it (it is recognised, not repeated)
      console.error(`${r.ok ? `frontdesk broadcast: ${r.status} ${String(r.body.error)}: ${String(r.body.message)}` : r.line}; broadcast ${id} goes on in the server: run the same command again to follow it`);
      return 1;
    }
    p = r.body as unknown as Progress;
    if (!bar.isActive) bar.start(p.total, 0, { sent: 0, failed: 0, skipped: 0 });
    bar.update(p.sent + p.failed + p.skipped, { sent: p.sent, failed: p.failed, skipped: p.skipped });
    if (p.status === 'done' || p.status === 'failed') break;
    await new Promise((r2) => setTimeout(r2, 500));
  }
  bar.stop();
  console.log(`broadcast ${id} ${p.status}: ${counts(p)}`);
  return p.status === 'done' ? 0 : 1;
}

const counts = (p: Progress) => `${p.sent} sent, ${p.failed} failed, ${p.skipped} skipped of ${p.total}`;

/** an ISO time as the facility's wall clock (`2026-03-02 09:14 +08:00`), else as given */
function when(iso: unknown, zone: string | undefined): string {
  const t = typeof iso === 'string' ? DateTime.fromISO(iso) : undefined;
  if (!t?.isValid) return typeof iso === 'string' ? iso : 'earlier';
  return (zone ? t.setZone(zone) : t).toFormat('yyyy-MM-dd HH:mm ZZ');
}

interface PreviewLine {
  channel: string;
  segments?: number;
  fallback?: boolean;
  parts: { text: string; buttons?: string[]; truncated?: boolean }[];
}

/** the counts, then each channel's rendering of the message, indented */
function printDryRun(answer: Record<string, unknown>, zone: string | undefined): void {
  console.log(`dry run ${String(answer.id)}: ${String(answer.recipients)} recipients, ${String(answer.skipped)} skipped, ${String(answer.viberBotInitiated)} bot-initiated Viber messages`);
  console.log(`by channel: ${JSON.stringify(answer.byChannel)}`);
  if (answer.repeated) console.log(`already sent ${when(answer.sentAt, zone)} as broadcast ${String(answer.sentId)}: the real run would send nothing again`);
  for (const c of (answer.preview ?? []) as PreviewLine[]) {
    console.log(`${c.channel}${c.fallback ? ' (fallback)' : ''}${c.segments !== undefined ? `, ${c.segments} segments` : ''}:`);
    for (const part of c.parts) {
      for (const line of part.text.split('\n')) console.log(`  | ${line}`);
      if (part.buttons?.length) console.log(`  ${part.buttons.map((b) => `[${b}]`).join(' ')}`);
      if (part.truncated) console.log('  (the rest is cut: over the SMS segment cap)');
    }
  }
}
