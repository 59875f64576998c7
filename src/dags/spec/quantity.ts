import { isQuantity } from "./kubernetes-names.ts";

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The numeric value of a Kubernetes quantity (`"250m"` → 0.25, `"1Gi"` → 1073741824), or undefined. */
export function quantityValue(quantity: string): number | undefined {
  if (!isQuantity(quantity)) return undefined;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(quantity);
  if (!match?.[1]) return undefined;
  const suffix = match[2] ?? "";
  if (/^[eE]/.test(suffix)) return Number(match[1]) * 10 ** Number(suffix.slice(1));
  const factor = SUFFIX[suffix];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
