import { useMemo } from 'react';
import { create } from 'zustand';
import { renderMessage, type Lang } from '../../src-main/common/errors.ts';
import type { InspectResult, Job, JobLogLine } from '../../src-main/common/types.ts';
import { en, type Dict, type Key, type Plural } from './en.ts';
import { ru } from './ru.ts';

export type { Key, Lang };

// ── the engine's messages: rendered by code (src-main/common/messages) in the UI language ─────────

/** A coded error or log line in `lang`; without a known code, its English text as it came. */
export { renderMessage };

/** A job's error in `lang` (its English sentence when the row has no code: an old row). */
export function jobError(lang: Lang, job: Pick<Job, 'error' | 'errorCode' | 'errorParams'>): string {
  return renderMessage(lang, { code: job.errorCode, params: job.errorParams, message: job.error });
}

/** A log line in `lang` (its English text when it has no code). */
export function logLine(lang: Lang, line: Pick<JobLogLine, 'message' | 'code' | 'params'>): string {
  return renderMessage(lang, { code: line.code, params: line.params, message: line.message });
}

/** Why a file's columns need the user, in `lang`; null when they do not. */
export function inspectProblem(
  lang: Lang,
  r: Pick<InspectResult, 'problem' | 'problemCode' | 'problemParams'>,
): string | null {
  if (!r.problem && !r.problemCode) return null;
  return renderMessage(lang, { code: r.problemCode, params: r.problemParams, message: r.problem });
}

const DICTS: Record<Lang, Dict> = { en, ru };

/** The UI language: settings.language, else the system's (set once both are known). */
export const useLang = create<{ lang: Lang; setLang: (lang: Lang) => void }>((set) => ({
  lang: navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en',
  setLang: (lang) => {
    document.documentElement.lang = lang;
    set({ lang });
  },
}));

type Vars = Record<string, string | number>;

const pluralRules: Partial<Record<Lang, Intl.PluralRules>> = {};
const numberFormats: Partial<Record<Lang, Intl.NumberFormat>> = {};

function number(lang: Lang, n: number): string {
  numberFormats[lang] ??= new Intl.NumberFormat(lang);
  return numberFormats[lang].format(n);
}

function fill(template: string, lang: Lang, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = vars[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? number(lang, v) : v;
  });
}

export function translate(lang: Lang, key: Key, vars?: Vars): string {
  const entry: string | Plural = DICTS[lang][key] ?? en[key];
  if (typeof entry === 'string') return fill(entry, lang, vars);
  const n = typeof vars?.n === 'number' ? vars.n : 0;
  pluralRules[lang] ??= new Intl.PluralRules(lang);
  const form = entry[pluralRules[lang].select(n)] ?? entry.other;
  return fill(form, lang, vars);
}

export type T = ((key: Key, vars?: Vars) => string) & { lang: Lang };

export function makeT(lang: Lang): T {
  const t = ((key: Key, vars?: Vars) => translate(lang, key, vars)) as T;
  t.lang = lang;
  return t;
}

/** The translate function of the current language; components re-render when it changes. */
export function useT(): T {
  const lang = useLang((s) => s.lang);
  return useMemo(() => makeT(lang), [lang]);
}

/** Outside React (toasts raised from the store). */
export function tNow(key: Key, vars?: Vars): string {
  return translate(useLang.getState().lang, key, vars);
}

// ── formatting with the chosen locale ─────────────────────────────────────────────────────────────

export function fmtNumber(lang: Lang, n: number): string {
  return number(lang, n);
}

export function fmtPercent(lang: Lang, ratio: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

const dateTimeFormats: Partial<Record<string, Intl.DateTimeFormat>> = {};
function dtf(lang: Lang, kind: 'short' | 'full' | 'time'): Intl.DateTimeFormat {
  const k = `${lang}:${kind}`;
  dateTimeFormats[k] ??= new Intl.DateTimeFormat(
    lang,
    kind === 'time'
      ? { hour: 'numeric', minute: '2-digit' }
      : kind === 'short'
        ? { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }
        : { dateStyle: 'medium', timeStyle: 'medium' },
  );
  return dateTimeFormats[k];
}

/** Today: the time only; else day, month and time. */
export function fmtWhen(lang: Lang, at: number): string {
  const d = new Date(at);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return dtf(lang, sameDay ? 'time' : 'short').format(d);
}

export function fmtDateTime(lang: Lang, at: number): string {
  return dtf(lang, 'full').format(new Date(at));
}

/** A clock-like duration: 0:07, 12:45, 1:02:03. */
export function fmtClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** A spoken duration: "12 seconds", "4 minutes", "2 hours". */
export function fmtSpan(t: T, seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return t('time.seconds', { n: s });
  if (s < 90 * 60) return t('time.minutes', { n: Math.round(s / 60) });
  return t('time.hours', { n: Math.round(s / 3600) });
}

/** A short ETA: 45 s / 3 min / 1 h 20 min — compact for the list. */
export function fmtEta(lang: Lang, seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (u: 'second' | 'minute' | 'hour', n: number) =>
    new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'narrow' }).format(n);
  if (s < 60) return unit('second', s);
  if (s < 3600) return unit('minute', Math.round(s / 60));
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${unit('hour', h)} ${unit('minute', m)}` : unit('hour', h);
}
