/**
 * A tabular layout: the header a sheet must have, and how each data row becomes records. The
 * timetable grid (days × periods) is not tabular and has its own reader.
 */
import { RecordError } from '../../../src/sdk/index.ts';
import type { FileKind, Profile } from '../config.ts';
import type { HeaderSpec } from '../header.ts';
import type { Mapped, RowView, SheetEnv } from '../rows.ts';

export interface SheetMapper {
  /** The records (or rejections) of one data row; a layout that groups rows may return none yet. */
  row(view: RowView): Mapped | readonly Mapped[] | undefined;
  /** What is left when the sheet ends (the last group). */
  end?(): readonly Mapped[];
}

export interface TabularLayout {
  kind: Exclude<FileKind, 'timetable'>;
  header: HeaderSpec;
  /** The header with what a school's profile adds (its own subject names), when the layout uses it. */
  headerFor?(profile: Profile): HeaderSpec;
  start(env: SheetEnv): SheetMapper;
}

/** Runs a row's mapping, turning a RecordError into a rejection that keeps the row's natural id. */
export function attempt(id: string | undefined, map: () => Mapped): Mapped {
  try {
    return map();
  } catch (error) {
    if (error instanceof RecordError) return { id, error };
    throw error;
  }
}
