import { SingleBar, Presets } from 'cli-progress';
import { parseArgs } from 'node:util';
import { configOrExit } from './main.js';

interface Progress {
  id: string;
  status: string;
  total: number;
  sent: number;
  failed: number;
  skipped: number;
}

/** Talks to the running server's staff API, so the sends go through the same queue, throttles and records. */
export async function broadcastCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      facility: { type: 'string' },
      date: { type: 'string' },
      calendar: { type: 'string' },
      message: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      url: { type: 'string' },
      token: { type: 'string' },
    },
  });
  if (!values.facility || !values.date) {
    console.error('frontdesk broadcast: --facility and --date are required');
    return 2;
  }
  const config = configOrExit();
  if (!config) return 1;
  const base = (values.url ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
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
  const res = await fetch(`${base}/staff/v1/broadcasts`, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    console.error(`frontdesk broadcast: ${res.status} ${String(answer.error)}: ${String(answer.message)}`);
    if (Array.isArray(answer.details)) for (const d of answer.details) console.error(`  - ${String(d)}`);
    return 1;
  }
  if (values['dry-run']) {
    console.log(`dry run ${String(answer.id)}: ${String(answer.recipients)} recipients, ${String(answer.skipped)} skipped, ${String(answer.viberBotInitiated)} bot-initiated Viber messages`);
    console.log(`by channel: ${JSON.stringify(answer.byChannel)}`);
    return 0;
  }
  const id = String(answer.id);
  if (answer.repeated) console.log(`broadcast ${id} was already requested: following its progress`);
  const bar = new SingleBar({ format: 'broadcast {bar} {value}/{total} | sent {sent} failed {failed} skipped {skipped}' }, Presets.shades_classic);
  let p: Progress | undefined;
  for (;;) {
    const r = await fetch(`${base}/staff/v1/broadcasts/${id}`, { headers });
    p = (await r.json()) as Progress;
    if (!bar.isActive) bar.start(p.total, 0, { sent: 0, failed: 0, skipped: 0 });
    bar.update(p.sent + p.failed + p.skipped, { sent: p.sent, failed: p.failed, skipped: p.skipped });
    if (p.status === 'done' || p.status === 'failed') break;
    await new Promise((r2) => setTimeout(r2, 500));
  }
  bar.stop();
  console.log(`broadcast ${id} ${p.status}: ${p.sent} sent, ${p.failed} failed, ${p.skipped} skipped of ${p.total}`);
  return p.status === 'done' ? 0 : 1;
}
