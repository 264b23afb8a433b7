import { useEffect, useState, type ReactNode } from 'react';
import type { SettingsValue } from '../../src-main/common/contract.ts';
import { api, errorText } from '../api.ts';
import { useT } from '../i18n/index.ts';
import { rememberOutDir } from '../store.ts';
import { IconFolder } from './icons.tsx';

/** A form that stays on the page: submitting (Enter in a field, or its submit button) runs `onSubmit`. */
export function Form({
  className,
  onSubmit,
  children,
}: {
  className?: string;
  onSubmit: () => unknown;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** A control under its label: the label wraps it, so its words name the control and a click reaches it. */
export function Field({ label, inline, children }: { label: string; inline?: boolean; children: ReactNode }) {
  return (
    <label className={inline ? 'field field-inline' : 'field'}>
      <span className="field-label">{label}</span>
      {children}
    </label>
  );
}

interface InputProps<V> {
  label: string;
  testId: string;
  value: V;
  onChange: (value: V) => void;
  /** After the control: a hint, a preview. */
  children?: ReactNode;
}

export function TextField({
  label,
  testId,
  value,
  onChange,
  placeholder,
  spellCheck,
  mono,
  maxLength,
  invalid,
  children,
}: InputProps<string> & {
  placeholder?: string;
  spellCheck?: boolean;
  mono?: boolean;
  maxLength?: number;
  invalid?: boolean;
}) {
  return (
    <Field label={label}>
      <input
        className={`${mono ? 'input mono' : 'input'}${invalid ? ' invalid' : ''}`}
        data-testid={testId}
        value={value}
        placeholder={placeholder}
        spellCheck={spellCheck}
        maxLength={maxLength}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {children}
    </Field>
  );
}

/** A whole number in a range; `onChange` gets the text as typed, which the owner checks (`invalid`). */
export function NumberField({
  label,
  testId,
  value,
  onChange,
  min,
  max,
  step,
  invalid,
  unit,
  children,
}: Omit<InputProps<string>, 'value'> & {
  /** A number as it is (a number input compares it as one while the user types "3." or "3.0"). */
  value: string | number;
  min: number;
  max: number;
  step?: number;
  invalid?: boolean;
  unit?: string;
}) {
  const input = (
    <input
      className={`input num${invalid ? ' invalid' : ''}`}
      type="number"
      min={min}
      max={max}
      step={step}
      data-testid={testId}
      value={value}
      aria-invalid={invalid || undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
  return (
    <Field label={label}>
      {unit ? (
        <span className="input-unit">
          {input}
          <span className="muted">{unit}</span>
        </span>
      ) : (
        input
      )}
      {children}
    </Field>
  );
}

export function CheckField({ label, testId, value, onChange }: Omit<InputProps<boolean>, 'children'>) {
  return (
    <label className="check">
      <input
        type="checkbox"
        data-testid={testId}
        checked={value}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span>{label}</span>
    </label>
  );
}

export interface Choice<V extends string> {
  value: V;
  label: string;
}

interface SelectProps<V extends string> {
  testId: string;
  value: V;
  choices: readonly Choice<V>[];
  onChange: (value: V) => void;
}

/** `label` names a select that has no visible label. */
export function Select<V extends string>({
  testId,
  value,
  choices,
  onChange,
  label,
}: SelectProps<V> & { label?: string }) {
  return (
    <select
      className="select"
      data-testid={testId}
      aria-label={label}
      value={value}
      // The value is one of the choices' own.
      onChange={(e) => onChange(e.target.value as V)}
    >
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

export function SelectField<V extends string>({
  label,
  inline,
  ...select
}: SelectProps<V> & { label: string; inline?: boolean }) {
  return (
    <Field label={label} inline={inline}>
      <Select {...select} />
    </Field>
  );
}

/**
 * A source's supplier lists for `SupplierListSelect` (null while they load) and the one chosen: `pick`
 * chooses when they arrive, from the names and the current choice.
 */
export function useSupplierLists(
  source: SettingsValue['source'],
  pick: (names: string[], current: string) => string,
) {
  const [lists, setLists] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [list, setList] = useState('');
  useEffect(() => {
    let live = true;
    setLists(null);
    setError(null);
    api.supplierLists(source).then(
      (names) => {
        if (!live) return;
        setLists(names);
        setList((cur) => pick(names, cur));
      },
      (err) => {
        if (!live) return;
        setLists([]);
        setError(errorText(err));
      },
    );
    return () => {
      live = false;
    };
  }, [source, pick]);
  return { lists, listsError: error, list, setList };
}

/** The supplier list picker (the new-job sheet and the schedule form): loading, none, or the lists. */
export function SupplierListSelect({
  lists,
  value,
  onChange,
  testId,
}: {
  lists: string[] | null;
  value: string;
  onChange: (list: string) => void;
  testId: string;
}) {
  const t = useT();
  return (
    <select
      className="select"
      data-testid={testId}
      value={value}
      disabled={lists === null}
      onChange={(e) => onChange(e.target.value)}
    >
      {lists === null && <option value="">{t('sheet.listLoading')}</option>}
      {lists?.length === 0 && <option value="">{t('sheet.listNone')}</option>}
      {lists?.map((l) => (
        <option key={l} value={l}>
          {l}
        </option>
      ))}
    </select>
  );
}

/**
 * An output folder: typed, or chosen with the system's folder dialog (the new-job sheet, the schedule
 * form, Settings). `onChosen` gets the chosen folder; a failure is one sentence for `onError`.
 */
export function FolderField({
  id,
  label,
  value,
  placeholder,
  testId,
  chooseTestId,
  onChange,
  onChosen,
  onError,
}: {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  testId: string;
  chooseTestId?: string;
  onChange: (value: string) => void;
  onChosen: (dir: string) => void | Promise<void>;
  onError: (message: string) => void;
}) {
  const t = useT();
  const choose = async () => {
    try {
      const dir = await api.chooseFolder();
      if (dir) await onChosen(dir);
    } catch (err) {
      onError(errorText(err));
    }
  };
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="input-group">
        <input
          id={id}
          className="input"
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          title={value}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
        <button type="button" className="btn" data-testid={chooseTestId} onClick={() => void choose()}>
          <IconFolder /> {t('sheet.chooseFolder')}
        </button>
      </div>
    </div>
  );
}

/** Where a new job's or a schedule's files go; a folder picked in the dialog is the default next time. */
export function OutDirField({
  id,
  testId,
  chooseTestId,
  value,
  onChange,
  onError,
}: {
  id: string;
  testId: string;
  chooseTestId?: string;
  value: string;
  onChange: (value: string) => void;
  onError: (message: string) => void;
}) {
  const t = useT();
  return (
    <FolderField
      id={id}
      label={t('sheet.outDir')}
      value={value}
      placeholder={t('sheet.outDirPlaceholder')}
      testId={testId}
      chooseTestId={chooseTestId}
      onChange={onChange}
      onChosen={async (dir) => {
        onChange(dir);
        await rememberOutDir(dir);
      }}
      onError={onError}
    />
  );
}
