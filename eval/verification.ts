/**
 * Face verification figures over a set of people: every pair of items (photos, or renders of
 * their reconstructions) is genuine when both show the same person and impostor otherwise. Each
 * item has one descriptor per view (a photo has one; a reconstruction one per canonical view), and
 * a pair's score is the mean over views of the cosine between the two items' descriptors of that
 * view (frontal with frontal, turned with turned), so each view counts alike.
 *
 * The equal error rate is where the false accept rate (impostor pairs scoring ≥ the threshold)
 * meets the false reject rate (genuine pairs scoring below it), linearly interpolated between the
 * thresholds at the scores themselves; 0 when every genuine pair scores above every impostor pair.
 */
import { cosine } from "./identity.ts";

/** One item: whose it is and its descriptors, one per view (all items the same number of views). */
export interface VerificationItem {
  person: string;
  descriptors: Float32Array[];
}

export interface VerificationStats {
  /** Mean score over genuine pairs (same person, different items); null: no such pair. */
  genuine: number | null;
  /** Mean score over impostor pairs (different people); null: no such pair. */
  impostor: number | null;
  /** genuine − impostor. */
  gap: number | null;
  /** Equal error rate, 0..1; null without both kinds of pair. */
  eer: number | null;
  genuinePairs: number;
  impostorPairs: number;
  /** Per person: mean genuine score among their items, and mean impostor score of their items against everyone else's. */
  perPerson: Record<string, { genuine: number | null; impostor: number | null }>;
}

/** The pair's score: mean over views of the descriptors' cosine (views beyond the shorter list are ignored). */
export function pairScore(a: VerificationItem, b: VerificationItem): number {
  const views = Math.min(a.descriptors.length, b.descriptors.length);
  if (views === 0) throw new Error("pairScore: an item has no descriptor");
  let s = 0;
  for (let k = 0; k < views; k++) s += cosine(a.descriptors[k], b.descriptors[k]);
  return s / views;
}

const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : null);

/**
 * Equal error rate of genuine against impostor scores (higher score = more alike).
 *
 *   equalErrorRate([0.9, 0.8], [0.3, 0.85]);   // 0.5: one of two impostors above one of two genuines
 */
export function equalErrorRate(genuine: number[], impostor: number[]): number | null {
  if (genuine.length === 0 || impostor.length === 0) return null;
  const thresholds = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  thresholds.push(Infinity);
  const far = (t: number) => impostor.filter((s) => s >= t).length / impostor.length;
  const frr = (t: number) => genuine.filter((s) => s < t).length / genuine.length;
  // FAR falls and FRR rises with the threshold; find the step where FAR − FRR changes sign.
  let prev = { far: far(thresholds[0]), frr: frr(thresholds[0]) };
  for (let i = 1; i < thresholds.length; i++) {
    const cur = { far: far(thresholds[i]), frr: frr(thresholds[i]) };
    const d0 = prev.far - prev.frr, d1 = cur.far - cur.frr;
    if (d0 === 0) return prev.far;
    if (d1 <= 0) {
      const a = d0 / (d0 - d1);
      return prev.far + a * (cur.far - prev.far);
    }
    prev = cur;
  }
  return prev.far;
}

/** Genuine and impostor figures from scored pairs (persons of the two sides). */
function statsOfPairs(pairs: { a: string; b: string; score: number }[], people: string[]): VerificationStats {
  const genuine: number[] = [], impostor: number[] = [];
  const per: Record<string, { genuine: number[]; impostor: number[] }> = {};
  for (const p of people) per[p] ??= { genuine: [], impostor: [] };
  for (const { a, b, score } of pairs) {
    if (a === b) {
      genuine.push(score);
      per[a].genuine.push(score);
    } else {
      impostor.push(score);
      per[a].impostor.push(score);
      per[b].impostor.push(score);
    }
  }
  const g = mean(genuine), im = mean(impostor);
  return {
    genuine: g,
    impostor: im,
    gap: g !== null && im !== null ? g - im : null,
    eer: equalErrorRate(genuine, impostor),
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    perPerson: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { genuine: mean(v.genuine), impostor: mean(v.impostor) }])),
  };
}

/** Genuine and impostor figures over every pair of `items`. */
export function verificationStats(items: VerificationItem[]): VerificationStats {
  const pairs: { a: string; b: string; score: number }[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) pairs.push({ a: items[i].person, b: items[j].person, score: pairScore(items[i], items[j]) });
  }
  return statsOfPairs(pairs, items.map((it) => it.person));
}

/**
 * Figures of one kind of item against another (renders against photos): `a[i]` and `b[i]` come
 * from the same photo and are not paired; every other (a[i], b[j]) is, scored by the mean over
 * a's views of the cosine with b's first descriptor. Genuine: a render against the person's other
 * photos.
 */
export function crossVerificationStats(a: VerificationItem[], b: VerificationItem[]): VerificationStats {
  if (a.length !== b.length) throw new Error("crossVerificationStats: the two sides must list the same photos");
  const pairs: { a: string; b: string; score: number }[] = [];
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      if (i === j) continue;
      const score = a[i].descriptors.reduce((s, d) => s + cosine(d, b[j].descriptors[0]), 0) / a[i].descriptors.length;
      pairs.push({ a: a[i].person, b: b[j].person, score });
    }
  }
  return statsOfPairs(pairs, a.map((it) => it.person));
}
