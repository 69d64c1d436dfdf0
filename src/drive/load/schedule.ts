/**
 * Executor timelines as pure functions of scenario time (ms):
 * - arrival-rate executors: the rate ramps linearly through the stages (k6's model), so the
 *   cumulative arrivals N(t) are piecewise quadratic and iteration i is due at N⁻¹(i);
 * - VU executors: the VU count ramps linearly through the stages.
 * Everything is computed from the scenario start, never "previous + gap", so a late wake-up does not
 * push later arrivals back: that is what keeps the open model honest under a stalling target.
 */

/** A piecewise-linear profile: `start` at t = 0, then each stage moves linearly to its target. */
export interface Profile {
  start: number;
  stages: ReadonlyArray<{ durationMs: number; target: number }>;
}

export function profileDuration(p: Profile): number {
  return p.stages.reduce((t, s) => t + s.durationMs, 0);
}

/** The profile's value at t (the last target after the end). */
export function valueAt(p: Profile, t: number): number {
  let from = p.start;
  let at = 0;
  for (const s of p.stages) {
    if (t < at + s.durationMs) return from + (s.target - from) * ((t - at) / s.durationMs);
    at += s.durationMs;
    from = s.target;
  }
  return from;
}

/** ∫₀ᵗ rate: expected arrivals by t when the profile is a rate per ms. */
export function arrivalsUntil(p: Profile, t: number): number {
  let total = 0;
  let from = p.start;
  let at = 0;
  for (const s of p.stages) {
    const span = Math.min(Math.max(t - at, 0), s.durationMs);
    const slope = s.durationMs > 0 ? (s.target - from) / s.durationMs : 0;
    total += from * span + (slope * span * span) / 2;
    if (t <= at + s.durationMs) return total;
    at += s.durationMs;
    from = s.target;
  }
  return total;
}

/** When iteration `i` (0-based) is due: the first t with N(t) = i; Infinity if the profile ends first. */
export function arrivalTime(p: Profile, i: number): number {
  let total = 0;
  let from = p.start;
  let at = 0;
  for (const s of p.stages) {
    const slope = s.durationMs > 0 ? (s.target - from) / s.durationMs : 0;
    const inStage = from * s.durationMs + (slope * s.durationMs * s.durationMs) / 2;
    if (total + inStage >= i) {
      const need = i - total;
      // Solve from·τ + slope·τ²/2 = need for the smallest τ ≥ 0.
      let tau: number;
      if (Math.abs(slope) < 1e-15) tau = from > 0 ? need / from : 0;
      else {
        const disc = Math.max(from * from + 2 * slope * need, 0);
        // The numerically stable root of the quadratic (no cancellation when slope is tiny).
        tau = (2 * need) / (from + Math.sqrt(disc));
        if (!Number.isFinite(tau)) tau = 0;
      }
      return at + Math.min(Math.max(tau, 0), s.durationMs);
    }
    total += inStage;
    at += s.durationMs;
    from = s.target;
  }
  return Infinity;
}

/**
 * Iteration indices due in [from, to): [ceil(N(from)), ceil(N(to))). The small epsilon keeps
 * rounding noise (N = 400.0000000001) from adding or losing an iteration at a boundary.
 */
export function indexRange(p: Profile, fromMs: number, toMs: number): [number, number] {
  const first = Math.max(0, Math.ceil(arrivalsUntil(p, fromMs) - 1e-7));
  const end = Math.max(0, Math.ceil(arrivalsUntil(p, toMs) - 1e-7));
  return [first, Math.max(first, end)];
}

/** VU count of a closed-model profile at t, split over `workers` (worker w's share). */
export function vusAt(p: Profile, t: number, workers = 1, worker = 0): number {
  const total = Math.round(valueAt(p, t));
  return Math.floor((total + workers - 1 - worker) / workers);
}
