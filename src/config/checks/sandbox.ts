import { facilityPath, rec, str, type ConfigInput, type Report } from './input.js';
import { isSandboxProvider } from './urls.js';

/** The sandbox, and the dev chat that only makes sense with it. */
export function sandboxAndDevRules({ root, facilities }: ConfigInput, add: Report): void {
  facilities.forEach((f, i) => {
    if (rec(f.provider)?.baseUrl === 'sandbox' && root.sandbox !== true) {
      add(facilityPath(i, 'provider', 'baseUrl'), '"sandbox" needs "sandbox": true (the sandbox provider mounted in this server)');
    }
  });
  if (root.dev === true) {
    const others = facilities.flatMap((f, i) => (isSandboxProvider(rec(f.provider)?.baseUrl) ? [] : [`facilities[${i}]${str(f.id) ? ` ("${str(f.id)}")` : ''}`]));
    if (others.length > 0) {
      add('dev', `the dev chat (anyone can chat as any patient, and act as the desk) is only for facilities on the sandbox provider; not on it: ${others.join(', ')}`);
    }
  }
}

export function smsPublicUrlRule({ root, facilities }: ConfigInput, add: Report): void {
  if (facilities.some((f) => rec(f.channels)?.sms !== undefined) && root.publicUrl === undefined) {
    add('publicUrl', 'required when SMS is configured (Twilio signs publicUrl + path)');
  }
}
