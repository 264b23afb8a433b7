import type { JobStore } from '../engine/store.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Partial<Rect> & { width: number; height: number };
  maximized: boolean;
}

const KEY = 'window-state';
const DEFAULT: WindowState = { bounds: { width: 1280, height: 820 }, maximized: false };

/**
 * The window's last size and place, if it still fits on one of the displays (a monitor may have
 * been unplugged since); otherwise the default size, centred by the OS.
 */
export function loadWindowState(store: Pick<JobStore, 'getSetting'>, displays: Rect[]): WindowState {
  const saved = store.getSetting<WindowState>(KEY);
  const b = saved?.bounds;
  if (!b || ![b.width, b.height].every((n) => Number.isFinite(n) && n >= 400 && n <= 20_000)) return DEFAULT;
  const { x, y } = b;
  if (typeof x !== 'number' || typeof y !== 'number')
    return { bounds: { width: b.width, height: b.height }, maximized: !!saved.maximized };
  // Visible enough: at least 100×50 px of its title area on some display.
  const visible = displays.some(
    (d) => x + b.width - 100 >= d.x && x + 100 <= d.x + d.width && y >= d.y && y + 50 <= d.y + d.height,
  );
  return visible
    ? { bounds: { x, y, width: b.width, height: b.height }, maximized: !!saved.maximized }
    : { bounds: { width: b.width, height: b.height }, maximized: !!saved.maximized };
}

interface TrackedWindow {
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rect;
}

/** Saves the window's normal bounds (not the maximized ones) a moment after it moves or resizes, and on close. */
export function trackWindowState(win: TrackedWindow, store: Pick<JobStore, 'setSetting'>): void {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed() || win.isMinimized()) return;
    store.setSetting(KEY, {
      bounds: win.getNormalBounds(),
      maximized: win.isMaximized(),
    } satisfies WindowState);
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}
