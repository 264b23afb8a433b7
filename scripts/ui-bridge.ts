/**
 * The browser test bridge: serves the built renderer (dist/renderer) to a plain browser and gives it
 * `window.crossdock` through a small shim that forwards every call over HTTP to a real engine, through
 * the same validated API the Electron IPC handlers use (createApi). Events go back over Server-Sent
 * Events. What only the shell can do (dialogs, opening files) is answered by test controls and recorded.
 *
 *   node dist/ui-bridge.mjs [--port 5173] [--data-dir DIR] [--system-lang en|ru]
 *
 * It prints "listening http://127.0.0.1:PORT" once ready. Only for development and tests: it listens on
 * 127.0.0.1 and is never part of the app.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { OpenDialogOptions } from 'electron';
import { createApi, forwardEvents, outcomeOf } from '../src-main/electron/ipc.ts';
import { EVENTS, type EventName, type MethodName, type UpdateStatus } from '../src-main/common/contract.ts';
import { CONTENT_TYPES } from '../src-main/electron/app-protocol.ts';
import { CSP } from '../src-main/electron/security.ts';
import { Engine } from '../src-main/engine/engine.ts';
import { StoredSecrets, type Cipher } from '../src-main/engine/secrets.ts';
import { defaultDataDir } from '../src-main/engine/paths.ts';
import { samplePath } from '../src-main/electron/samples.ts';

const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = resolve(arg('renderer') ?? join(here, 'renderer'));
const shimFile = join(here, 'ui-bridge', 'shim.js');
const dataDir = resolve(arg('data-dir') ?? join(defaultDataDir(), 'ui-bridge'));
const systemLanguage = arg('system-lang') === 'ru' ? 'ru' : 'en';
mkdirSync(dataDir, { recursive: true });

/** A stand-in for safeStorage: AES-256-GCM with a key kept in the bridge's data dir. */
function fileKeyCipher(dir: string): Cipher {
  const keyFile = join(dir, 'ui-bridge.key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  const key = readFileSync(keyFile);
  return {
    storage: 'encrypted',
    encrypt(text) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const engine = new Engine({ dataDir, secrets: (store) => new StoredSecrets(store, fileKeyCipher(dataDir)) });
engine.start();

// ── what the shell would do, answered by the tests ─────────────────────────────────────────────
const test = {
  files: [] as string[],
  folder: null as string | null,
  openError: '',
  calls: [] as {
    method: 'openPath' | 'showItemInFolder' | 'showOpenDialog' | 'checkForUpdates';
    path: string;
  }[],
  /** What the updater answers (a build without an update URL unless a test says otherwise). */
  update: { state: 'off', reason: 'no-url' } as UpdateStatus,
  /** false: the app as built without its sample request list. */
  sample: true,
};

const call = createApi(engine, {
  shell: {
    openPath: async (path: string) => {
      test.calls.push({ method: 'openPath', path });
      return test.openError;
    },
    showItemInFolder: (path: string) => {
      test.calls.push({ method: 'showItemInFolder', path });
    },
  },
  dialog: {
    showOpenDialog: async (options: OpenDialogOptions) => {
      const folder = options.properties?.includes('openDirectory');
      test.calls.push({ method: 'showOpenDialog', path: folder ? 'folder' : 'files' });
      const filePaths = folder ? (test.folder ? [test.folder] : []) : test.files;
      return { canceled: filePaths.length === 0, filePaths };
    },
  },
  appInfo: () => ({
    version: '0.1.0',
    shell: 'bridge',
    platform: process.platform,
    systemLanguage,
    dataDir,
    userName: engine.systemUserName,
  }),
  onError: (method, err) => {
    if (process.env.CROSSDOCK_BRIDGE_VERBOSE) console.error(`[${method}]`, err);
  },
  updates: {
    status: () => test.update,
    check: async () => {
      test.calls.push({ method: 'checkForUpdates', path: '' });
      return test.update;
    },
  },
  // The repository's assets, as the app in development finds them (dist/ui-bridge.mjs is one level down).
  samplePath: () => (test.sample ? samplePath(join(here, '..', 'assets')) : null),
});

// ── events: one SSE stream per page ────────────────────────────────────────────────────────────
const streams = new Set<ServerResponse>();
const broadcast = (event: string, payload: unknown) => {
  const frame = `data: ${JSON.stringify({ event, payload })}\n\n`;
  for (const res of streams) res.write(frame);
};
forwardEvents(engine, {
  isDestroyed: () => false,
  send: (channel, payload) => broadcast(channel.replace(/^crossdock:event:/, ''), payload),
});

// ── HTTP ─────────────────────────────────────────────────────────────────────────────────────────

async function body(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('The request is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value ?? null));
}

function serveFile(res: ServerResponse, file: string, transform?: (text: string) => string): void {
  if (!existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  const data = transform ? transform(readFileSync(file, 'utf8')) : readFileSync(file);
  // The same policy the app sends, so a test sees what the app would block.
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': CSP });
  res.end(data);
}

let uploads = 0;
const server = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    try {
      if (path.startsWith('/__bridge/call/') && req.method === 'POST') {
        const method = path.slice('/__bridge/call/'.length) as MethodName;
        const args = JSON.parse((await body(req)) || '[]') as unknown;
        // The same answer the IPC handlers give: the value, or the error's code, params and sentence.
        const outcome = await outcomeOf(() => call(method, Array.isArray(args) ? args : [args]));
        json(res, 200, outcome.ok ? { ok: true, value: outcome.value ?? null } : outcome);
        return;
      }
      if (path === '/__bridge/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': hello\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (path === '/__bridge/upload' && req.method === 'POST') {
        // A dropped File's bytes: kept under its own name, so the job sees a real file by that name.
        const name = basename((url.searchParams.get('name') ?? 'upload').replace(/[\\/]/g, '_')) || 'upload';
        const dir = await mkdtemp(join(dataDir, 'uploads', `${++uploads}-`).replace(/-$/, '-'));
        const target = join(dir, name);
        await pipeline(req, createWriteStream(target));
        json(res, 200, { path: target });
        return;
      }
      if (path === '/__bridge/test/state' && req.method === 'POST') {
        const patch = JSON.parse(await body(req)) as Partial<typeof test>;
        if (Array.isArray(patch.files)) test.files = patch.files.map(String);
        if (patch.folder !== undefined) test.folder = patch.folder === null ? null : String(patch.folder);
        if (typeof patch.openError === 'string') test.openError = patch.openError;
        if (Array.isArray(patch.calls)) test.calls = [];
        if (patch.update && typeof patch.update === 'object') test.update = patch.update;
        if (typeof patch.sample === 'boolean') test.sample = patch.sample;
        json(res, 200, test);
        return;
      }
      if (path === '/__bridge/test/state') return json(res, 200, test);
      if (path === '/__bridge/test/emit' && req.method === 'POST') {
        const { event, payload } = JSON.parse(await body(req)) as { event: EventName; payload: unknown };
        if (!EVENTS.includes(event)) return json(res, 400, { error: `no event ${String(event)}` });
        broadcast(event, payload);
        return json(res, 200, { ok: true });
      }
      if (path === '/__bridge/shim.js') return serveFile(res, shimFile);
      // The renderer, with the shim loaded before the app's module script.
      if (path === '/' || path === '/index.html')
        return serveFile(res, join(rendererDir, 'index.html'), (html) =>
          html.replace('<head>', '<head>\n    <script src="/__bridge/shim.js"></script>'),
        );
      const file = resolve(rendererDir, `.${path}`);
      if (!file.startsWith(rendererDir + sep)) return void res.writeHead(403).end('forbidden');
      serveFile(res, file);
    } catch (err) {
      json(res, 500, { ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
// Tests call it seconds apart (between them they write big files): an idle connection they reuse
// must still be open, or fetch fails with "other side closed" (Node closes idle ones after 5 s).
server.keepAliveTimeout = 10 * 60_000;

mkdirSync(join(dataDir, 'uploads'), { recursive: true });
server.listen(Number(arg('port') ?? 5173), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`listening http://127.0.0.1:${port}`);
});

const stop = async () => {
  for (const res of streams) res.end();
  server.close();
  await engine.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
