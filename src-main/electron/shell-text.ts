/** The few words the shell itself shows (menus, dialogs, notifications, tray), rendered from the catalog. */
import { renderMessage, type ErrorCode, type Lang } from '../common/errors.ts';
import { countParams } from '../common/counts.ts';
import type { ErrorParams, Job } from '../common/types.ts';

/** The shell's words in `lang`, from the catalog (src-main/common/messages/shell.ts). */
export function shellText(lang: Lang) {
  const r = (code: ErrorCode, params: ErrorParams = {}) => renderMessage(lang, { code, params });
  return {
    menuFile: r('SHELL_MENU_FILE'),
    menuView: r('SHELL_MENU_VIEW'),
    open: r('SHELL_OPEN'),
    settings: r('SHELL_SETTINGS'),
    quit: r('SHELL_QUIT'),
    jobs: r('SHELL_JOBS'),
    schedules: r('SHELL_SCHEDULES'),
    team: r('SHELL_TEAM'),
    openDataFolder: r('SHELL_OPEN_DATA_FOLDER'),
    about: r('SHELL_ABOUT'),
    checkUpdates: r('SHELL_CHECK_UPDATES'),
    saveDiagnostics: r('SHELL_SAVE_DIAGNOSTICS'),
    diagnosticsSavedDetail: r('SHELL_DIAGNOSTICS_SAVED_DETAIL'),
    showInFolder: r('SHELL_DIAGNOSTICS_SHOW'),
    close: r('SHELL_DIAGNOSTICS_CLOSE'),
    show: r('SHELL_SHOW'),
    noJobsRunning: r('SHELL_NO_JOBS_RUNNING'),
    keepInTray: r('SHELL_KEEP_IN_TRAY'),
    quitNow: r('SHELL_QUIT_NOW'),
    cancel: r('SHELL_CANCEL'),
    runningCount: (n: number) => r('SHELL_RUNNING_COUNT', { n }),
    jobsRunning: (n: number) => r('SHELL_JOBS_RUNNING', { n }),
    quitWithJobs: (n: number) => r('SHELL_QUIT_WITH_JOBS', { n }),
    resumeNote: r('SHELL_RESUME_NOTE'),
    stillRunning: (n: number) => r('SHELL_STILL_RUNNING', { n }),
    done: (name: string) => r('SHELL_DONE', { name }),
    failed: (name: string) => r('SHELL_FAILED', { name }),
    /** A finished job's notification body: a crossdock's four counts (as everywhere), else its rows. */
    doneBody: (job: Pick<Job, 'kind' | 'result'>) =>
      job.kind === 'crossdock'
        ? r('SHELL_DONE_BODY', countParams(job.result))
        : r('SHELL_DONE_ROWS', { rows: job.result?.rows ?? 0 }),
  };
}

/**
 * A failed job's error in the shell's language (a notification's body): its code's message, or the
 * English sentence of a job without a code (an old row).
 */
export function jobErrorText(lang: Lang, job: Pick<Job, 'error' | 'errorCode' | 'errorParams'>): string {
  return renderMessage(lang, { code: job.errorCode, params: job.errorParams, message: job.error });
}
