import { describe, expect, it } from 'vitest';
import { DEMO_STAFF_TOKEN, demoConfig } from '../../src/config/demo.js';
import { validateConfig } from '../../src/config/load.js';
import { demoBannerLines } from '../../src/dev/index.js';

const URL = 'http://127.0.0.1:3000';

describe('the demo start-up lines', () => {
  it('print the demo staff token, the sandbox credentials and "press Start"', () => {
    const config = validateConfig(demoConfig(), {}, { demo: true });
    if (!config.ok) throw new Error(JSON.stringify(config.error));
    const lines = demoBannerLines(config.value, URL);
    expect(lines).toEqual([
      `  demo token ${DEMO_STAFF_TOKEN}  (staff API: Authorization: Bearer …; FRONTDESK_STAFF_TOKEN for broadcast)`,
      `  console    ${URL}/staff/  (sign in with the demo token)`,
      `  demo login demo-clinic:demo-api-key  (Basic: ${URL}/sandbox/demo-clinic/api/v1 and …/staff)`,
      `  try it     open ${URL}/dev and press Start to chat as a patient; the staff desk is beside the chat (a tab on a phone)`,
    ]);
  });

  it('print nothing for any other config: its secrets never reach the terminal', () => {
    const demo = validateConfig(demoConfig(), {}, { demo: true });
    if (!demo.ok) throw new Error('demo config');
    const real = { ...demo.value, staffTokens: ['a-real-staff-token-of-32-characters!'] };
    expect(demoBannerLines(real, URL)).toEqual([]);
    expect(demoBannerLines({ ...real, staffTokens: [] }, URL)).toEqual([]);
  });
});
