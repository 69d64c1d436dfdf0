/**
 * Brent's root finder exactly as R's `uniroot` runs it (R_zeroin2 in stats/src/zeroin.c, after
 * Forsythe, Malcolm & Moler). Ported step for step rather than replaced by bisection because R's
 * normal-approximation Hodges-Lehmann interval is whatever point this iteration stops at on a
 * step function: only the same iteration reproduces R's digits.
 */

export interface RootResult {
  root: number;
  iterations: number;
  /** Width of the final bracket; −1 when maxIterations ran out. */
  precision: number;
}

export function zeroin(
  f: (x: number) => number,
  lower: number,
  upper: number,
  fLower: number,
  fUpper: number,
  tol: number,
  maxIterations = 1000,
): RootResult {
  let a = lower;
  let b = upper;
  let fa = fLower;
  let fb = fUpper;
  let c = a;
  let fc = fa;
  if (fa === 0) return { root: a, iterations: 0, precision: 0 };
  if (fb === 0) return { root: b, iterations: 0, precision: 0 };
  let remaining = maxIterations + 1;
  while (remaining-- > 0) {
    const previousStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      // keep b the best approximation
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolAct = 2 * Number.EPSILON * Math.abs(b) + tol / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(newStep) <= tolAct || fb === 0) {
      return { root: b, iterations: maxIterations + 1 - remaining - 1, precision: Math.abs(c - b) };
    }
    if (Math.abs(previousStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
      // interpolation may be tried
      let p: number;
      let q: number;
      const cb = c - b;
      if (a === c) {
        const t1 = fb / fa; // linear (secant)
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qq = fa / fc; // inverse quadratic
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1));
        q = (qq - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tolAct * q) / 2 && p < Math.abs((previousStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < tolAct) newStep = newStep > 0 ? tolAct : -tolAct;
    a = b;
    fa = fb;
    b += newStep;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return { root: b, iterations: -1, precision: -1 };
}
