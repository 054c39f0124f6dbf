import { it } from 'vitest';
import { startSandboxWorld, JUAN } from '../support/sandbox-actors.js';
it('explore', async () => {
  const w = await startSandboxWorld();
  const chat = w.chat({ contact: {} });
  await chat.send('book').send('yes').send('Juan Dela Cruz').send('14/03/1985').send('09171234567').send('male').send('Laboratory').send('tomorrow').send('1').send('yes').send('my appointments').send('reschedule');
  for (const r of chat.replies) console.log(r.key, '|', r.text, r.choices?.map(c=>c.id+'='+c.label).join(', ') ?? '');
  console.log(JSON.stringify(chat.emitted.filter(e=>e.type!=='reply')));
  console.log(JSON.stringify(await w.staffAppointments({calendarId:'201'})));
  await w.close();
});
