import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, STACK_FRAME } from './support.js';

/** Every option each command takes, written out here (not read from the source): help and README must list these. */
const OPTIONS: Record<string, string[]> = {
  start: [],
  sandbox: ['--port', '--host', '--webhook-url', '--state-file'],
  broadcast: ['--facility', '--date', '--calendar', '--message', '--dry-run', '--url', '--token'],
  'sync-calendars': ['--facility', '--url'],
  conformance: ['--facility', '--url', '--base-url', '--user', '--key', '--timezone', '--write', '--webhooks', '--webhook-secret', '--webhook-port', '--webhook-public-url', '--wait-ms', '--json'],
  'setup-webhooks': ['--apply', '--facility'],
  help: [],
};
const COMMANDS = Object.keys(OPTIONS);

/** the options a command's help lists, from its "Options:" section ("  --name VALUE  text", "  -h, --help  text") */
function listedOptions(help: string): string[] {
  const section = help.split(/^Options:$/m)[1]?.split(/\n\n/)[0] ?? '';
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe('help: every command, every option', () => {
  it('`help` names every command with its options', async () => {
    const r = await run(['help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    for (const o of new Set(Object.values(OPTIONS).flat())) expect(r.out).toContain(o);
    expect(r.out).toContain('npx frontdesk help <command>');
  });

  it.each(COMMANDS)('`help %s`, `--help` and `-h` list exactly its options, the same text', async (command) => {
    const [viaHelp, viaFlag, viaShort] = await Promise.all([run(['help', command]), run([command, '--help']), run([command, '-h'])]);
    expect(viaHelp.code, viaHelp.err).toBe(0);
    expect(viaHelp.out).toMatch(new RegExp(`^Usage: npx frontdesk ${command}\\b`, 'm'));
    expect(sorted(listedOptions(viaHelp.out))).toEqual(sorted([...OPTIONS[command]!, '--help']));
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.out).toBe(viaHelp.out);
    expect(viaShort.out).toBe(viaHelp.out);
    expect(viaHelp.err + viaFlag.err).toBe('');
  });

  it('the URL-taking commands say where the server is when --url is not given', async () => {
    for (const c of ['broadcast', 'sync-calendars', 'conformance']) expect((await run(['help', c])).out).toContain('default http://127.0.0.1:$PORT');
  });

  it('the README "Command line" table names exactly the options each command takes', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.split(/^## Command line.*$/m)[1]!.split(/^## /m)[0]!;
    const rows = new Map<string, string>();
    for (const line of section.split('\n')) {
      const m = /^\| `([a-z-]+)[^|]*/.exec(line);
      if (m) rows.set(m[1]!, line);
    }
    expect(sorted(rows.keys())).toEqual(sorted(COMMANDS));
    // --help goes with every command: a row may mention it or not
    for (const [command, row] of rows) expect(sorted((row.match(/--[a-z][a-z-]*/g) ?? []).filter((o) => o !== '--help')), `README row of ${command}`).toEqual(sorted(OPTIONS[command]!));
  });
});

describe('wrong arguments: one line, exit 2', () => {
  it('an unknown option, for every command', async () => {
    const commands = COMMANDS.filter((c) => c !== 'help');
    const runs = await Promise.all(commands.map((c) => run([c, '--bogus'])));
    for (const [i, c] of commands.entries()) {
      const r = runs[i]!;
      expect(r.code, `${c}: ${r.err}`).toBe(2);
      expect(r.errLines).toEqual([`frontdesk ${c}: Unknown option '--bogus'; \`npx frontdesk help ${c}\` lists its options`]);
      expect(r.out).toBe('');
    }
  });

  it('a near miss is named; an option a command takes another way says which way', async () => {
    const [typo, port, missing, positional] = await Promise.all([run(['sandbox', '--prot', '4011']), run(['start', '--port', '3001']), run(['broadcast', '--facility']), run(['sync-calendars', 'demo-clinic'])]);
    expect(typo.errLines).toEqual(["frontdesk sandbox: Unknown option '--prot' (did you mean --port?); `npx frontdesk help sandbox` lists its options"]);
    expect(port.errLines).toEqual([`frontdesk start: Unknown option '--port' (set PORT=N, or "port" in the config); \`npx frontdesk help start\` lists its options`]);
    expect(missing.errLines).toEqual(["frontdesk broadcast: Option '--facility <value>' argument missing; `npx frontdesk help broadcast` lists its options"]);
    expect(positional.errLines).toEqual(["frontdesk sync-calendars: Unexpected argument 'demo-clinic'; `npx frontdesk help sync-calendars` lists its options"]);
    for (const r of [typo, port, missing, positional]) {
      expect(r.code).toBe(2);
      expect(r.err).not.toMatch(STACK_FRAME);
    }
  });

  it('an unknown command, or help for one: one line with the commands', async () => {
    const [unknown, help] = await Promise.all([run(['sandbx']), run(['help', 'frobnicate'])]);
    expect(unknown.code).toBe(2);
    expect(unknown.errLines).toEqual([`frontdesk: unknown command "sandbx" (did you mean sandbox?); the commands are ${COMMANDS.join(', ')} (\`npx frontdesk help\`)`]);
    expect(help.code).toBe(2);
    expect(help.errLines).toHaveLength(1);
    expect(help.err).toContain('unknown command "frobnicate"');
  });

  it('sandbox --port out of range, and a missing required option', async () => {
    const [port, required] = await Promise.all([run(['sandbox', '--port', '70000']), run(['broadcast', '--date', '2026-03-02'])]);
    expect(port.code).toBe(2);
    expect(port.errLines).toEqual(['frontdesk sandbox: --port must be a port number from 0 to 65535 (got "70000")']);
    expect(required.code).toBe(2);
    expect(required.errLines).toEqual(['frontdesk broadcast: --facility and --date are required; `npx frontdesk help broadcast` lists the options']);
  });
});
