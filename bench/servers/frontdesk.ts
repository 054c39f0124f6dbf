/**
 * frontdesk in a process of its own (the whole app, as `frontdesk start` builds it, on the config of
 * ./config.ts), on 127.0.0.1 and an ephemeral port. Options in BENCH_OPTS (FrontdeskServerOptions).
 */
import { createFrontdesk } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { benchConfig, type FrontdeskServerOptions } from './config.js';
import { fail, options, serve } from './ipc.js';

async function main(): Promise<void> {
  const opts = options<FrontdeskServerOptions>();
  const fd = await createFrontdesk({ config: benchConfig(opts), logger: createLogger({ level: 'silent' }), namespace: opts.namespace });
  const url = await fd.listen(0, '127.0.0.1');
  serve(url, {}, () => fd.close());
}

main().catch(fail);
