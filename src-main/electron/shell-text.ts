/** The few words the shell itself shows (menus, dialogs, notifications, tray), in English and Russian. */
import { renderMessage, type Lang } from '../common/errors.ts';
import type { Job } from '../common/types.ts';

function ruPlural(n: number, one: string, few: string, many: string): string {
  const form = new Intl.PluralRules('ru').select(n);
  return form === 'one' ? one : form === 'few' ? few : many;
}

const en = {
  menuFile: 'File',
  menuView: 'View',
  open: 'Open…',
  settings: 'Settings…',
  quit: 'Quit Crossdock',
  jobs: 'Jobs',
  schedules: 'Schedules',
  team: 'Team',
  openDataFolder: 'Open Data Folder',
  about: 'About Crossdock',
  show: 'Show Crossdock',
  noJobsRunning: 'No jobs running',
  keepInTray: 'Keep running in the tray',
  quitNow: 'Quit',
  cancel: 'Cancel',
  runningCount: (n: number) => `${n} ${n === 1 ? 'job' : 'jobs'} running`,
  jobsRunning: (n: number) => `${n} ${n === 1 ? 'job is' : 'jobs are'} still running.`,
  quitWithJobs: (n: number) => `Quit while ${n} ${n === 1 ? 'job is' : 'jobs are'} running?`,
  resumeNote: 'Nothing is lost: interrupted jobs resume the next time you start Crossdock.',
  stillRunning: (n: number) =>
    `Crossdock keeps running in the tray: ${n} ${n === 1 ? 'job' : 'jobs'} still running.`,
  done: (name: string) => `Done: ${name}`,
  failed: (name: string) => `Failed: ${name}`,
  doneBody: (rows: number, found: number) =>
    `${found.toLocaleString('en')} of ${rows.toLocaleString('en')} lines priced. Click to open the job.`,
};

const ru: typeof en = {
  menuFile: 'Файл',
  menuView: 'Вид',
  open: 'Открыть…',
  settings: 'Настройки…',
  quit: 'Выйти из Crossdock',
  jobs: 'Задания',
  schedules: 'Расписания',
  team: 'Команда',
  openDataFolder: 'Открыть папку данных',
  about: 'О Crossdock',
  show: 'Показать Crossdock',
  noJobsRunning: 'Нет выполняемых заданий',
  keepInTray: 'Продолжить в трее',
  quitNow: 'Выйти',
  cancel: 'Отмена',
  runningCount: (n) =>
    `${n} ${ruPlural(n, 'задание выполняется', 'задания выполняются', 'заданий выполняются')}`,
  jobsRunning: (n) =>
    `Ещё ${ruPlural(n, 'выполняется', 'выполняются', 'выполняются')} ${n} ${ruPlural(n, 'задание', 'задания', 'заданий')}.`,
  quitWithJobs: (n) =>
    `Выйти, пока ${ruPlural(n, 'выполняется', 'выполняются', 'выполняются')} ${n} ${ruPlural(n, 'задание', 'задания', 'заданий')}?`,
  resumeNote: 'Ничего не потеряется: прерванные задания продолжатся при следующем запуске Crossdock.',
  stillRunning: (n) =>
    `Crossdock продолжает работу в трее: ${ruPlural(n, 'выполняется', 'выполняются', 'выполняются')} ${n} ${ruPlural(n, 'задание', 'задания', 'заданий')}.`,
  done: (name) => `Готово: ${name}`,
  failed: (name) => `Ошибка: ${name}`,
  doneBody: (rows, found) =>
    `Найдены предложения для ${found.toLocaleString('ru')} из ${rows.toLocaleString('ru')} строк. Нажмите, чтобы открыть задание.`,
};

export function shellText(lang: Lang): typeof en {
  return lang === 'ru' ? ru : en;
}

/**
 * A failed job's error in the shell's language (a notification's body): its code's message, or the
 * English sentence of a job without a code (an old row).
 */
export function jobErrorText(lang: Lang, job: Pick<Job, 'error' | 'errorCode' | 'errorParams'>): string {
  return renderMessage(lang, { code: job.errorCode, params: job.errorParams, message: job.error });
}
