/**
 * bottender 1.5.5's Viber webhook with an empty handler, run as bottender's docs run a custom server
 * ("Running Bottender with Custom Servers": express + body-parser keeping `rawBody`, every request handed
 * to `bottender().getRequestHandler()`). bottender is not a dependency of frontdesk: it is loaded from
 * bench/peers/node_modules (see ../peers.ts). It reads `bottender.config.js` and `index.js` from the
 * working directory, so both are written to a temporary directory and the process moves there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FACILITY, PATHS, SECRETS } from '../fixtures.js';
import { fail, serve } from './ipc.js';

type Handle = (req: unknown, res: unknown) => Promise<void>;
interface BottenderApp {
  prepare(): Promise<void>;
  getRequestHandler(): Handle;
}
interface ExpressApp {
  use(mw: unknown): void;
  all(path: string, fn: Handle): void;
  listen(port: number, host: string, cb: () => void): Server;
}
interface BodyParser {
  json(o: { verify: (req: { rawBody?: string }, res: unknown, buf: Buffer) => void }): unknown;
}

async function main(): Promise<void> {
  const peers = createRequire(new URL('../peers/package.json', import.meta.url));
  const { bottender } = peers('bottender') as { bottender: (o: { dev: boolean }) => BottenderApp };
  const express = peers('express') as () => ExpressApp;
  const bodyParser = peers('body-parser') as BodyParser;

  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-bottender-'));
  const channel = { enabled: true, path: PATHS.viber, accessToken: SECRETS.viberToken, sender: { name: "St Luke's" } };
  writeFileSync(join(dir, 'bottender.config.js'), `module.exports = ${JSON.stringify({ session: { driver: 'memory', stores: { memory: { maxSize: 500 } } }, channels: { viber: channel } })};\n`);
  writeFileSync(join(dir, 'index.js'), `module.exports = async function App() {}; // ${FACILITY}: the empty handler\n`);
  process.chdir(dir);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

  const app = bottender({ dev: false });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = express();
  server.use(bodyParser.json({ verify: (req, _res, buf) => void (req.rawBody = buf.toString()) }));
  server.all('*', (req, res) => handle(req, res));
  const http = await new Promise<Server>((resolve) => {
    const s = server.listen(0, '127.0.0.1', () => resolve(s));
  });
  serve(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {}, async () => {
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
  });
}

main().catch(fail);
