/** resource.Quantity as kube-apiserver parses, compares and prints it (`1024Mi` is stored as `1Gi`). */

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

type Format = "BinarySI" | "DecimalSI" | "DecimalExponent";

/** An exact value, `numerator / denominator`, and the notation it was written in. */
export interface Quantity {
  numerator: bigint;
  denominator: bigint;
  format: Format;
}

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Parses a quantity, or returns the message kube-apiserver's decoder fails with. */
export function parseQuantity(input: string | number): Quantity | { error: string } {
  const text = String(input).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(text);
  if (!match || text === "" || (match[2] === "" && (match[3] ?? "") === ""))
    return { error: QUANTITY_FORMAT_ERROR };
  const [, sign = "", whole = "", fraction = "", suffix = ""] = match;
  let numerator = BigInt(`${whole}${fraction}` || "0");
  let denominator = 10n ** BigInt(fraction.length);
  let format: Format;
  if (suffix in BINARY) {
    numerator *= 2n ** BigInt(BINARY[suffix] ?? 0);
    format = "BinarySI";
  } else if (suffix in DECIMAL) {
    const exp = DECIMAL[suffix] ?? 0;
    if (exp >= 0) numerator *= 10n ** BigInt(exp);
    else denominator *= 10n ** BigInt(-exp);
    format = "DecimalSI";
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    const exp = Number(suffix.slice(1));
    if (exp >= 0) numerator *= 10n ** BigInt(exp);
    else denominator *= 10n ** BigInt(-exp);
    format = "DecimalExponent";
  } else if (/^[eEinumkKMGTP]*[-+]?\d*$/.test(suffix)) {
    return { error: "unable to parse quantity's suffix" };
  } else {
    return { error: QUANTITY_FORMAT_ERROR };
  }
  if (sign === "-") numerator = -numerator;
  return { numerator, denominator, format };
}

export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

export const isNegative = (q: Quantity): boolean => q.numerator < 0n;

/** The value as a float, for scheduling arithmetic only. */
export const quantityValue = (q: Quantity): number => Number(q.numerator) / Number(q.denominator);

/** The canonical string kube-apiserver stores and returns. */
export function formatQuantity(q: Quantity): string {
  if (q.numerator === 0n) return "0";
  const negative = q.numerator < 0n;
  const abs = negative ? -q.numerator : q.numerator;
  const sign = negative ? "-" : "";
  let format = q.format;
  if (format === "BinarySI" && (abs < 1024n * q.denominator || abs % q.denominator !== 0n))
    format = "DecimalSI";
  if (format === "BinarySI") {
    let value = abs / q.denominator;
    let power = 0;
    while (power < 60 && value % 1024n === 0n) {
      value /= 1024n;
      power += 10;
    }
    const suffix = Object.entries(BINARY).find(([, p]) => p === power)?.[0] ?? "";
    return `${sign}${value}${suffix}`;
  }
  // Decimal: round up to nano units, then find the largest exponent (a multiple of 3) that keeps it whole.
  let nanos = (abs * 1_000_000_000n + q.denominator - 1n) / q.denominator;
  let exp = -9;
  while (exp < 18 && nanos % 1000n === 0n) {
    nanos /= 1000n;
    exp += 3;
  }
  if (format === "DecimalExponent") return `${sign}${nanos}${exp === 0 ? "" : `e${exp}`}`;
  const suffix = Object.entries(DECIMAL).find(([, e]) => e === exp)?.[0] ?? "";
  return `${sign}${nanos}${suffix}`;
}
