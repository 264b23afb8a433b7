// Hot folders (PRODUCT.md): what a watched folder says about the files saved into it, and the
// `crossdock watch` command's own sentences.
import { end, msg, type Nested, num, plural, text, unnest } from './format.ts';

export const HOT_FOLDERS = {
  /** A file in a watched folder that is no spreadsheet: left where it is. */
  HOT_FOLDER_NOT_SPREADSHEET: msg<{ dir: string; name: string }>(
    (p) =>
      `${text(p.name)} in the hot folder ${text(p.dir)} is not a spreadsheet (.xlsx, .xlsm, .csv or .tsv); it is ignored.`,
    (p) =>
      `${text(p.name)} в папке ${text(p.dir)} — не таблица (.xlsx, .xlsm, .csv или .tsv); файл пропущен.`,
  ),
  /** A file became a job (also the first line of that job's log). */
  HOT_FOLDER_SUBMITTED: msg<{ dir: string; name: string; id: string }>(
    (p) => `${text(p.name)} from the hot folder ${text(p.dir)} is queued as job ${text(p.id)}.`,
    (p) =>
      `${text(p.name)} из отслеживаемой папки ${text(p.dir)} поставлен в очередь: задание ${text(p.id)}.`,
  ),
  /** The same content was crossdocked before (under this name or another): no second job. */
  HOT_FOLDER_SAME_CONTENT: msg<{ dir: string; name: string; id: string }>(
    (p) =>
      `${text(p.name)} in the hot folder ${text(p.dir)} has the same content as a file already queued as job ${text(p.id)}; it is not run again.`,
    (p) =>
      `${text(p.name)} в папке ${text(p.dir)} совпадает по содержимому с файлом, который уже был поставлен в очередь (задание ${text(p.id)}); повторно он не запускается.`,
  ),
  /** A ready file whose submit was refused: tried again once it changes (or at the next start). */
  HOT_FOLDER_SUBMIT_FAILED: msg<Nested & { dir: string; name: string }>(
    (p, inner) =>
      `${text(p.name)} from the hot folder ${text(p.dir)} was not queued: ${end(inner(unnest(p)))} Save it again to retry.`,
    (p, inner) =>
      `${text(p.name)} из папки ${text(p.dir)} не поставлен в очередь: ${end(inner(unnest(p)))} Сохраните файл ещё раз, чтобы повторить.`,
  ),
  /** The folder itself is missing or cannot be listed; it is looked at again now and then. */
  HOT_FOLDER_UNREADABLE: msg<{ dir: string; reason: string }>(
    (p) =>
      `The hot folder ${text(p.dir)} cannot be read (${text(p.reason)}); check that it exists and that Crossdock may open it.`,
    (p) =>
      `Отслеживаемую папку ${text(p.dir)} не удаётся прочитать (${text(p.reason)}); проверьте, что она существует и Crossdock может её открыть.`,
  ),
  /** The output folder is the watched folder: its results would come back as new files. */
  HOT_FOLDER_OUT_IS_WATCHED: msg<{ dir: string }>(
    (p) =>
      `The hot folder ${text(p.dir)} cannot keep its results in itself; choose another output folder, or none for its "results" subfolder.`,
    (p) =>
      `Отслеживаемая папка ${text(p.dir)} не может хранить результаты в самой себе; выберите другую папку для результатов или оставьте поле пустым (подпапка «results»).`,
  ),
  /** Another process (the app, a worker) queued this content first: nothing to do. */
  HOT_FILE_TAKEN: msg<{ name: string }>(
    (p) => `${text(p.name)} has already been queued from its hot folder.`,
    (p) => `${text(p.name)} уже поставлен в очередь из своей отслеживаемой папки.`,
  ),
  /** The copy read other bytes than the check did: the file is still being written. */
  HOT_FILE_CHANGED: msg<{ name: string }>(
    (p) => `${text(p.name)} changed while it was being read; it is queued once it stops changing.`,
    (p) =>
      `${text(p.name)} изменился во время чтения; он будет поставлен в очередь, когда перестанет меняться.`,
  ),
  /** `crossdock watch` started (stderr). */
  HOT_FOLDER_WATCHING: msg<{ dir: string; list: string; out: string }>(
    (p) =>
      `Watching ${text(p.dir)} (supplier list ${text(p.list)}, results to ${text(p.out)}); press Ctrl+C to stop.`,
    (p) =>
      `Слежу за папкой ${text(p.dir)} (список поставщиков ${text(p.list)}, результаты в ${text(p.out)}); чтобы остановить, нажмите Ctrl+C.`,
  ),
  /** `crossdock watch` stopped by Ctrl+C: its unfinished jobs stay queued. */
  HOT_FOLDER_STOPPED: msg<{ left: number }>(
    (p) =>
      num(p.left) === 0
        ? 'Stopped watching; files saved from now on are picked up at the next start.'
        : `Stopped watching; ${num(p.left).toLocaleString('en-US')} ${num(p.left) === 1 ? 'job is' : 'jobs are'} left in the queue: run "crossdock jobs resume" (or watch again) to finish ${num(p.left) === 1 ? 'it' : 'them'}.`,
    (p) =>
      num(p.left) === 0
        ? 'Наблюдение остановлено; файлы, сохранённые с этого момента, будут взяты при следующем запуске.'
        : `Наблюдение остановлено; в очереди осталось ${num(p.left).toLocaleString('ru-RU')} ${plural(num(p.left), 'задание', 'задания', 'заданий')}: чтобы завершить, запустите «crossdock jobs resume» (или снова watch).`,
  ),
  CLI_WATCH_SETTLE: msg(
    () => '--settle takes a number of seconds from 0.05 to 3600, e.g. --settle 3.',
    () => '--settle принимает число секунд от 0,05 до 3600, например --settle 3.',
  ),
  CLI_WATCH_NOT_FOLDER: msg<{ dir: string }>(
    (p) => `${text(p.dir)} is not a folder; give the folder to watch.`,
    (p) => `${text(p.dir)} — не папка; укажите папку, за которой следить.`,
  ),
};
