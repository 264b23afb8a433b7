import { useEffect, useRef, useState } from 'react';
import { ACCEPTED_EXTENSIONS, api, baseName, extensionOf } from '../api.ts';
import { tNow, useT } from '../i18n/index.ts';
import { openPaths, toast } from '../store.ts';
import { IconUpload } from './icons.tsx';

const carriesFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');

/** Files dropped anywhere on the window; a full-window overlay while a drag with files is over it. */
export function DropOverlay() {
  const t = useT();
  const [over, setOver] = useState(false);
  const depth = useRef(0);

  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const overFn = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = () => {
      if (depth.current === 0) return;
      depth.current -= 1;
      if (depth.current === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      depth.current = 0;
      setOver(false);
      if (!carriesFiles(e)) return;
      e.preventDefault();
      const paths: string[] = [];
      for (const file of e.dataTransfer?.files ?? []) {
        // Refuse by name first: nothing to read (or, in the test bridge, upload) for a file we cannot use.
        if (!ACCEPTED_EXTENSIONS.includes(extensionOf(file.name))) {
          toast('error', tNow('drop.unsupported', { name: file.name }));
          continue;
        }
        let path = '';
        try {
          path = api.pathForFile(file);
        } catch {
          path = '';
        }
        if (path) paths.push(path);
        else toast('error', tNow('drop.noPath', { name: baseName(file.name) }));
      }
      if (paths.length) openPaths(paths);
    };
    // A drag that leaves the window or is cancelled with Escape ends without a drop.
    const reset = () => {
      depth.current = 0;
      setOver(false);
    };
    // One list for adding and removing, so no listener outlives the overlay.
    const listeners: [keyof WindowEventMap, (e: DragEvent) => void][] = [
      ['dragenter', enter],
      ['dragover', overFn],
      ['dragleave', leave],
      ['drop', drop],
      ['dragend', reset],
      ['blur', reset],
    ];
    for (const [type, fn] of listeners) window.addEventListener(type, fn as EventListener);
    return () => {
      for (const [type, fn] of listeners) window.removeEventListener(type, fn as EventListener);
    };
  }, []);

  if (!over) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-live="assertive">
      <div className="drop-card">
        <IconUpload size={40} />
        <strong>{t('drop.title')}</strong>
        <span>{t('drop.hint')}</span>
      </div>
    </div>
  );
}
