/**
 * Grouped findings as people read them in a terminal: one line a group, Vietnamese first and
 * English beside, with its count and the first rows to open.
 */
import type { FindingGroup } from './findings.ts';

const num = (n: number) => n.toLocaleString('en-US');

/** `Sheet1!7, 9, 12 …`: the rows of the samples, the sheet named once for each run of rows in it. */
function rowsOf(group: FindingGroup, shown: number): string {
  const parts: string[] = [];
  let sheet: string | undefined;
  for (const s of group.samples.slice(0, shown)) {
    const row = s.row === null ? '-' : String(s.row);
    parts.push(s.sheet === sheet ? row : `${s.sheet}!${row}`);
    sheet = s.sheet;
  }
  return `${parts.join(', ')}${group.count > shown ? ', …' : ''}`;
}

/**
 * The lines of the groups, at most `maxGroups` of them (and a line saying how many more).
 *
 * @example
 * renderFindingGroups(result.groups)
 * // ['  CẢNH BÁO/WARNING  I (Số định danh cá nhân)  personalId  PERSONAL_ID_LEADING_ZERO_RESTORED  × 3,850  dòng/rows Sheet1!6, 7, 8, 9, 10, … — …']
 */
export function renderFindingGroups(
  groups: readonly FindingGroup[],
  maxGroups = 50,
  rowsShown = 5,
): string[] {
  const lines = groups.slice(0, maxGroups).map((g) => {
    const level = g.level === 'error' ? 'LỖI/ERROR' : 'CẢNH BÁO/WARNING';
    const column = g.column ? `${g.column}${g.header ? ` (${g.header})` : ''}` : '-';
    return `  ${level}  ${column}  ${g.field || '-'}  ${g.code}  × ${num(g.count)}  dòng/rows ${rowsOf(g, rowsShown)} — ${g.message}`;
  });
  const more = groups.length - Math.min(groups.length, maxGroups);
  if (more > 0) {
    lines.push(
      `  … và ${num(more)} nhóm khác (dùng --json để xem) / … and ${num(more)} more groups (use --json to see them)`,
    );
  }
  return lines;
}
