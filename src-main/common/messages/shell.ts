// The words the desktop shell itself shows: menus, the tray, dialogs and notifications. In the
// catalog like every other sentence, so the shell renders them the way it renders a job's error.
import { msg, num, plural, text } from './format.ts';
import { countsSentence, type CountParams } from './task.ts';

const jobsRu = (n: number) => plural(n, 'задание', 'задания', 'заданий');
const runRu = (n: number) => plural(n, 'выполняется', 'выполняются', 'выполняются');
const jobsEn = (n: number) => (n === 1 ? 'job' : 'jobs');
const areEn = (n: number) => (n === 1 ? 'job is' : 'jobs are');

type Count = { n: number };

export const SHELL = {
  SHELL_MENU_FILE: msg(
    () => 'File',
    () => 'Файл',
  ),
  SHELL_MENU_VIEW: msg(
    () => 'View',
    () => 'Вид',
  ),
  SHELL_OPEN: msg(
    () => 'Open…',
    () => 'Открыть…',
  ),
  SHELL_SETTINGS: msg(
    () => 'Settings…',
    () => 'Настройки…',
  ),
  SHELL_QUIT: msg(
    () => 'Quit Crossdock',
    () => 'Выйти из Crossdock',
  ),
  SHELL_JOBS: msg(
    () => 'Jobs',
    () => 'Задания',
  ),
  SHELL_SCHEDULES: msg(
    () => 'Schedules',
    () => 'Расписания',
  ),
  SHELL_TEAM: msg(
    () => 'Team',
    () => 'Команда',
  ),
  SHELL_OPEN_DATA_FOLDER: msg(
    () => 'Open Data Folder',
    () => 'Открыть папку данных',
  ),
  SHELL_ABOUT: msg(
    () => 'About Crossdock',
    () => 'О Crossdock',
  ),
  /** Help → Check for Updates… (shows Settings, whose Updates card follows the check). */
  SHELL_CHECK_UPDATES: msg(
    () => 'Check for Updates…',
    () => 'Проверить обновления…',
  ),
  SHELL_SHOW: msg(
    () => 'Show Crossdock',
    () => 'Показать Crossdock',
  ),
  SHELL_NO_JOBS_RUNNING: msg(
    () => 'No jobs running',
    () => 'Нет выполняемых заданий',
  ),
  SHELL_KEEP_IN_TRAY: msg(
    () => 'Keep running in the tray',
    () => 'Продолжить в трее',
  ),
  SHELL_QUIT_NOW: msg(
    () => 'Quit',
    () => 'Выйти',
  ),
  SHELL_CANCEL: msg(
    () => 'Cancel',
    () => 'Отмена',
  ),
  SHELL_RUNNING_COUNT: msg<Count>(
    (p) => `${num(p.n)} ${jobsEn(num(p.n))} running`,
    (p) =>
      `${num(p.n)} ${plural(num(p.n), 'задание выполняется', 'задания выполняются', 'заданий выполняются')}`,
  ),
  SHELL_JOBS_RUNNING: msg<Count>(
    (p) => `${num(p.n)} ${areEn(num(p.n))} still running.`,
    (p) => `Ещё ${runRu(num(p.n))} ${num(p.n)} ${jobsRu(num(p.n))}.`,
  ),
  SHELL_QUIT_WITH_JOBS: msg<Count>(
    (p) => `Quit while ${num(p.n)} ${areEn(num(p.n))} running?`,
    (p) => `Выйти, пока ${runRu(num(p.n))} ${num(p.n)} ${jobsRu(num(p.n))}?`,
  ),
  SHELL_RESUME_NOTE: msg(
    () => 'Nothing is lost: interrupted jobs resume the next time you start Crossdock.',
    () => 'Ничего не потеряется: прерванные задания продолжатся при следующем запуске Crossdock.',
  ),
  SHELL_STILL_RUNNING: msg<Count>(
    (p) => `Crossdock keeps running in the tray: ${num(p.n)} ${jobsEn(num(p.n))} still running.`,
    (p) => `Crossdock продолжает работу в трее: ${runRu(num(p.n))} ${num(p.n)} ${jobsRu(num(p.n))}.`,
  ),
  SHELL_DONE: msg<{ name: string }>(
    (p) => `Done: ${text(p.name)}`,
    (p) => `Готово: ${text(p.name)}`,
  ),
  SHELL_FAILED: msg<{ name: string }>(
    (p) => `Failed: ${text(p.name)}`,
    (p) => `Ошибка: ${text(p.name)}`,
  ),
  /** A crossdock's four counts (RESULT_COUNTS, as everywhere), then what a click does. */
  SHELL_DONE_BODY: msg<CountParams>(
    (p) => `${countsSentence('en', p)}. Click to open the job.`,
    (p) => `${countsSentence('ru', p)}. Нажмите, чтобы открыть задание.`,
  ),
  /** An export or an import: its rows, then what a click does. */
  SHELL_DONE_ROWS: msg<{ rows: number }>(
    (p) => `${num(p.rows).toLocaleString('en-US')} rows. Click to open the job.`,
    (p) =>
      `${num(p.rows).toLocaleString('ru-RU')} ${plural(num(p.rows), 'строка', 'строки', 'строк')}. Нажмите, чтобы открыть задание.`,
  ),
};
