import type { LocaleCode } from '../src/core/index.js';

/**
 * Red flags: emergency phrases in English, Filipino and Bahasa Indonesia. Deterministic (no fuzzy
 * matching: a typo is not guessed into an emergency, nor an emergency out of one), word-bounded, and
 * linear in the text's length (a trie walk of at most the longest phrase from each word).
 */

export type RedFlagCategory =
  | 'chest_pain'
  | 'breathing'
  | 'bleeding'
  | 'unconscious'
  | 'stroke'
  | 'seizure'
  | 'suicide'
  | 'overdose'
  | 'allergy';

export interface RedFlag {
  category: RedFlagCategory;
  /** the language of the phrase that matched */
  locale: LocaleCode;
}

/**
 * The phrases, as normalized words (see `redFlagWords`). In a phrase, `a|b` is one word of several, `+`
 * joins the words of one alternative (`a+lot`) and a trailing `?` makes the word optional (`ang|sa?`:
 * "ang", "sa" or nothing). Contractions are already
 * expanded by normalization: "can't", "cant" and "can not" are all "cannot", "won't" is "will not".
 */
export const RED_FLAG_PHRASES: readonly { category: RedFlagCategory; locale: LocaleCode; phrases: readonly string[] }[] = [
  { category: 'chest_pain', locale: 'en', phrases: ['chest pain|pains|pressure|tightness', 'pain|pains|pressure|tightness in my|the|his|her? chest', 'chest is|feels? hurting|hurts|tight|heavy|painful', 'my|his|her chest hurts', 'heart attack'] },
  { category: 'breathing', locale: 'en', phrases: ['cannot|could+not|unable+to breathe|breath', 'can barely breathe|breath', 'cannot catch my|his|her breath', 'hard|difficult|trouble|struggling to breathe', 'difficulty|trouble|hard+time in? breathing', 'short of breath', 'shortness of breath', 'gasping for air|breath', 'choking'] },
  { category: 'bleeding', locale: 'en', phrases: ['heavy|heavily|severe|serious|uncontrolled|profuse|massive|excessive bleeding', 'bleeding heavily|badly|profusely|nonstop|a+lot', 'bleeding will|does|do|would not stop', 'bleeding is? not stopping', 'cannot stop the? bleeding', 'lots+of|a+lot+of|so+much blood|bleeding', 'losing blood', 'vomiting|coughing|throwing+up|vomited|coughed|threw+up blood'] },
  { category: 'unconscious', locale: 'en', phrases: ['unconscious', 'unresponsive', 'passed out', 'fainted', 'collapsed', 'lost consciousness', 'not breathing', 'stopped breathing', 'no pulse', 'will not wake up', 'cannot wake'] },
  { category: 'stroke', locale: 'en', phrases: ['having a? stroke', 'stroke symptoms|signs', 'signs of a? stroke', 'face|mouth drooping|droops|droop', 'face|mouth is drooping', 'drooping face|mouth', 'facial droop|drooping', 'slurred speech|words', 'speech is slurred', 'slurring'] },
  { category: 'seizure', locale: 'en', phrases: ['having|had a? seizure|fit', 'seizing', 'convulsing', 'convulsion|convulsions'] },
  { category: 'suicide', locale: 'en', phrases: ['suicide', 'suicidal', 'kill|killing myself', 'end my life', 'end it all', 'take my own life', 'want|going to die', 'do not want to live', 'wish i was|were dead', 'better off dead', 'hurt|hurting|harm|harming|cut|cutting myself', 'self harm|harming|injury'] },
  { category: 'overdose', locale: 'en', phrases: ['overdose', 'overdosed', 'too many pills|tablets|meds|medicines', 'swallowed|drank|ate|took poison|bleach|pesticide|insecticide', 'poisoned', 'poisoning'] },
  { category: 'allergy', locale: 'en', phrases: ['anaphylaxis', 'anaphylactic', 'severe|serious|bad allergic reaction', 'throat is? swelling|closing', 'tongue|lips|face is? swelling', 'swollen throat|tongue'] },

  { category: 'chest_pain', locale: 'fil', phrases: ['sakit sa|ng dibdib', 'masakit|sumasakit|kumikirot|naninikip|masikip ang|yung|sa? dibdib', 'paninikip ng dibdib', 'dibdib ko? masakit|sumasakit|naninikip', 'atake sa puso', 'inaatake sa puso'] },
  { category: 'breathing', locale: 'fil', phrases: ['hindi|di makahinga', 'hirap|mahirap|nahihirapan|nahihirapang ako|akong|siya|siyang? huminga|makahinga', 'hinihingal', 'kinakapos ng|sa? hininga', 'kapos sa hininga', 'nabubulunan'] },
  { category: 'bleeding', locale: 'fil', phrases: ['dumudugo nang|ng malakas', 'malakas ang|na? pagdurugo|dugo', 'matinding pagdurugo', 'hindi|ayaw tumitigil|tumigil ang|yung? pagdurugo|dugo|pagdugo', 'sumusuka|umuubo ng dugo', 'maraming dugo', 'duguan'] },
  { category: 'unconscious', locale: 'fil', phrases: ['walang malay', 'nawalan siya|ako? ng malay', 'hinimatay', 'nahimatay', 'hindi|di na? humihinga', 'hindi|di|ayaw magising'] },
  { category: 'stroke', locale: 'fil', phrases: ['na stroke', 'nastroke', 'ini stroke', 'inistroke', 'tabingi|nakangiwi ang|yung|na? mukha|bibig', 'bulol magsalita', 'biglang nabulol', 'hindi makapagsalita'] },
  { category: 'seizure', locale: 'fil', phrases: ['nangingisay', 'nangisay', 'kinukumbulsyon', 'kinokombulsyon', 'kumbulsyon', 'kombulsyon', 'nag seizure', 'nagseizure', 'nagseseizure'] },
  { category: 'suicide', locale: 'fil', phrases: ['magpapakamatay', 'magpakamatay', 'nagpakamatay', 'patayin|papatayin ko? ang|yung? sarili', 'gusto ko|kong? nang|na|ng? mamatay', 'ayoko|ayaw+ko nang|na? mabuhay', 'saktan|sasaktan ko? ang|yung? sarili', 'tapusin ang|yung? buhay ko'] },
  { category: 'overdose', locale: 'fil', phrases: ['nag overdose', 'nagoverdose', 'na overdose', 'nalason', 'nakalunok|uminom|ininom ng|ang? lason|bleach|muriatic|zonrox', 'uminom ng maraming gamot|tableta'] },
  { category: 'allergy', locale: 'fil', phrases: ['matindi|matinding|malalang allergy', 'namamaga|sumisikip ang|yung? lalamunan|dila|labi'] },

  { category: 'chest_pain', locale: 'id', phrases: ['nyeri|sakit di? dada', 'dada|dadaku saya|aku? terasa? sakit|nyeri|sesak|berat|tertekan', 'serangan jantung'] },
  { category: 'breathing', locale: 'id', phrases: ['sesak napas', 'napasnya sesak', 'sulit|susah|sukar|kesulitan bernapas|napas', 'tidak bisa bernapas|napas', 'napas tersengal', 'tersedak'] },
  { category: 'bleeding', locale: 'id', phrases: ['pendarahan|perdarahan hebat|parah|banyak|berat', 'berdarah hebat|banyak|terus|parah', 'darah|darahnya|pendarahan|perdarahan tidak mau|bisa? berhenti', 'muntah|batuk darah'] },
  { category: 'unconscious', locale: 'id', phrases: ['tidak sadarkan diri', 'hilang|kehilangan kesadaran', 'pingsan', 'tidak bernapas', 'berhenti bernapas', 'tidak bangun bangun', 'tidak bisa dibangunkan'] },
  { category: 'stroke', locale: 'id', phrases: ['kena|terkena|serangan|gejala stroke', 'wajah|wajahnya|muka|mukanya|mulut|mulutnya tiba+tiba|mendadak? mencong|miring|perot|merot', 'bicara|bicaranya|ngomong|ngomongnya pelo|cadel', 'lumpuh sebelah|separuh'] },
  { category: 'seizure', locale: 'id', phrases: ['kejang'] },
  { category: 'suicide', locale: 'id', phrases: ['bunuh diri', 'ingin|mau|pengen|pengin mati', 'mengakhiri hidup', 'menyakiti|melukai diri', 'tidak ingin|mau hidup lagi'] },
  { category: 'overdose', locale: 'id', phrases: ['overdosis', 'keracunan', 'minum|menelan racun|pemutih|baygon', 'minum|menelan obat nyamuk', 'minum|menelan obat terlalu banyak', 'kebanyakan minum? obat'] },
  { category: 'allergy', locale: 'id', phrases: ['anafilaksis', 'reaksi? alergi parah|berat|hebat', 'tenggorokan|lidah|bibir bengkak'] },
];

/**
 * A phrase right before one of these words names a service, not a symptom ("chest pain clinic"); only
 * words that cannot follow a symptom in a sentence are here.
 */
const SERVICE_WORDS = new Set(['clinic', 'clinics', 'klinik', 'klinika', 'center', 'centre', 'unit', 'department']);

/** One-word spellings that mean the same word in the phrases (contractions, chat spellings). */
const CANONICAL = new Map<string, string>(Object.entries({
  cant: 'cannot', couldnt: 'could not', wont: 'will not', doesnt: 'does not', dont: 'do not', didnt: 'did not', isnt: 'is not', wouldnt: 'would not',
  wanna: 'want to', gonna: 'going to', breth: 'breath', breathin: 'breathing', bleedin: 'bleeding',
  // Bahasa Indonesia: "nafas" and "napas" are both written; "gak", "tak", "tdk"… are "tidak"
  nafas: 'napas', bernafas: 'bernapas', nafasnya: 'napasnya', tdk: 'tidak', gak: 'tidak', ga: 'tidak', nggak: 'tidak', ngga: 'tidak', enggak: 'tidak', tak: 'tidak', gabisa: 'tidak bisa', sy: 'saya', bs: 'bisa',
  // Filipino chat spellings
  d: 'di', ndi: 'hindi', hnd: 'hindi', hndi: 'hindi',
}));

/**
 * The words of a text as the phrases are written: lower case, accents folded, apostrophes dropped
 * ("can't" → "cant"), other punctuation a space, then the canonical spelling of each word.
 */
export function redFlagWords(text: string): string[] {
  const words = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .flatMap((w) => (w ? (CANONICAL.get(w) ?? w).split(' ') : []));
  const out: string[] = [];
  for (const w of words) {
    if (w === 'not' && out.at(-1) === 'can') out[out.length - 1] = 'cannot';
    else out.push(w);
  }
  return out;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  flag?: RedFlag;
}

/** Every word sequence a phrase stands for: `a|b+c d?` → [a, d], [a], [b, c, d], [b, c]. */
export function expandPhrase(phrase: string): string[][] {
  let seqs: string[][] = [[]];
  for (const part of phrase.split(' ')) {
    const optional = part.endsWith('?');
    const alternatives = (optional ? part.slice(0, -1) : part).split('|');
    seqs = seqs.flatMap((s) => [...alternatives.map((a) => [...s, ...a.split('+')]), ...(optional ? [s] : [])]);
  }
  return seqs;
}

function buildTrie(): TrieNode {
  const root: TrieNode = { next: new Map() };
  for (const { category, locale, phrases } of RED_FLAG_PHRASES) {
    for (const seq of phrases.flatMap(expandPhrase)) {
      let node = root;
      for (const w of seq) {
        let child = node.next.get(w);
        if (!child) node.next.set(w, (child = { next: new Map() }));
        node = child;
      }
      // a sequence two languages share keeps the first language's entry
      node.flag ??= { category, locale };
    }
  }
  return root;
}

let trie: TrieNode | undefined;

/** The first emergency phrase in the text, by position, or undefined. */
export function redFlag(text: string | undefined): RedFlag | undefined {
  if (!text) return undefined;
  const root = (trie ??= buildTrie());
  const words = redFlagWords(text);
  for (let i = 0; i < words.length; i++) {
    let node: TrieNode | undefined = root;
    let found: RedFlag | undefined;
    for (let j = i; j < words.length && node; j++) {
      node = node.next.get(words[j]!);
      // the longest phrase from here counts, unless a service word follows it
      if (node?.flag) found = SERVICE_WORDS.has(words[j + 1] ?? '') ? undefined : node.flag;
    }
    if (found) return found;
  }
  return undefined;
}
