/**
 * Findings of an imported spreadsheet, grouped by rule: one systematic fault (a whole ID column
 * typed as numbers, a status label the school's software made up) is one group with a count and a
 * few rows to look at, not thousands of lines. A group is one rule code at one column (or field):
 * it has one message (the first finding's), its count, and its first rows in sheet and row order
 * with the cell's value as a report may show it (`mask.ts`).
 *
 * The collector keeps a bounded number of examples per group, so grouping costs nothing however
 * many rows share a fault; the count is always complete.
 */
import type { Bilingual, Severity } from '../model/index.ts';
import { fieldPattern, maskPersonalText } from './mask.ts';

/** One problem at its place in the school's file. */
export interface Finding {
  /** The sheet's name (a CSV's is its file name without the extension). */
  sheet: string;
  /** The spreadsheet's own row number. */
  row: number | null;
  /** Column letter. */
  column: string | null;
  /** Canonical field path (`birthDate`, `guardians.0.personalId`). */
  field: string;
  code: string;
  level: Severity;
  /** Vietnamese and English, personal numbers masked. */
  message: Bilingual;
}

/** A row of a group, to look at. */
export interface FindingSample {
  sheet: string;
  row: number | null;
  /** The cell's value as the record read it, masked where personal; absent when unknown. */
  value?: string;
  /** This row's message, when it is not the group's ("Tuổi 20 …" and "Tuổi 21 …"). */
  message?: string;
}

export interface FindingGroup {
  code: string;
  level: Severity;
  /** Column letter (the first row's when the field moves between columns). */
  column: string | null;
  /** The column's header text in the school's file, when known. */
  header?: string;
  /** Canonical field, indexes as `[]` (`guardians[].phone`). */
  field: string;
  /** Findings in the group. */
  count: number;
  /** Vietnamese / English: the first finding's, personal numbers masked. */
  message: string;
  /** The first rows, in sheet and row order. */
  samples: FindingSample[];
}

export const DEFAULT_SAMPLES = 10;

/** One line for people: Vietnamese first, English beside, personal numbers masked. */
export const findingMessage = (message: Bilingual): string =>
  maskPersonalText(`${message.vi} / ${message.en}`);

const keyOf = (f: Pick<Finding, 'code' | 'level' | 'column' | 'field'>): string =>
  `${f.code}\u0000${f.level}\u0000${f.column ?? ''}\u0000${fieldPattern(f.field)}`;

interface OpenGroup {
  group: FindingGroup;
  /** Where its first finding was, for ordering. */
  first: { sheet: number; row: number };
  /** Sample places, for ordering (same index as `group.samples`). */
  places: Array<{ sheet: number; row: number }>;
}

/**
 * Collects findings into groups as they come.
 *
 * @example
 * const groups = new FindingGroups();
 * groups.add(finding, () => maskValue(cellText, 'personal'));
 * groups.build() // [{ code: 'PERSONAL_ID_LEADING_ZERO_RESTORED', count: 3850, samples: [...10] , … }]
 */
export class FindingGroups {
  private readonly groups = new Map<string, OpenGroup>();
  private readonly sheets = new Map<string, number>();

  constructor(
    private readonly maxSamples = DEFAULT_SAMPLES,
    /** Header text of a column of a sheet, for the groups' `header`. */
    private readonly headerOf: (sheet: string, column: string) => string | undefined = () => undefined,
  ) {}

  /**
   * Adds a finding. `value` is asked for only when the finding becomes one of its group's
   * examples: a value is looked up and masked at most `maxSamples` times a group.
   */
  add(finding: Finding, value?: () => string | undefined): void {
    const key = keyOf(finding);
    if (!this.sheets.has(finding.sheet)) this.sheets.set(finding.sheet, this.sheets.size);
    const place = { sheet: this.sheets.get(finding.sheet)!, row: finding.row ?? 0 };
    let open = this.groups.get(key);
    if (!open) {
      const header = finding.column ? this.headerOf(finding.sheet, finding.column) : undefined;
      open = {
        group: {
          code: finding.code,
          level: finding.level,
          column: finding.column,
          ...(header ? { header } : {}),
          field: fieldPattern(finding.field),
          count: 0,
          message: findingMessage(finding.message),
          samples: [],
        },
        first: place,
        places: [],
      };
      this.groups.set(key, open);
    }
    const { group } = open;
    group.count++;
    if (before(place, open.first)) open.first = place;
    // Findings come in row order, but a dataset rule's come at the end: an earlier row takes the
    // place of the latest example.
    const full = group.samples.length >= this.maxSamples;
    if (full && !before(place, open.places.at(-1)!)) return;
    const sample: FindingSample = { sheet: finding.sheet, row: finding.row };
    const shown = value?.();
    if (shown !== undefined) sample.value = shown;
    const message = findingMessage(finding.message);
    if (message !== group.message) sample.message = message;
    let at = open.places.length;
    while (at > 0 && before(place, open.places[at - 1]!)) at--;
    open.places.splice(at, 0, place);
    group.samples.splice(at, 0, sample);
    if (group.samples.length > this.maxSamples) {
      open.places.pop();
      group.samples.pop();
    }
  }

  /** The groups: errors first, then the largest, then in the order of the file. */
  build(): FindingGroup[] {
    return [...this.groups.values()]
      .sort(
        (a, b) =>
          Number(a.group.level !== 'error') - Number(b.group.level !== 'error') ||
          b.group.count - a.group.count ||
          a.first.sheet - b.first.sheet ||
          a.first.row - b.first.row,
      )
      .map((open) => open.group);
  }
}

function before(a: { sheet: number; row: number }, b: { sheet: number; row: number }): boolean {
  return a.sheet < b.sheet || (a.sheet === b.sheet && a.row < b.row);
}
