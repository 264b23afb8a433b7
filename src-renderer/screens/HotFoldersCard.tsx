// Settings → Hot folders: the watched folders, each with its supplier list, analogs, output folder
// and result language (PRODUCT.md, Hot folders). The settings screen owns the draft and saves it.
import { useCallback } from 'react';
import type { SettingsValue } from '../../src-main/common/contract.ts';
import { Card } from '../components/bits.tsx';
import {
  CheckField,
  Field,
  FolderField,
  SelectField,
  SupplierListSelect,
  useSupplierLists,
} from '../components/fields.tsx';
import { IconPlus, IconTrash } from '../components/icons.tsx';
import { useT, type T } from '../i18n/index.ts';

type HotFolder = SettingsValue['hotFolders'][number];

/** A watched folder as the form holds it: the output folder as typed ('' = the "results" subfolder). */
export type HotFolderDraft = Omit<HotFolder, 'outDir'> & { outDir: string };

export function hotFolderDrafts(folders: readonly HotFolder[]): HotFolderDraft[] {
  return folders.map((f) => ({ ...f, outDir: f.outDir ?? '' }));
}

/** The settings' folders of the drafts, or the sentence saying what one lacks. */
export function hotFoldersOf(drafts: readonly HotFolderDraft[], t: T): HotFolder[] | string {
  const out: HotFolder[] = [];
  for (const d of drafts) {
    const dir = d.dir.trim();
    if (!dir) return t('hot.dirNeeded');
    if (!d.list) return t('hot.listNeeded', { dir });
    const outDir = d.outDir.trim() || null;
    // Its results would come back as new files (the engine refuses such a folder too).
    if (outDir !== null && outDir.replace(/[\\/]+$/, '') === dir.replace(/[\\/]+$/, ''))
      return t('hot.outIsDir', { dir });
    out.push({ ...d, dir, outDir });
  }
  return out;
}

export function HotFoldersCard({
  folders,
  source,
  onChange,
  onError,
}: {
  folders: HotFolderDraft[];
  source: SettingsValue['source'];
  onChange: (folders: HotFolderDraft[]) => void;
  onError: (message: string) => void;
}) {
  const t = useT();
  const keep = useCallback((_names: string[], current: string) => current, []);
  const { lists, listsError } = useSupplierLists(source, keep);
  const update = (i: number, patch: Partial<HotFolderDraft>) =>
    onChange(folders.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const add = () =>
    onChange([
      ...folders,
      { dir: '', list: lists?.[0] ?? '', analogs: 'off', outDir: '', lang: t.lang, enabled: true },
    ]);
  return (
    <Card title={t('hot.title')} count={folders.length || undefined} hint={t('hot.hint')}>
      {folders.length === 0 && <p className="muted small">{t('hot.none')}</p>}
      {folders.map((f, i) => {
        // A list this source does not have (the source changed): shown as it is, so it is not lost.
        const choices = lists && f.list && !lists.includes(f.list) ? [f.list, ...lists] : lists;
        return (
          <div className="subform" data-testid="hot-folder" key={i}>
            <FolderField
              id={`hot-folder-dir-${i}`}
              label={t('hot.dir')}
              value={f.dir}
              placeholder={t('hot.dirPlaceholder')}
              testId="hot-folder-dir"
              chooseTestId="hot-folder-choose"
              onChange={(dir) => update(i, { dir })}
              onChosen={(dir) => update(i, { dir })}
              onError={onError}
            />
            <FolderField
              id={`hot-folder-out-${i}`}
              label={t('hot.outDir')}
              value={f.outDir}
              placeholder={t('hot.outDirResults')}
              testId="hot-folder-out"
              onChange={(outDir) => update(i, { outDir })}
              onChosen={(outDir) => update(i, { outDir })}
              onError={onError}
            />
            {/* Three short choices side by side: the pair grid with a third column. */}
            <div className="field-pair" style={{ gridTemplateColumns: 'repeat(3, minmax(0, 1fr))' }}>
              <Field label={t('sheet.list')}>
                <SupplierListSelect
                  lists={choices}
                  value={f.list}
                  onChange={(list) => update(i, { list })}
                  testId="hot-folder-list"
                />
              </Field>
              <SelectField
                label={t('sheet.analogs')}
                testId="hot-folder-analogs"
                value={f.analogs}
                choices={[
                  { value: 'off', label: t('sheet.analogs.off') },
                  { value: 'missing', label: t('sheet.analogs.missing') },
                  { value: 'always', label: t('sheet.analogs.always') },
                ]}
                onChange={(analogs) => update(i, { analogs })}
              />
              <SelectField
                label={t('hot.lang')}
                testId="hot-folder-lang"
                value={f.lang}
                choices={[
                  { value: 'en', label: 'English' },
                  { value: 'ru', label: 'Русский' },
                ]}
                onChange={(lang) => update(i, { lang })}
              />
            </div>
            <div className="test-row">
              <CheckField
                label={t('hot.enabled')}
                testId="hot-folder-enabled"
                value={f.enabled}
                onChange={(enabled) => update(i, { enabled })}
              />
              <button
                type="button"
                className="btn btn-small btn-ghost btn-ghost-danger"
                data-testid="hot-folder-remove"
                onClick={() => onChange(folders.filter((_, j) => j !== i))}
              >
                <IconTrash size={14} /> {t('hot.remove')}
              </button>
            </div>
          </div>
        );
      })}
      {listsError && <span className="field-error">{listsError}</span>}
      <div className="test-row">
        <button type="button" className="btn" data-testid="hot-folder-add" onClick={add}>
          <IconPlus size={14} /> {t('hot.add')}
        </button>
        <span className="field-hint">{t('hot.addHint')}</span>
      </div>
    </Card>
  );
}
