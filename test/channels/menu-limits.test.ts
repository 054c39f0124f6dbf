import { describe, expect, it } from 'vitest';
import { MESSENGER_LIMITS, renderReply as messengerRender } from '../../channels/messenger/index.js';
import { renderViberReply, VIBER_MAX_BUTTONS } from '../../channels/viber/index.js';
import { renderReply as whatsappRender, WHATSAPP_LIMITS } from '../../channels/whatsapp/index.js';
import { k } from '../../flows/messages.js';
import { MENU_CHOICES, msg } from '../../flows/prompts.js';
import { CHOICE } from '../../flows/protocol.js';
import { LOCALES } from '../../src/core/index.js';
import { renderReply } from '../../src/i18n/index.js';

/** The real main menu (with "Clinic info") within every channel's limits, in each language. */
describe.each(LOCALES)('the main menu in %s', (locale) => {
  const reply = renderReply(msg(k('menu.prompt'), undefined, MENU_CHOICES), locale, 'Asia/Manila');

  it('offers Clinic info last, every entry tappable or numbered', () => {
    expect(reply.choices!.at(-1)!.id).toBe(CHOICE.menu.info);
    expect(reply.choices!.length).toBeLessThanOrEqual(Math.min(MESSENGER_LIMITS.quickReplies, VIBER_MAX_BUTTONS, WHATSAPP_LIMITS.listRows));
  });

  it('fits Messenger (quick replies ≤ 13 with titles ≤ 20, else a numbered list naming every entry)', () => {
    const out = messengerRender(reply);
    const quick = out.flatMap((m) => ('quick_replies' in m && m.quick_replies ? m.quick_replies : []));
    if (quick.length) {
      expect(quick.length).toBeLessThanOrEqual(MESSENGER_LIMITS.quickReplies);
      for (const q of quick) expect('title' in q ? q.title.length : 0).toBeLessThanOrEqual(MESSENGER_LIMITS.quickReplyTitle);
    } else {
      const text = out.map((m) => ('text' in m ? m.text : '')).join('\n');
      reply.choices!.forEach((c, i) => expect(text).toContain(`${i + 1}. ${c.label}`));
    }
  });

  it('fits a Viber keyboard and a WhatsApp list', () => {
    const viber = renderViberReply(reply, { name: 'Clinic' });
    const buttons = viber.flatMap((m) => m.keyboard?.Buttons ?? []);
    expect(buttons.length).toBe(reply.choices!.length);
    expect(buttons.length).toBeLessThanOrEqual(VIBER_MAX_BUTTONS);
    const wa = whatsappRender(reply, { listButton: 'Options' });
    const list = wa.flatMap((m) => (m.type === 'interactive' && m.interactive.type === 'list' ? m.interactive.action.sections.flatMap((s) => s.rows) : []));
    expect(list.map((r) => r.id)).toEqual(reply.choices!.map((c) => c.id));
  });
});
