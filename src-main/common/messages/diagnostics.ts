// The diagnostics bundle (Help → Save Diagnostics…, `crossdock diagnostics`), the lines of the app's
// own log (main.log in the data folder, see src-main/engine/main-log.ts) and the leftovers cleaned at
// start.
import { end, msg, num, text } from './format.ts';

export const DIAGNOSTICS = {
  SHELL_SAVE_DIAGNOSTICS: msg(
    () => 'Save Diagnostics…',
    () => 'Сохранить диагностику…',
  ),
  SHELL_DIAGNOSTICS_SAVED_DETAIL: msg(
    () =>
      'It holds the app’s versions, its settings without passwords, the job table with its logs, and the app’s log. Your spreadsheets are not in it.',
    () =>
      'В нём версии приложения, настройки без паролей, таблица заданий с журналами и журнал приложения. Ваших таблиц в нём нет.',
  ),
  SHELL_DIAGNOSTICS_SHOW: msg(
    () => 'Show in Folder',
    () => 'Показать в папке',
  ),
  SHELL_DIAGNOSTICS_CLOSE: msg(
    () => 'Close',
    () => 'Закрыть',
  ),
  DIAG_SAVED: msg<{ path: string }>(
    (p) => `Diagnostics saved to ${text(p.path)}.`,
    (p) => `Диагностика сохранена в ${text(p.path)}.`,
  ),
  DIAG_SAVE_FAILED: msg<{ path: string; reason: string }>(
    (p) => `The diagnostics could not be saved to ${text(p.path)}: ${end(text(p.reason))}`,
    (p) => `Не удалось сохранить диагностику в ${text(p.path)}: ${end(text(p.reason))}`,
  ),
  MAIN_LOG_CALL_FAILED: msg<{ method: string; reason: string }>(
    (p) => `The window's call ${text(p.method)} failed: ${end(text(p.reason))}`,
    (p) => `Вызов окна ${text(p.method)} не выполнен: ${end(text(p.reason))}`,
  ),
  MAIN_LOG_ENGINE_ERROR: msg<{ reason: string }>(
    (p) => `The job engine reported an error: ${end(text(p.reason))}`,
    (p) => `Ошибка в работе заданий: ${end(text(p.reason))}`,
  ),
  MAIN_LOG_SCHEDULE_FAILED: msg<{ id: string; reason: string }>(
    (p) => `Schedule ${text(p.id)} could not queue its export: ${end(text(p.reason))}`,
    (p) => `Расписание ${text(p.id)} не смогло поставить выгрузку в очередь: ${end(text(p.reason))}`,
  ),
  MAIN_LOG_RENDERER_GONE: msg<{ reason: string; exitCode: number }>(
    (p) => `The window's page stopped (${text(p.reason)}, exit code ${num(p.exitCode)}).`,
    (p) => `Страница окна остановилась (${text(p.reason)}, код выхода ${num(p.exitCode)}).`,
  ),
  MAIN_LOG_START_FAILED: msg<{ reason: string }>(
    (p) => `Crossdock could not start: ${end(text(p.reason))}`,
    (p) => `Crossdock не удалось запустить: ${end(text(p.reason))}`,
  ),
  MAIN_LOG_PERMISSION_REFUSED: msg<{ permission: string; origin: string }>(
    (p) => `A page asked for the permission ${text(p.permission)} (${text(p.origin)}); refused.`,
    (p) => `Страница запросила разрешение ${text(p.permission)} (${text(p.origin)}); отказано.`,
  ),
  MAIN_LOG_NAVIGATION_REFUSED: msg<{ url: string }>(
    (p) => `The window was kept from opening ${text(p.url)}.`,
    (p) => `Окну не дано открыть ${text(p.url)}.`,
  ),
};
