/** A parsed Prometheus text scrape: each metric family's type, and each sample's value. */
export interface Scrape {
  types: Map<string, string>;
  /** Value of the sample `name{labels}` (labels in any order), or undefined if absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    if (line.startsWith("#") || line.trim() === "") continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample?.[1] || !sample[3]) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      if (pair[1]) labels[pair[1]] = pair[2] ?? "";
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return {
    types,
    value(name, labels = {}) {
      const wanted = Object.entries(labels);
      return samples.find(
        (s) =>
          s.name === name &&
          Object.keys(s.labels).length === wanted.length &&
          wanted.every(([k, v]) => s.labels[k] === v),
      )?.value;
    },
  };
}
