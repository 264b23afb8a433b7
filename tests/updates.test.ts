// The app's updates (src-main/electron/updates.ts): the state machine with a fake updater, and with
// electron-updater's own updater (NsisUpdater, as on Windows) against a local HTTP server that serves
// latest.yml and an installer, with a fake app in place of Electron's (no Electron binary runs here).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  type DownloadOptions,
} from 'builder-util-runtime';
import { NsisUpdater, type AppUpdater } from 'electron-updater';
import type { RequestOptions } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../src-main/common/contract.ts';
import { assetsDir, samplePath, SAMPLE_FILE } from '../src-main/electron/samples.ts';
import { createUpdates, updateErrorText, type Updater } from '../src-main/electron/updates.ts';
import { ROOT, tempDir } from './helpers.ts';

/** electron-updater's HTTP client over Node's http (in the app it is Electron's net module). */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  /** As electron-updater's ElectronHttpExecutor.download, over createRequest below. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error == null ? resolve(destination) : reject(error)),
          responseHandler: null,
        },
        0,
      );
    });
  }
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return request(options, callback);
  }
}

/** A stand-in for electron-updater: the test says what a check finds. */
class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  constructor(private readonly answer: (self: FakeUpdater) => Promise<void>) {
    super();
  }
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    this.emit('checking-for-update');
    await this.answer(this);
    return {};
  }
}

describe('updates: the state machine', () => {
  it('is off without an updater, and says why', async () => {
    const u = createUpdates({ updater: null, off: 'no-url', version: '0.1.0' });
    expect(u.status()).toEqual({ state: 'off', reason: 'no-url' });
    expect(await u.check()).toEqual({ state: 'off', reason: 'no-url' });
    expect(await u.start(true)).toEqual({ state: 'off', reason: 'no-url' });
  });

  it('checks at start only when the setting says so; up to date', async () => {
    const fake = new FakeUpdater(async (f) => void f.emit('update-not-available', { version: '0.1.0' }));
    const seen: UpdateStatus[] = [];
    const u = createUpdates({ updater: fake, version: '0.1.0', onStatus: (s) => seen.push(s) });
    expect(fake.autoDownload).toBe(true);
    expect(fake.autoInstallOnAppQuit).toBe(true);
    expect(await u.start(false)).toEqual({ state: 'idle' });
    expect(fake.checks).toBe(0);
    expect(await u.start(true)).toEqual({ state: 'up-to-date', version: '0.1.0' });
    expect(seen.map((s) => s.state)).toEqual(['checking', 'checking', 'up-to-date']);
  });

  it('downloads in the background (each whole percent once), then is ready; no second check meanwhile', async () => {
    const fake = new FakeUpdater(async (f) => void f.emit('update-available', { version: '0.2.0' }));
    const seen: UpdateStatus[] = [];
    const u = createUpdates({ updater: fake, version: '0.1.0', onStatus: (s) => seen.push(s) });
    expect(await u.check()).toEqual({ state: 'downloading', version: '0.2.0', percent: 0 });
    for (const percent of [10.2, 10.7, 55.5, 100]) fake.emit('download-progress', { percent });
    expect(seen.filter((s) => s.state === 'downloading').map((s) => 'percent' in s && s.percent)).toEqual([
      0, 10, 55, 100,
    ]);
    await u.check();
    expect(fake.checks).toBe(1);
    fake.emit('update-downloaded', { version: '0.2.0' });
    expect(u.status()).toEqual({ state: 'ready', version: '0.2.0' });
    expect(await u.check()).toEqual({ state: 'ready', version: '0.2.0' });
    expect(fake.checks).toBe(1);
  });

  it('an error is one sentence (its first line), and a later check can succeed', async () => {
    let fail = true;
    const fake = new FakeUpdater(async (f) => {
      if (fail) throw new Error('net::ERR_CONNECTION_REFUSED\n    at stack line');
      f.emit('update-not-available', { version: '0.1.0' });
    });
    const u = createUpdates({ updater: fake, version: '0.1.0' });
    expect(await u.check()).toEqual({ state: 'error', message: 'net::ERR_CONNECTION_REFUSED.' });
    fail = false;
    expect(await u.check()).toEqual({ state: 'up-to-date', version: '0.1.0' });
    expect(updateErrorText('')).toBe('The update check failed.');
  });

  it('two checks at once ask the server once', async () => {
    let release = () => {};
    const fake = new FakeUpdater(
      (f) =>
        new Promise<void>((r) => {
          release = () => {
            f.emit('update-not-available', { version: '0.1.0' });
            r();
          };
        }),
    );
    const u = createUpdates({ updater: fake, version: '0.1.0' });
    const a = u.check();
    const b = u.check();
    release();
    expect(await a).toEqual(await b);
    expect(fake.checks).toBe(1);
  });
});

describe('updates: electron-updater against a local server', () => {
  const installer = Buffer.alloc(256 * 1024, 7);
  const sha512 = createHash('sha512').update(installer).digest('base64');
  let latest = '';
  let server: Server;
  let url = '';
  const served: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      served.push(req.url ?? '');
      if (req.url?.startsWith('/latest.yml')) return void res.end(latest);
      if (req.url === '/Crossdock-Setup-0.2.0.exe') {
        res.writeHead(200, { 'content-length': installer.length });
        return void res.end(installer);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const feed = (version: string) =>
    [
      `version: ${version}`,
      'files:',
      `  - url: Crossdock-Setup-${version}.exe`,
      `    sha512: ${sha512}`,
      `    size: ${installer.length}`,
      `path: Crossdock-Setup-${version}.exe`,
      `sha512: ${sha512}`,
      "releaseDate: '2026-12-01T10:00:00.000Z'",
      '',
    ].join('\n');

  /** electron-updater's Windows updater over a fake app (what main gets as autoUpdater on Windows). */
  function realUpdater(version: string): AppUpdater {
    const dir = tempDir('cd-updates-');
    const resources = join(dir, 'resources');
    mkdirSync(resources, { recursive: true });
    // What electron-builder writes into the resources when the build has an update URL.
    writeFileSync(
      join(resources, 'app-update.yml'),
      `provider: generic\nurl: ${url}\nupdaterCacheDirName: crossdock-updater\n`,
    );
    const app = {
      version,
      name: 'Crossdock',
      isPackaged: true,
      appUpdateConfigPath: join(resources, 'app-update.yml'),
      userDataPath: join(dir, 'user-data'),
      baseCachePath: join(dir, 'cache'),
      whenReady: () => Promise.resolve(),
      relaunch: () => {},
      quit: () => {},
      onQuit: () => {},
    };
    const updater = new NsisUpdater(null, app);
    updater.logger = null;
    // As on Windows (latest.yml), without a differential download (no blockmap here).
    Object.assign(updater, { _testOnlyOptions: { platform: 'win32', isUseDifferentialDownload: false } });
    // Electron's net module is not here: the same requests through Node's http.
    Object.assign(updater, { httpExecutor: new NodeHttpExecutor() });
    return updater;
  }

  it('reads latest.yml: the same version is up to date', async () => {
    latest = feed('0.1.0');
    const updater = realUpdater('0.1.0');
    const u = createUpdates({ updater: updater as unknown as Updater, version: '0.1.0' });
    expect(await u.check()).toEqual({ state: 'up-to-date', version: '0.1.0' });
    expect(served.some((u) => u.startsWith('/latest.yml?'))).toBe(true);
  });

  it('a newer version downloads in the background and is ready, to install on quit', async () => {
    latest = feed('0.2.0');
    const updater = realUpdater('0.1.0');
    const seen: UpdateStatus[] = [];
    const u = createUpdates({
      updater: updater as unknown as Updater,
      version: '0.1.0',
      onStatus: (s) => seen.push(s),
    });
    const ready = new Promise<void>((r) => updater.once('update-downloaded', () => r()));
    expect(await u.check()).toMatchObject({ state: 'downloading', version: '0.2.0' });
    await ready;
    expect(u.status()).toEqual({ state: 'ready', version: '0.2.0' });
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(served).toContain('/Crossdock-Setup-0.2.0.exe');
    expect(seen.some((s) => s.state === 'downloading')).toBe(true);
  });

  it('a server that does not answer is an error sentence', async () => {
    latest = feed('0.2.0');
    const updater = realUpdater('0.1.0');
    updater.setFeedURL({ provider: 'generic', url: 'http://127.0.0.1:9/' });
    const u = createUpdates({ updater: updater as unknown as Updater, version: '0.1.0' });
    const s = await u.check();
    expect(s.state).toBe('error');
    expect(s.state === 'error' && s.message).toMatch(/ECONNREFUSED|connect/);
  });
});

describe('the sample request list', () => {
  it('is found in development (the repository) and packaged (resources/assets)', () => {
    const dev = assetsDir({
      packaged: false,
      resourcesPath: '/nowhere',
      distDir: join(ROOT, 'dist', 'electron'),
    });
    expect(samplePath(dev)).toBe(join(ROOT, 'assets', SAMPLE_FILE));
    const resources = tempDir('cd-resources-');
    const packaged = assetsDir({
      packaged: true,
      resourcesPath: resources,
      distDir: '/app.asar/dist/electron',
    });
    expect(packaged).toBe(join(resources, 'assets'));
    expect(samplePath(packaged)).toBeNull();
    mkdirSync(join(packaged, 'samples'), { recursive: true });
    writeFileSync(join(packaged, SAMPLE_FILE), 'x');
    expect(samplePath(packaged)).toBe(join(packaged, SAMPLE_FILE));
    expect(existsSync(join(ROOT, 'assets', SAMPLE_FILE))).toBe(true);
  });
});
