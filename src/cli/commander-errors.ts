/**
 * commander's own usage errors (a required option left out, an unknown flag, a missing argument …)
 * in the catalogue's words: Vietnamese first, English beside, with a stable code, as every other
 * usage error of the command prints. commander writes its messages in English only, in a handful
 * of fixed shapes (commander 14, `lib/command.js`); a shape not recognised is passed on as it is.
 */
import { badOption, type UsageError, usageError } from './io.ts';

/** `(Did you mean --out?)` → ` (có phải --out?)`. */
function hintOf(suggestion: string | undefined): { vi: string; en: string } {
  if (!suggestion) return { vi: '', en: '' };
  return { vi: ` (có phải ý bạn là ${suggestion}?)`, en: ` (did you mean ${suggestion}?)` };
}

/**
 * The usage error a commander message stands for, or null for a message of another shape.
 *
 * @example
 * commanderUsageError("error: required option '--kind <kind>' not specified")?.message
 * // 'Thiếu --kind <kind> / Missing --kind <kind>'
 */
export function commanderUsageError(message: string): UsageError | null {
  const text = message.replace(/^error: /, '').trim();
  let m = /^required option '(.+)' not specified$/.exec(text);
  if (m) return usageError('OPTION_MISSING', { option: m[1]! });
  m = /^option '(.+)' argument missing$/.exec(text);
  if (m) return badOption(m[1]!, 'cần một giá trị', 'needs a value');
  m = /^option '(.+)' argument '(.*)' is invalid\.(?:\s+(.*))?$/s.exec(text);
  if (m) {
    const why = m[3]?.trim();
    return badOption(
      m[1]!,
      `không nhận giá trị "${m[2]}"${why ? ` (${why})` : ''}`,
      `does not take "${m[2]}"${why ? ` (${why})` : ''}`,
    );
  }
  m = /^unknown option '(.+?)'(?:\s*\(Did you mean (.+?)\?\))?$/s.exec(text);
  if (m) return usageError('OPTION_UNKNOWN', { option: m[1]!, hint: hintOf(m[2]) });
  m = /^unknown command '(.+?)'(?:\s*\(Did you mean (.+?)\?\))?$/s.exec(text);
  if (m) return usageError('COMMAND_UNKNOWN', { command: m[1]!, hint: hintOf(m[2]) });
  m = /^missing required argument '(.+)'$/.exec(text);
  if (m) return usageError('ARGUMENT_MISSING', { argument: m[1]! });
  m = /^too many arguments(?: for '(.+)')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(text);
  if (m) {
    return usageError('ARGUMENT_INVALID', {
      reason: {
        vi: `lệnh${m[1] ? ` ${m[1]}` : ''} nhận ${m[2]} đối số, nhận được ${m[3]}`,
        en: `the command${m[1] ? ` ${m[1]}` : ''} takes ${m[2]} argument(s), got ${m[3]}`,
      },
    });
  }
  m = /^option '(.+)' cannot be used with option '(.+)'$/.exec(text);
  if (m) {
    return usageError('OPTIONS_CONFLICT', {
      option: m[1]!,
      other: m[2]!,
      reason: { vi: 'hai tuỳ chọn loại trừ nhau', en: 'the two exclude each other' },
    });
  }
  return null;
}
