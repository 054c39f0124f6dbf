import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FACILITY, useService } from '../support/frontdesk.js';

/** The whole server (dev chat on, sandbox mounted): the proxy adds the facility's sandbox credentials. */
const svc = useService();

/** An HTTP request sent with this exact path (fetch would normalise dot segments before sending). */
function raw(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(svc.fd.base);
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const staff = `/dev/api/staff/${FACILITY}`;

describe('dev chat: the proxy to the sandbox staff desk', () => {
  it('never reaches another route through an encoded path (it used to return the sandbox calendars, credentials added)', async () => {
    const attempts: [string, string][] = [
      ['GET', `${staff}/..%2F..%2Fsandbox%2F${FACILITY}%2Fapi%2Fv1%2Fcalendars`],
      ['GET', `${staff}/..%2F..%2F..%2Fsandbox%2F${FACILITY}%2Fapi%2Fv1%2Fcalendars`],
      ['GET', `${staff}/..%2Fapi%2Fv1%2Fcalendars`],
      ['GET', `${staff}/%2e%2e%2Fapi%2Fv1%2Fcalendars`],
      ['GET', `${staff}/appointments%2F..%2F..%2Fapi%2Fv1%2Fcalendars`],
      ['GET', `${staff}/appointments/..%2F..%2F..%2Fapi%2Fv1%2Fcalendars`],
      ['PUT', `${staff}/appointments/1%2F..%2F..%2F..%2Fapi%2Fv1%2Fappointments%2F1/cancel`],
      ['GET', `${staff}/../api/v1/calendars`],
      ['GET', `/dev/api/staff/..%2Fsandbox%2F${FACILITY}%2Fapi%2Fv1%2Fcalendars/appointments`],
    ];
    for (const [method, path] of attempts) {
      const r = await raw(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.text, path).not.toMatch(/"calendars"\s*:|appointmentTypes|Maria Santos/);
    }
  });

  it('does not proxy what the page never calls: the webhook target, other methods', async () => {
    const put = await raw('PUT', `${staff}/webhook`, { url: 'http://127.0.0.1:9/webhooks/provider/st-lukes', secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
    expect(put.status).toBe(404);
    expect(JSON.parse(put.text)).toMatchObject({ error: 'not_found' });
    expect(svc.fd.sandbox?.webhookSecret(FACILITY)).not.toBe(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    expect((await raw('DELETE', `${staff}/appointments`)).status).toBe(404);
    expect((await raw('GET', `${staff}/appointments/1/confirm`)).status).toBe(404);
  });

  it('still serves the desk: list (with its filters only), staff actions, patients', async () => {
    const list = await raw('GET', `${staff}/appointments?status=SCHEDULED&ignored=x`);
    expect(list.status).toBe(200);
    const appointments = (JSON.parse(list.text) as { appointments: { appointmentId: string; status: string }[] }).appointments;
    expect(appointments.length).toBeGreaterThan(0);
    expect(appointments.every((a) => a.status === 'SCHEDULED')).toBe(true);
    const confirm = await raw('PUT', `${staff}/appointments/${encodeURIComponent(appointments[0]!.appointmentId)}/confirm`, {});
    expect(confirm.status).toBe(200);
    expect(JSON.parse(confirm.text)).toMatchObject({ appointmentId: appointments[0]!.appointmentId, status: 'CONFIRMED' });
    const missing = await raw('PUT', `${staff}/appointments/999999/cancel`, {});
    expect(JSON.parse(missing.text)).toMatchObject({ error: 'not_found', message: 'No such appointment' }); // the sandbox's own answer
    expect((await raw('GET', `${staff}/patients`)).status).toBe(200);
    // the desk's doctor column and booking form
    const calendars = await raw('GET', `${staff}/calendars`);
    expect(calendars.status).toBe(200);
    expect((JSON.parse(calendars.text) as { calendars: { id: string }[] }).calendars.length).toBeGreaterThan(0);
    const early = await raw('PUT', `${staff}/appointments/${encodeURIComponent(appointments[0]!.appointmentId)}/no-show`, {});
    expect(early.status).toBe(422); // its start is ahead: the sandbox's own refusal, passed through
    expect(JSON.parse(early.text)).toMatchObject({ error: 'no_show_too_early' });
  });
});
