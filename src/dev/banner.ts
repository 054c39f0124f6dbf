import { DEMO_STAFF_TOKEN } from '../config/demo.js';
import type { Config } from '../config/schema.js';

const label = (s: string) => `  ${s.padEnd(10)} `;

/**
 * The built-in demo's own start-up lines: the staff token and the sandbox credentials it runs with (both public by
 * design, src/config/demo.ts) and where to begin. Empty for any other config: only the demo's token is ever shown
 * (it is refused in every other config), so a real deployment's secrets never reach the terminal or its logs.
 */
export function demoBannerLines(config: Pick<Config, 'staffTokens' | 'dev' | 'sandbox' | 'facilities'>, url: string): string[] {
  if (!config.staffTokens.includes(DEMO_STAFF_TOKEN)) return [];
  const lines = [`${label('demo token')}${DEMO_STAFF_TOKEN}  (staff API: Authorization: Bearer …; FRONTDESK_STAFF_TOKEN for broadcast)`, `${label('console')}${url}/staff/  (sign in with the demo token)`];
  if (config.sandbox) {
    for (const f of config.facilities.filter((x) => x.provider.baseUrl === 'sandbox')) {
      lines.push(`${label('demo login')}${f.provider.userId}:${f.provider.apiKey}  (Basic: ${url}/sandbox/${f.id}/api/v1 and …/staff)`);
    }
  }
  if (config.dev) lines.push(`${label('try it')}open ${url}/dev and press Start to chat as a patient; the staff desk is beside the chat (a tab on a phone)`);
  return lines;
}
