import { SourceMap, type SourceMapPayload } from "node:module";

/** Where a generated position came from; both undefined when the map does not say. */
export interface OriginalPosition {
  originalLine?: number;
  originalColumn?: number;
}

/** The part of node:module's SourceMap that stack formatting uses. */
export interface PositionLookup {
  findEntry(line: number, column: number): OriginalPosition;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Base64 digit by char code; any other char decodes as 0, as in node:module's decoder. */
const DIGITS = new Int8Array(128);
for (let i = 0; i < BASE64.length; i++) DIGITS[BASE64.charCodeAt(i)] = i;
const COMMA = 44;
const SEMICOLON = 59;

/**
 * A source map's generated → original positions, for `findEntry` exactly as node:module's
 * SourceMap answers it, at a fraction of its cost: the mappings are decoded into flat typed arrays
 * instead of one array per segment, with no copy of the payload. A loader process reads the map of
 * every module it evaluates (the `dag()` and `pod()` call sites are source-mapped), so this was a
 * tenth of its CPU. A map whose mappings are not in order, or that has sections, is read by
 * node:module's SourceMap (which sorts them), so the answers are the same for every map.
 */
export function readSourceMap(text: string): PositionLookup {
  const payload = JSON.parse(text) as SourceMapPayload & { sections?: unknown };
  if (payload.sections === undefined && typeof payload.mappings === "string") {
    const map = decode(payload.mappings);
    if (map) return map;
  }
  return new SourceMap(payload);
}

class FlatSourceMap implements PositionLookup {
  constructor(
    /** Per segment: generated line, generated column, original line, original column. */
    private readonly entries: Int32Array,
    /** Per segment: 1 when it names an original position. */
    private readonly original: Uint8Array,
    private readonly count: number,
  ) {}

  findEntry(line: number, column: number): OriginalPosition {
    // The same search as node:module's SourceMap.findEntry: the last segment at or before the position.
    const { entries } = this;
    let first = 0;
    let count = this.count;
    while (count > 1) {
      const step = count >> 1;
      const middle = first + step;
      const at = middle * 4;
      if (line < (entries[at] ?? 0) || (line === entries[at] && column < (entries[at + 1] ?? 0)))
        count = step;
      else {
        first = middle;
        count -= step;
      }
    }
    if (this.count === 0) return {};
    const at = first * 4;
    if (
      first === 0 &&
      (line < (entries[at] ?? 0) || (line === entries[at] && column < (entries[at + 1] ?? 0)))
    )
      return {};
    if (this.original[first] !== 1) return {};
    return { originalLine: entries[at + 2], originalColumn: entries[at + 3] };
  }
}

/** The mappings decoded as node:module decodes them; undefined when they are not in order. */
function decode(mappings: string): FlatSourceMap | undefined {
  let capacity = 64;
  let entries = new Int32Array(capacity * 4);
  let original = new Uint8Array(capacity);
  let count = 0;
  let position = 0;
  const length = mappings.length;
  const vlq = (): number => {
    let result = 0;
    let shift = 0;
    let digit: number;
    do {
      const code = position < length ? mappings.charCodeAt(position) : 0;
      position += 1;
      digit = code < 128 ? (DIGITS[code] ?? 0) : 0;
      result += (digit & 31) << shift;
      shift += 5;
    } while (digit & 32);
    const negative = result & 1;
    result >>>= 1;
    return negative ? -result | -2147483648 : result;
  };
  const isSeparator = (at: number) => {
    const code = mappings.charCodeAt(at);
    return code === COMMA || code === SEMICOLON;
  };
  let line = 0;
  let column = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (;;) {
    if (mappings.charCodeAt(position) === COMMA) position += 1;
    else {
      while (mappings.charCodeAt(position) === SEMICOLON) {
        line += 1;
        column = 0;
        position += 1;
      }
      if (position >= length) break;
    }
    if (count === capacity) {
      capacity *= 2;
      const grown = new Int32Array(capacity * 4);
      grown.set(entries);
      entries = grown;
      const grownOriginal = new Uint8Array(capacity);
      grownOriginal.set(original);
      original = grownOriginal;
    }
    column += vlq();
    const at = count * 4;
    const previous = at - 4;
    if (
      count > 0 &&
      (line < (entries[previous] ?? 0) ||
        (line === entries[previous] && column < (entries[previous + 1] ?? 0)))
    )
      return undefined;
    entries[at] = line;
    entries[at + 1] = column;
    count += 1;
    if (isSeparator(position)) continue;
    vlq(); // the source index: one source per compiled file
    sourceLine += vlq();
    sourceColumn += vlq();
    if (!isSeparator(position)) vlq(); // the name index
    entries[at + 2] = sourceLine;
    entries[at + 3] = sourceColumn;
    original[count - 1] = 1;
  }
  return new FlatSourceMap(entries, original, count);
}
