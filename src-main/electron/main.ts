/**
 * The desktop shell: one window over the engine. The only code (with preload.ts, ipc.ts and
 * security.ts) that imports electron. Everything the user does goes through the engine's API via the
 * validated IPC handlers; the shell adds what only it can: windows, menu, tray, dialogs,
 * notifications, taskbar progress, opening files, keeping secrets with safeStorage.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type MenuItemConstructorOptions,
} from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventChannelOf, type EventName, type EventPayloads } from '../common/contract.ts';
import { Engine } from '../engine/engine.ts';
import { StoredSecrets, type Cipher } from '../engine/secrets.ts';
import { TERMINAL, type Job } from '../common/types.ts';
import { forwardEvents, registerIpc } from './ipc.ts';
import { APP_ORIGIN, APP_URL, registerAppScheme, serveRenderer } from './app-protocol.ts';
import {
  hardenWindow,
  installCsp,
  isTrustedSender,
  refusePermissions,
  type SecureWebPreferences,
} from './security.ts';
import { MainLog } from '../engine/main-log.ts';
import {
  logCallFailure,
  logEngineErrors,
  loggedRefusals,
  logRendererGone,
  saveDiagnostics,
} from './diagnostics.ts';
import { filesFromArgv, isSpreadsheetPath } from './argv.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';
import { jobErrorText, shellText } from './shell-text.ts';
import { assetsDir, samplePath } from './samples.ts';
import { createUpdates, type Updater, type Updates } from './updates.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER = join(here, '..', 'renderer');
const PRELOAD = join(here, 'preload.cjs');
const ASSETS = assetsDir({ packaged: app.isPackaged, resourcesPath: process.resourcesPath, distDir: here });
const isDev = !app.isPackaged && process.env.CROSSDOCK_DEV === '1';

// A separate profile for tests and for running two copies side by side (as the CLI's --data-dir).
if (process.env.CROSSDOCK_DATA_DIR) app.setPath('userData', process.env.CROSSDOCK_DATA_DIR);

// The app's own log of warnings and errors (main.log in the data folder; a diagnostics bundle carries it).
const mainLog = new MainLog(app.getPath('userData'));
const refusals = loggedRefusals(mainLog);

// Every renderer sandboxed, whatever a window's preferences say.
app.enableSandbox();

// Windows shows notifications only for an app with an AppUserModelID (the installer's appId).
if (process.platform === 'win32') app.setAppUserModelId('app.crossdock.desktop');

// Files given before the window exists (command line, macOS open-file before ready).
let pendingFiles: string[] = filesFromArgv(process.argv.slice(app.isPackaged ? 1 : 2));

if (!app.requestSingleInstanceLock()) {
  // Another Crossdock is running: it gets our argv through 'second-instance'.
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    showWindow();
    openFiles(filesFromArgv(argv.slice(1)));
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openFiles([path]);
  });
  registerAppScheme(protocol);
  // Every web contents (the window, and anything a bug might open) stays on the app's origin.
  app.on('web-contents-created', (_event, contents) => {
    hardenWindow(contents, APP_ORIGIN, refusals);
    logRendererGone(contents, mainLog);
  });
  app.whenReady().then(start, (err: unknown) => fatal(err));
}

let engine: Engine | null = null;
let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
let toldAboutTray = false;
let stopForwarding: (() => void) | null = null;
let updates: Updates = createUpdates({ updater: null, off: 'not-packaged', version: app.getVersion() });

function fatal(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  mainLog.write('error', 'MAIN_LOG_START_FAILED', { reason: message });
  dialog.showErrorBox('Crossdock could not start', message);
  app.exit(1);
}

/** safeStorage as the engine's cipher; on Linux without a keyring it is plain text, and says so. */
function safeStorageCipher(): Cipher {
  const available = safeStorage.isEncryptionAvailable();
  const plain = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  return {
    storage: !available ? 'unavailable' : plain ? 'plain-text' : 'encrypted',
    encrypt: (text) => safeStorage.encryptString(text),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}

async function start(): Promise<void> {
  const unpackedWorker = join(
    process.resourcesPath ?? '',
    'app.asar.unpacked',
    'dist',
    'electron',
    'worker.mjs',
  );
  engine = new Engine({
    dataDir: app.getPath('userData'),
    // piscina cannot load a worker from inside the asar: the packaged app unpacks it.
    ...(app.isPackaged && existsSync(unpackedWorker) ? { workerFile: unpackedWorker } : {}),
    secrets: (store) => new StoredSecrets(store, safeStorageCipher()),
  });
  engine.start();
  serveRenderer(protocol, RENDERER);
  installCsp(session.defaultSession);
  refusePermissions(session.defaultSession, refusals);
  registerIpc(ipcMain, engine, {
    isTrustedSender: (event) => isTrustedSender(event, APP_ORIGIN, win?.webContents),
    shell,
    dialog: { showOpenDialog: (o) => (win ? dialog.showOpenDialog(win, o) : dialog.showOpenDialog(o)) },
    appInfo: () => ({
      version: app.getVersion(),
      shell: 'electron',
      platform: process.platform,
      systemLanguage: app.getLocale().toLowerCase().startsWith('ru') ? 'ru' : 'en',
      dataDir: app.getPath('userData'),
      userName: engine?.systemUserName ?? '',
    }),
    onError: (method, err) => {
      if (isDev) console.error(`[ipc ${method}]`, err);
      logCallFailure(mainLog, method, err);
    },
    updates: { status: () => updates.status(), check: () => updates.check() },
    samplePath: () => samplePath(ASSETS),
  });
  logEngineErrors(engine, mainLog);
  engine.on('job', onJob);
  engine.on('progress', () => scheduleProgressUi());
  buildMenu();
  createWindow();
  createTray();
  updateProgressUi();
  void startUpdates().then(() => updates.start(engine?.settings.checkUpdates ?? false));

  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    // The tray keeps the app (and its jobs) alive; without jobs or a tray, closing the window quits.
    if (!tray || runningJobs().length === 0) app.quit();
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    void confirmQuit();
  });
}

function createWindow(): void {
  const state = loadWindowState(
    engine!.store,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  win = new BrowserWindow({
    ...state.bounds,
    minWidth: 880,
    minHeight: 560,
    show: false,
    title: 'Crossdock',
    backgroundColor: '#00000000',
    icon: join(ASSETS, 'icon.png'),
    // Written out here, literally, so that scanners of Electron apps can read them (security.ts).
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      preload: PRELOAD,
    } satisfies SecureWebPreferences,
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, engine!.store);
  stopForwarding = forwardEvents(engine!, win.webContents);
  win.webContents.on('did-finish-load', () => {
    if (pendingFiles.length) {
      send('openFiles', { paths: pendingFiles });
      pendingFiles = [];
    }
  });
  win.once('ready-to-show', () => win?.show());
  win.on('close', (event) => {
    if (quitting) return;
    const running = runningJobs().length;
    if (running === 0) return;
    event.preventDefault();
    void closeWithJobs(running);
  });
  win.on('closed', () => {
    stopForwarding?.();
    stopForwarding = null;
    win = null;
  });
  void win.loadURL(APP_URL);
}

function showWindow(): void {
  if (!win) createWindow();
  else {
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }
}

function send<E extends EventName>(event: E, payload: EventPayloads[E]): void {
  if (win && !win.webContents.isDestroyed()) win.webContents.send(eventChannelOf(event), payload);
}

function openFiles(paths: string[]): void {
  const files = paths.filter((p) => p && (isSpreadsheetPath(p) || existsSync(p)));
  if (files.length === 0) return;
  if (!win || win.webContents.isLoading()) pendingFiles.push(...files);
  else send('openFiles', { paths: files });
  if (win) showWindow();
}

/** Jobs executing on this computer (not a teammate's job running elsewhere). */
function runningJobs(): Job[] {
  if (!engine) return [];
  const here = new Set(engine.runningHere());
  return engine.list({ status: ['running'] }).filter((j) => here.has(j.id));
}

function lang(): 'en' | 'ru' {
  const chosen = engine?.settings.language;
  if (chosen) return chosen;
  return app.getLocale().toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

// ── closing and quitting ─────────────────────────────────────────────────────────────────────────

async function closeWithJobs(running: number): Promise<void> {
  const t = shellText(lang());
  if (engine?.settings.closeWhileRunning === 'ask') {
    const { response } = await dialog.showMessageBox(win!, {
      type: 'question',
      buttons: [t.keepInTray, t.quitNow, t.cancel],
      defaultId: 0,
      cancelId: 2,
      message: t.jobsRunning(running),
      detail: t.resumeNote,
    });
    if (response === 1) return quit();
    if (response === 2) return;
  }
  win?.hide();
  if (!toldAboutTray && Notification.isSupported()) {
    toldAboutTray = true;
    new Notification({ title: 'Crossdock', body: t.stillRunning(running) }).show();
  }
}

async function confirmQuit(): Promise<void> {
  const running = runningJobs().length;
  if (running > 0) {
    const t = shellText(lang());
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      buttons: [t.quitNow, t.cancel],
      defaultId: 1,
      cancelId: 1,
      message: t.quitWithJobs(running),
      detail: t.resumeNote,
    });
    if (response !== 0) return;
  }
  await quit();
}

async function quit(): Promise<void> {
  quitting = true;
  // Running jobs go back to the queue (with their checkpoints) and resume at the next start.
  await engine?.close().catch(() => undefined);
  tray?.destroy();
  app.exit(0);
}

// ── job ends: notification, tray, taskbar ──────────────────────────────────────────────────────

const seenRunning = new Set<string>();

function onJob(job: Job): void {
  if (job.status === 'running') seenRunning.add(job.id);
  if (TERMINAL.includes(job.status) && seenRunning.delete(job.id)) notifyEnd(job);
  updateProgressUi();
}

function notifyEnd(job: Job): void {
  if (!engine?.settings.notifications || !Notification.isSupported()) return;
  // Only what this computer asked for: a teammate's job that ran (or was seen) here is theirs to hear about.
  if (job.status === 'cancelled' || job.fromTeammate) return;
  const t = shellText(lang());
  const n = new Notification({
    title: job.status === 'succeeded' ? t.done(job.name) : t.failed(job.name),
    body: job.status === 'succeeded' ? t.doneBody(job) : jobErrorText(lang(), job),
    icon: join(ASSETS, 'icon.png'),
  });
  n.on('click', () => {
    showWindow();
    send('showJob', { jobId: job.id });
  });
  n.show();
}

let progressUiTimer: NodeJS.Timeout | null = null;
let trayCount = -1;

/** Progress arrives up to 10 times a second per job; the taskbar and tray need it twice a second at most. */
function scheduleProgressUi(): void {
  if (progressUiTimer) return;
  progressUiTimer = setTimeout(() => {
    progressUiTimer = null;
    updateProgressUi();
  }, 500);
}

function updateProgressUi(): void {
  // Jobs stopping while the engine closes still send events; the closed store has nothing to show.
  if (quitting) return;
  const running = runningJobs();
  const count = running.length;
  app.setBadgeCount(count);
  if (win && !win.isDestroyed()) {
    if (count === 0) win.setProgressBar(-1);
    else {
      let done = 0;
      let total = 0;
      for (const j of running) {
        done += j.progress?.done ?? 0;
        total += j.progress?.total ?? 0;
      }
      // Indeterminate (2) until any job knows its size.
      win.setProgressBar(total > 0 ? Math.min(1, done / total) : 2, {
        mode: total > 0 ? 'normal' : 'indeterminate',
      });
    }
  }
  if (tray && count !== trayCount) {
    trayCount = count;
    const t = shellText(lang());
    tray.setToolTip(count ? `Crossdock — ${t.runningCount(count)}` : 'Crossdock');
    tray.setContextMenu(trayMenu(count));
  }
}

// ── updates ─────────────────────────────────────────────────────────────────────────────────────

/**
 * electron-updater against the build's update URL: electron-builder writes app-update.yml into the
 * resources only when the build was given one (CROSSDOCK_UPDATE_URL, scripts/dist.mjs); without it,
 * or not packaged, updates are off and Settings says why. Loaded only then, so tests never load it.
 */
async function startUpdates(): Promise<void> {
  const version = app.getVersion();
  const onStatus = (status: ReturnType<Updates['status']>) => send('update', status);
  if (!app.isPackaged) return;
  if (!existsSync(join(process.resourcesPath, 'app-update.yml'))) {
    updates = createUpdates({ updater: null, off: 'no-url', version, onStatus });
    return;
  }
  type UpdaterModule = typeof import('electron-updater');
  const mod = (await import('electron-updater')) as UpdaterModule & { default?: UpdaterModule };
  const { autoUpdater } = mod.default ?? mod;
  autoUpdater.logger = isDev ? console : null;
  updates = createUpdates({
    updater: autoUpdater as Updater,
    version,
    onStatus,
    onError: (err) => {
      if (isDev) console.error('[updates]', err);
    },
  });
  onStatus(updates.status());
}

// ── tray and menu ───────────────────────────────────────────────────────────────────────────────

function createTray(): void {
  const icon = join(ASSETS, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
  if (!existsSync(icon)) return;
  tray = new Tray(nativeImage.createFromPath(icon));
  tray.on('click', () => showWindow());
  updateProgressUi();
}

function trayMenu(running: number): Menu {
  const t = shellText(lang());
  return Menu.buildFromTemplate([
    { label: t.show, click: () => showWindow() },
    { label: running ? t.runningCount(running) : t.noJobsRunning, enabled: false },
    { type: 'separator' },
    { label: t.quit, click: () => void confirmQuit() },
  ]);
}

function navigate(screen: EventPayloads['navigate']['screen']): void {
  showWindow();
  send('navigate', { screen });
}

async function chooseAndOpen(): Promise<void> {
  const options = {
    properties: ['openFile', 'multiSelections'] as ('openFile' | 'multiSelections')[],
    filters: [{ name: 'Spreadsheets', extensions: ['xlsx', 'xlsm', 'csv', 'txt'] }],
  };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  if (!r.canceled) openFiles(r.filePaths);
}

function saveDiagnosticsNow(): Promise<string | null> {
  if (!engine) return Promise.resolve(null);
  return saveDiagnostics({
    dialog: {
      showSaveDialog: (o) => (win ? dialog.showSaveDialog(win, o) : dialog.showSaveDialog(o)),
      showMessageBox: (o) => (win ? dialog.showMessageBox(win, o) : dialog.showMessageBox(o)),
    },
    shell,
    engine,
    log: mainLog,
    lang: lang(),
    version: app.getVersion(),
    folder: app.getPath('downloads'),
  });
}

function buildMenu(): void {
  const t = shellText(lang());
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: t.menuFile,
      submenu: [
        { label: t.open, accelerator: 'CmdOrCtrl+O', click: () => void chooseAndOpen() },
        { type: 'separator' },
        { label: t.settings, accelerator: 'CmdOrCtrl+,', click: () => navigate('settings') },
        { type: 'separator' },
        mac
          ? { role: 'close' }
          : { label: t.quit, accelerator: 'CmdOrCtrl+Q', click: () => void confirmQuit() },
      ],
    },
    { role: 'editMenu' },
    {
      label: t.menuView,
      submenu: [
        { label: t.jobs, accelerator: 'CmdOrCtrl+1', click: () => navigate('jobs') },
        { label: t.schedules, accelerator: 'CmdOrCtrl+2', click: () => navigate('schedules') },
        { label: t.team, accelerator: 'CmdOrCtrl+3', click: () => navigate('team') },
        { type: 'separator' },
        ...(isDev ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: t.checkUpdates,
          click: () => {
            navigate('settings');
            void updates.check();
          },
        },
        { type: 'separator' },
        { label: t.openDataFolder, click: () => void shell.openPath(app.getPath('userData')) },
        { label: t.saveDiagnostics, click: () => void saveDiagnosticsNow() },
        { label: t.about, click: () => app.showAboutPanel() },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
