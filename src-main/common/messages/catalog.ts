// Files imported into the demo catalog besides price lists: crosses (analogs) and brand aliases
// (`crossdock catalog import-crosses` / `import-aliases`).
import { items, msg, num, plural, text } from './format.ts';

/** The header row a job looked at: its first 12 names, and whether it has more. */
type Headers = { rows: number; headers: readonly string[]; more: boolean };
const shown = (p: Headers, none: string): string => {
  const h = items(p.headers);
  return h.length === 0 ? none : `${h.join(', ')}${p.more ? ', …' : ''}`;
};

export const CATALOG = {
  NO_CROSSES_HEADER: msg<Headers>(
    (p) =>
      `The crosses file has no Brand, Article, Cross brand and Cross article header in its first ${text(p.rows)} rows (found: ${shown(p, 'none')}); add these four headers (or Бренд, Артикул, Бренд аналога, Артикул аналога).`,
    (p) =>
      `В первых ${text(p.rows)} строках файла кроссов нет заголовков Бренд, Артикул, Бренд аналога и Артикул аналога (найдены: ${shown(p, 'никакие')}); добавьте эти четыре заголовка (или Brand, Article, Cross brand, Cross article).`,
  ),
  NO_ALIASES_HEADER: msg<Headers>(
    (p) =>
      `The brand aliases file has no Alias and Brand header in its first ${text(p.rows)} rows (found: ${shown(p, 'none')}); add these two headers (or Синоним, Бренд).`,
    (p) =>
      `В первых ${text(p.rows)} строках файла синонимов брендов нет заголовков Синоним и Бренд (найдены: ${shown(p, 'никакие')}); добавьте эти два заголовка (или Alias, Brand).`,
  ),
  NO_CROSS_LINES: msg<{ skipped: number }>(
    (p) =>
      `The crosses file has no usable lines (${text(p.skipped)} skipped): each needs a brand, an article, a cross brand and a cross article, naming two different parts.`,
    (p) =>
      `В файле кроссов нет пригодных строк (пропущено: ${text(p.skipped)}): в каждой нужны бренд, артикул, бренд аналога и артикул аналога, и это должны быть две разные детали.`,
  ),
  NO_ALIAS_LINES: msg<{ skipped: number }>(
    (p) =>
      `The brand aliases file has no usable lines (${text(p.skipped)} skipped): each needs an alias and the brand it stands for, different from it.`,
    (p) =>
      `В файле синонимов брендов нет пригодных строк (пропущено: ${text(p.skipped)}): в каждой нужны синоним и бренд, который он обозначает, отличный от него.`,
  ),
  LOG_IMPORTED_CROSSES: msg<{ crosses: number; added: number; skipped: number }>(
    (p) =>
      `Imported ${text(p.crosses)} crosses (${text(p.added)} new, the rest already known); ${text(p.skipped)} lines skipped.`,
    (p) =>
      `Импортировано кроссов: ${text(p.crosses)} (новых ${text(p.added)}, остальные уже были); пропущено строк: ${text(p.skipped)}.`,
  ),
  LOG_IMPORTED_ALIASES: msg<{ aliases: number; skipped: number }>(
    (p) => `Imported ${text(p.aliases)} brand aliases; ${text(p.skipped)} lines skipped.`,
    (p) =>
      `Импортировано ${text(p.aliases)} ${plural(num(p.aliases), 'синоним', 'синонима', 'синонимов')} брендов; пропущено строк: ${text(p.skipped)}.`,
  ),
  LOG_SKIPPED_LINE: msg<{
    row: number;
    reason: 'brand' | 'article' | 'cross_brand' | 'cross_article' | 'same_part' | 'alias' | 'same_brand';
  }>(
    (p) =>
      `Row ${text(p.row)} skipped: ${
        {
          brand: 'no brand',
          article: 'no article',
          cross_brand: 'no cross brand',
          cross_article: 'no cross article',
          same_part: 'the cross names the part itself',
          alias: 'no alias',
          same_brand: 'the alias is the brand itself',
        }[p.reason] ?? text(p.reason)
      }.`,
    (p) =>
      `Строка ${text(p.row)} пропущена: ${
        {
          brand: 'нет бренда',
          article: 'нет артикула',
          cross_brand: 'нет бренда аналога',
          cross_article: 'нет артикула аналога',
          same_part: 'аналог совпадает с самой деталью',
          alias: 'нет синонима',
          same_brand: 'синоним совпадает с брендом',
        }[p.reason] ?? text(p.reason)
      }.`,
  ),
};
