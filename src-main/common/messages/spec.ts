// A request that does not fit its schema: a job's settings, the app's settings, a call's arguments.
// `field` is the path of the value at fault ('' for the whole), `reason` the schema's own words (English).
import { msg, text } from './format.ts';

type Problem = { field: string; reason: string };
const where = (p: Problem): string => `${p.field ? `${text(p.field)}: ` : ''}${text(p.reason)}`;

export const SPEC = {
  JOB_SETTINGS_INVALID: msg<Problem>(
    (p) => `The job settings are not valid (${where(p)}).`,
    (p) => `Параметры задания неверны (${where(p)}).`,
  ),
  SETTINGS_INVALID: msg<Problem>(
    (p) => `The settings are not valid (${where(p)}).`,
    (p) => `Настройки неверны (${where(p)}).`,
  ),
  REQUEST_INVALID: msg<Problem>(
    (p) => `The request is not valid (${where(p)}).`,
    (p) => `Запрос неверен (${where(p)}).`,
  ),
  /** `argument`: the 1-based argument at fault, or null for the argument list as a whole. */
  CALL_ARGS_INVALID: msg<Problem & { method: string; argument: number | null }>(
    (p) =>
      `crossdock.${text(p.method)} was called with invalid ${p.argument === null || p.argument === undefined ? 'arguments' : `argument ${text(p.argument)}`} (${where(p)}).`,
    (p) =>
      `Метод crossdock.${text(p.method)} вызван с неверным ${p.argument === null || p.argument === undefined ? 'набором аргументов' : `аргументом ${text(p.argument)}`} (${where(p)}).`,
  ),
};
