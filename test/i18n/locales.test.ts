import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/core/index.js';
import { hasKey, loadLocaleFiles, renderReply, t } from '../../src/i18n/index.js';

const files = loadLocaleFiles();
function leaves(o: unknown, prefix = ''): string[] {
  if (typeof o === 'string' || Array.isArray(o)) return [prefix];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('locale files', () => {
  it('have the same keys in en, fil and id', () => {
    const en = leaves(files.en).sort();
    for (const l of LOCALES) expect(leaves(files[l]).sort()).toEqual(en);
  });

  it('use the same interpolation params per key', () => {
    for (const key of leaves(files.en).filter((k) => !k.startsWith('intents.'))) {
      const params = (l: (typeof LOCALES)[number]) => [...t(l, key).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      const raw = (l: (typeof LOCALES)[number]) => key.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], files[l]) as string;
      // a param may carry a format (`{{doctor, kay}}`: Filipino's "kay"/"sa" before a person or a service)
      const names = (l: (typeof LOCALES)[number]) => [...raw(l).matchAll(/\{\{(\w+)(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort();
      for (const l of LOCALES) expect(names(l), `${l}:${key}`).toEqual(names('en'));
      expect(params('en')).toBeDefined();
    }
  });

  it('every message key used in flows/ exists in all three locales', () => {
    const dir = new URL('../../flows/', import.meta.url);
    const used = new Set<string>();
    for (const f of (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/\bk\('([\w.]+)'\)/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(60);
    for (const key of used) for (const l of LOCALES) expect(hasKey(l, key), `${l}:${key}`).toBe(true);
    for (const s of ['SCHEDULED', 'RESCHEDULED', 'CONFIRMED', 'CANCELED', 'SHOW', 'NO_SHOW']) for (const l of LOCALES) expect(hasKey(l, `status.${s}`)).toBe(true);
  });
});

describe('renderReply', () => {
  it('formats date-times in the facility zone for the locale, translates choices and cards', () => {
    const r = renderReply(
      { key: 'book.done', params: { doctor: 'Dr. Cruz', startAt: '2026-12-01T01:30:00Z', reference: 'A1', details: [{ key: 'booking.arriveEarly' }] }, choices: [{ id: 'slot:x', key: 'choice.time', params: { slotTime: '2026-12-01T09:30:00+08:00' } }], card: { titleKey: 'book.summaryTitle', rows: [{ labelKey: 'card.when', value: { datetime: '2026-12-01T09:30:00+08:00' } }, { labelKey: 'card.name', value: 'Maria' }] } },
      'fil',
      'Asia/Manila',
    );
    expect(r.text).toBe('Naka-book na po kayo! Dr. Cruz sa Mar, Dis 1, 2026, 9:30 AM. Ang inyong reference number ay A1.\nPakidating po 15 minuto bago ang oras.');
    expect(r.choices).toEqual([{ id: 'slot:x', label: '9:30 AM' }]);
    expect(r.card).toEqual({ title: 'Ang inyong appointment', rows: [{ label: 'Petsa at oras', value: 'Mar, Dis 1, 2026, 9:30 AM' }, { label: 'Pangalan', value: 'Maria' }] });
    expect(renderReply({ key: 'slots.time', params: { slotDate: '2026-12-01' } }, 'id', 'Asia/Jakarta').text).toBe('Waktu berikut tersedia pada Sel, 1 Des 2026. Mana yang Anda pilih?');
    expect(renderReply({ key: 'mine.item', params: { startAt: '2026-12-01T02:00:00Z', doctor: 'X', type: 'Y', status: { key: 'status.CONFIRMED' }, reference: 'R' } }, 'en', 'Asia/Manila').text).toBe('Tue, Dec 1, 2026, 10:00 AM · X (Y) · confirmed · Ref. R');
  });
});
