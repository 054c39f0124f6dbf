import { describe, expect, it } from 'vitest';
import { LOCALE_DATA } from '../../flows/messages.js';
import { findOptOutInstructions } from '../../channels/sms/index.js';
import { facilityConfig } from '../../src/config/schema.js';
import { renderReply } from '../../src/i18n/index.js';
import { emergencyNumbers } from '../../src/engine/special-events.js';
import { expandPhrase, RED_FLAG_PHRASES, redFlag, redFlagWords, type RedFlagCategory } from '../../flows/red-flags.js';

type Case = [string, RedFlagCategory];

const ENGLISH: Case[] = [
  ['I have chest pain', 'chest_pain'],
  ['CHEST PAIN!!!', 'chest_pain'],
  ['my father has severe chest pains since this morning', 'chest_pain'],
  ['there is pressure in my chest', 'chest_pain'],
  ['I think he is having a heart attack', 'chest_pain'],
  ["I can't breathe", 'breathing'],
  ['i cant breathe', 'breathing'],
  ['I can’t breathe properly', 'breathing'],
  ['she cannot breath', 'breathing'],
  ['my son can not breathe', 'breathing'],
  ['difficulty breathing since last night', 'breathing'],
  ['difficulty in breathing', 'breathing'],
  ['I am short of breath', 'breathing'],
  ['shortness of breath', 'breathing'],
  ['my baby is choking', 'breathing'],
  ['heavy bleeding after giving birth', 'bleeding'],
  ['the wound is bleeding heavily', 'bleeding'],
  ["the bleeding won't stop", 'bleeding'],
  ['he is vomiting blood', 'bleeding'],
  ['my grandmother is unconscious', 'unconscious'],
  ['he fainted and is not waking', 'unconscious'],
  ['she passed out', 'unconscious'],
  ["he's not breathing", 'unconscious'],
  ['her face is drooping', 'stroke'],
  ['slurred speech and weak arm', 'stroke'],
  ['I think my dad is having a stroke', 'stroke'],
  ['my son is having a seizure', 'seizure'],
  ['she is convulsing', 'seizure'],
  ['I want to kill myself', 'suicide'],
  ['i want to die', 'suicide'],
  ['I wanna die', 'suicide'],
  ['thinking about suicide', 'suicide'],
  ['I keep cutting myself', 'suicide'],
  ['self-harm', 'suicide'],
  ['my toddler swallowed bleach', 'overdose'],
  ['she took too many pills', 'overdose'],
  ['I think I overdosed', 'overdose'],
  ['severe allergic reaction to shrimp', 'allergy'],
  ['my throat is swelling', 'allergy'],
  ['anaphylaxis', 'allergy'],
];

const FILIPINO: Case[] = [
  ['sakit sa dibdib', 'chest_pain'],
  ['Masakit ang dibdib ko', 'chest_pain'],
  ['sumasakit yung dibdib ng tatay ko', 'chest_pain'],
  ['inaatake sa puso si lolo', 'chest_pain'],
  ['hindi makahinga ang anak ko', 'breathing'],
  ['di makahinga', 'breathing'],
  ['nahihirapang huminga si nanay', 'breathing'],
  ['hirap huminga', 'breathing'],
  ['dumudugo nang malakas', 'bleeding'],
  ['hindi tumitigil ang pagdurugo', 'bleeding'],
  ['walang malay si lola', 'unconscious'],
  ['nawalan ng malay ang asawa ko', 'unconscious'],
  ['hinimatay siya', 'unconscious'],
  ['hindi na humihinga', 'unconscious'],
  ['na-stroke yata si tatay', 'stroke'],
  ['tabingi ang mukha niya', 'stroke'],
  ['nangingisay ang bata', 'seizure'],
  ['magpapakamatay na ako', 'suicide'],
  ['gusto ko nang mamatay', 'suicide'],
  ['ayoko nang mabuhay', 'suicide'],
  ['uminom ng lason', 'overdose'],
  ['nag-overdose siya', 'overdose'],
  ['namamaga ang lalamunan ko', 'allergy'],
];

const INDONESIAN: Case[] = [
  ['nyeri dada', 'chest_pain'],
  ['Sakit dada sejak pagi', 'chest_pain'],
  ['dada saya terasa sakit', 'chest_pain'],
  ['sepertinya serangan jantung', 'chest_pain'],
  ['sesak napas', 'breathing'],
  ['Sesak nafas dari tadi malam', 'breathing'],
  ['anak saya tidak bisa bernapas', 'breathing'],
  ['gak bisa napas', 'breathing'],
  ['susah bernafas', 'breathing'],
  ['pendarahan hebat setelah melahirkan', 'bleeding'],
  ['darahnya tidak mau berhenti', 'bleeding'],
  ['ibu saya tidak sadarkan diri', 'unconscious'],
  ['Ayah pingsan', 'unconscious'],
  ['tak sadarkan diri', 'unconscious'],
  ['wajahnya mencong sebelah', 'stroke'],
  ['mulutnya tiba-tiba miring', 'stroke'],
  ['bicaranya pelo', 'stroke'],
  ['kayaknya kena stroke', 'stroke'],
  ['anak saya kejang-kejang', 'seizure'],
  ['saya mau bunuh diri', 'suicide'],
  ['aku ingin mati saja', 'suicide'],
  ['adik saya keracunan', 'overdose'],
  ['minum racun tikus', 'overdose'],
  ['reaksi alergi parah', 'allergy'],
];

/** must not trigger: services, tests, records, names */
const NOT_RED_FLAGS = [
  'chest x-ray appointment',
  'I need a chest xray',
  'Chest X ray po',
  'pain clinic',
  'book the chest pain clinic',
  'breathing test',
  'spirometry',
  'blood test',
  'I need my blood test results',
  'my mother died last year and I need her records',
  'Dr. Diego please',
  'Dr Diego Dela Cruz',
  'check-up for my heart',
  'I had a stroke of luck',
  'stroke clinic follow-up',
  'cough and colds',
  'sakit ng ulo',
  'masakit ang tiyan',
  'ubo at sipon',
  'pemeriksaan darah',
  'saya tidak sadar jadwalnya besok',
  'mati lampu di rumah',
  'rontgen dada',
  'konsultasi dokter paru',
  'allergy test',
  'physical therapy',
  'I cannot come tomorrow',
  'I can’t make it on Monday',
  'hindi ako makakarating bukas',
  'tidak bisa datang besok',
  'cancel',
  'book',
];

describe('red flags', () => {
  it.each(ENGLISH)('en: "%s" is %s', (text, category) => {
    expect(redFlag(text)).toEqual({ category, locale: 'en' });
  });
  it.each(FILIPINO)('fil: "%s" is %s', (text, category) => {
    expect(redFlag(text)).toEqual({ category, locale: 'fil' });
  });
  it.each(INDONESIAN)('id: "%s" is %s', (text, category) => {
    expect(redFlag(text)).toEqual({ category, locale: 'id' });
  });
  it.each(NOT_RED_FLAGS)('"%s" is not a red flag', (text) => {
    expect(redFlag(text)).toBeUndefined();
  });

  it('covers every category in every language', () => {
    const categories = new Set(RED_FLAG_PHRASES.map((r) => r.category));
    for (const locale of ['en', 'fil', 'id'] as const) {
      expect(new Set(RED_FLAG_PHRASES.filter((r) => r.locale === locale).map((r) => r.category)), locale).toEqual(categories);
    }
  });

  it('finds the phrase anywhere in a long message, and only the first one', () => {
    expect(redFlag('Good morning po, I would like to book for my father but right now he has chest pain and cannot breathe')).toEqual({ category: 'chest_pain', locale: 'en' });
  });

  it('reads any word, even one an object prototype knows', () => {
    expect(redFlag('constructor toString __proto__ hasOwnProperty')).toBeUndefined();
    expect(redFlagWords('constructor')).toEqual(['constructor']);
  });

  it('matches whole words only', () => {
    expect(redFlag('chestpain')).toBeUndefined();
    expect(redFlag('unpingsan')).toBeUndefined();
    expect(redFlag('kejangan')).toBeUndefined();
  });

  it('normalizes case, accents, punctuation and contractions', () => {
    expect(redFlagWords("I CAN'T  breathe!!")).toEqual(['i', 'cannot', 'breathe']);
    expect(redFlagWords('can not')).toEqual(['cannot']);
    expect(redFlagWords('it won’t stop')).toEqual(['it', 'will', 'not', 'stop']);
    expect(redFlagWords('Sésak nafas')).toEqual(['sesak', 'napas']);
    expect(redFlag('SAKIT SA DIBDIB!!!')).toEqual({ category: 'chest_pain', locale: 'fil' });
  });

  it('expands a phrase into its word sequences', () => {
    expect(expandPhrase('a|b+c d?')).toEqual([['a', 'd'], ['a'], ['b', 'c', 'd'], ['b', 'c']]);
  });

  it('no text the bot itself shows (menu words, labels, prompts) is a red flag', () => {
    const leaves = (o: unknown): string[] => (typeof o === 'string' ? [o] : Array.isArray(o) ? o.flatMap(leaves) : Object.entries(o as object).filter(([k]) => k !== 'redflag').flatMap(([, v]) => leaves(v)));
    for (const [locale, data] of Object.entries(LOCALE_DATA)) {
      for (const text of leaves(data)) expect(redFlag(text), `${locale}: ${text}`).toBeUndefined();
    }
  });

  it('is linear in the text length', () => {
    const long = 'sakit sa ulo '.repeat(20_000);
    const started = performance.now();
    expect(redFlag(long)).toBeUndefined();
    expect(redFlag(`${long} nyeri dada`)).toEqual({ category: 'chest_pain', locale: 'id' });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('emergency numbers', () => {
  const facility = (extra: Record<string, unknown>) =>
    facilityConfig.parse({ id: 'f', name: 'F', timezone: 'Asia/Manila', provider: { baseUrl: 'sandbox', userId: 'u', apiKey: 'k', webhookSecret: 'whsec_dGVzdA==' }, ...extra });

  it('come from the facility country unless configured', () => {
    expect(emergencyNumbers(facility({}))).toEqual({ national: ['911'] });
    expect(emergencyNumbers(facility({ country: 'ID', timezone: 'Asia/Jakarta' }))).toEqual({ national: ['112', '119'] });
    expect(emergencyNumbers(facility({ country: 'SG', timezone: 'Asia/Singapore' }))).toEqual({ national: ['995'] });
    expect(emergencyNumbers(facility({ country: 'MY' }))).toEqual({ national: [] });
    expect(emergencyNumbers(facility({ emergency: { phone: '+63 2 8789 7700', national: ['117'] } }))).toEqual({ phone: '+63 2 8789 7700', national: ['117'] });
  });

  it('are refused when they are not phone numbers', () => {
    expect(facilityConfig.safeParse({ ...facility({}), emergency: { national: ['call us'] } }).success).toBe(false);
    expect(facilityConfig.safeParse({ ...facility({}), emergency: { national: [] } }).success).toBe(false);
    expect(facilityConfig.safeParse({ ...facility({}), emergency: { phone: '' } }).success).toBe(false);
  });
});

describe('the red-flag reply', () => {
  const numbers = [
    { key: 'redflag.numbers.both', params: { facility: "St. Luke's", phone: '+63 2 8789 7700', national: '112 / 119' } },
    { key: 'redflag.numbers.facility', params: { facility: "St. Luke's", phone: '+63 2 8789 7700' } },
    { key: 'redflag.numbers.national', params: { national: '911' } },
    { key: 'redflag.numbers.none' },
  ];
  it.each(['en', 'fil', 'id'] as const)('%s: every variant renders whole, safe for SMS, and is no red flag itself', (locale) => {
    for (const n of numbers) {
      const { text } = renderReply({ key: 'redflag.reply', params: { numbers: n } }, locale, 'Asia/Manila');
      expect(text).not.toMatch(/\{\{|redflag\./);
      for (const v of Object.values(n.params ?? {})) expect(text).toContain(v);
      expect(findOptOutInstructions(text)).toEqual([]);
      expect(redFlag(text)).toBeUndefined();
    }
  });
});
