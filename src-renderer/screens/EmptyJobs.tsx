import { api, errorText } from '../api.ts';
import { tNow, useT } from '../i18n/index.ts';
import { chooseAndOpen, openPaths, toast } from '../store.ts';
import { IconOpen } from '../components/icons.tsx';

/** A spreadsheet sliding into a box: the first thing a new user sees. */
function Illustration() {
  return (
    <svg className="empty-art" width="168" height="120" viewBox="0 0 168 120" aria-hidden="true">
      <rect x="18" y="30" width="132" height="82" rx="10" className="art-box" />
      <path d="M18 52h132" className="art-line" />
      <g className="art-sheet">
        <rect x="52" y="6" width="64" height="76" rx="6" className="art-paper" />
        <path d="M52 22h64M52 36h64M52 50h64M52 64h64M74 6v76M96 6v76" className="art-grid" />
        <rect x="52" y="6" width="64" height="16" rx="6" className="art-head" />
      </g>
      <path d="M84 90v12M78 96l6 6 6-6" className="art-arrow" />
    </svg>
  );
}

/** The sample request list that ships with the app, in the new-job sheet (the first run's way in). */
async function trySample(): Promise<void> {
  try {
    const path = await api.sampleRequestList();
    if (path) openPaths([path]);
    else toast('error', tNow('jobs.empty.noSample'));
  } catch (err) {
    toast('error', errorText(err));
  }
}

export function EmptyJobs() {
  const t = useT();
  return (
    <div className="empty">
      <div className="empty-zone">
        <Illustration />
        <h2>{t('jobs.empty.title')}</h2>
        <p>{t('jobs.empty.body')}</p>
        <div className="row-gap">
          <button type="button" className="btn btn-primary" onClick={() => void chooseAndOpen()}>
            <IconOpen /> {t('jobs.empty.open')}
          </button>
          <button
            type="button"
            className="btn"
            data-testid="try-sample"
            aria-describedby="try-sample-hint"
            onClick={() => void trySample()}
          >
            {t('jobs.empty.sample')}
          </button>
        </div>
        <p className="empty-hint" id="try-sample-hint">
          {t('jobs.empty.sampleHint')}
        </p>
      </div>
    </div>
  );
}
