import { it } from 'vitest';
import { DateTime } from 'luxon';
import { eventually, startFrontdesk, startPlatforms, staffCall, testConfig } from '../support/frontdesk.js';
it('spike', async () => {
  const platforms = await startPlatforms();
  const fd = await startFrontdesk(testConfig({ platformsUrl: platforms.url }));
  const day = DateTime.now().setZone('Asia/Manila').plus({ days: 4 });
  const start = day.set({ hour: 14, minute: 0, second: 0, millisecond: 0 }).toISO();
  const r = await staffCall(fd.base, 'POST', '/appointments', { calendarId: '102', appointmentTypeId: '1011', start, patient: { name: 'Test Person', phone: '+639171110001' }, overbook: true });
  console.log(r);
  await eventually(() => platforms.twilio().length > 0, 'sms');
  console.log(JSON.stringify(platforms.twilio(), null, 1));
  console.log(await fd.store.appointments.get('st-lukes', r.body.appointmentId));
  await fd.close(); await platforms.close();
});
