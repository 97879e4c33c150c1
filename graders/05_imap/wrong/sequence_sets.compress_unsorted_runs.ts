// Mistake: compress() sorts with the default (text) order before finding runs.
function bound(text: string, max: number, whole: string): number {
  if (text === "*") return max;
  if (!/^[1-9]\d*$/.test(text)) {
    throw new Error(`Bad sequence set ${JSON.stringify(whole)}: ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The members of `existing` named by `set`. */
export function select(set: string, existing: number[]): number[] {
  const max = existing.length ? existing[existing.length - 1] : 0;
  if (set === "") throw new Error("Bad sequence set: empty");
  const ranges = set.split(",").map((part) => {
    const ends = part.split(":");
    if (ends.length > 2) throw new Error(`Bad sequence set ${JSON.stringify(set)}`);
    const a = bound(ends[0], max, set);
    const b = ends.length === 2 ? bound(ends[1], max, set) : a;
    return [Math.min(a, b), Math.max(a, b)];
  });
  return existing.filter((n) => ranges.some(([lo, hi]) => n >= lo && n <= hi));
}

/** The compact set of `numbers`. */
export function compress(numbers: number[]): string {
  const sorted = [...new Set(numbers)].sort();
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
