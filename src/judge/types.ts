/** Inputs and outputs of the latency judge. Latencies are in milliseconds (`absoluteMs` assumes so). */

export type Alternative = 'two-sided' | 'less' | 'greater';

/**
 * One side of a comparison: raw samples, or a histogram as Prometheus/OTel export it, so
 * production metrics can be judged without the samples that produced them.
 */
export type LatencySample =
  | {
      kind: 'raw';
      /** In the order observed (time order): see JudgeOptions.serialDependence. */
      values: ArrayLike<number>;
      /**
       * The design stratum of each value (e.g. the parity case, as a number), so the serial-dependence
       * estimate sees the noise and not the order the cases were sent in. Same length as values.
       */
      strata?: ArrayLike<number>;
    }
  /** Explicit (Prometheus `le` / OTel explicit) buckets: counts.length = bounds.length + 1, the last bucket is (bounds[last], +Inf). Counts are per bucket, not cumulative. */
  | { kind: 'explicit'; bounds: ArrayLike<number>; counts: ArrayLike<number> }
  /** OTel base-2 exponential histogram: bucket `offset + i` covers (base^(offset+i), base^(offset+i+1)], base = 2^(2^-scale). */
  | { kind: 'exponential'; scale: number; zeroCount: number; positive: { offset: number; bucketCounts: ArrayLike<number> } };

export interface JudgeOptions {
  /** Significance level of the Mann-Whitney test (after correction across routes). Default 0.05. */
  alpha?: number;
  /** Confidence of the shift and quantile-ratio intervals. Default 0.98, as Kayenta. */
  confLevel?: number;
  /**
   * A shift whose interval is not entirely beyond this band is immaterial: 'pass' even when
   * significant. The band is max(relative·median(a), absoluteMs); absoluteMs also widens the
   * quantile tolerance to absoluteMs/q_a where that is larger.
   */
  tolerance?: { relative?: number /* of a's median, default 0.05 */; absoluteMs?: number };
  /**
   * Fewer samples than this on either side: the route can still be called slower or faster when
   * the exact test and the interval are decisive, but never passes ('inconclusive'). Below what the
   * exact test can decide at all (5 a side at α 0.05 and 98%) nothing is tested. Default 20.
   */
  minSamples?: number;
  /** Quantiles compared by ratio b/a with bootstrap intervals. Default [0.5, 0.95, 0.99]. */
  quantiles?: number[];
  /** A quantile ratio interval entirely above 1 + this (or below 1/(1 + this)) flags the quantile. Default 0.1. */
  quantileTolerance?: number;
  /** 'trim-iqr' drops raw samples outside Tukey's fences (1.5·IQR) before the shift test only; quantiles always see every sample. */
  outliers?: 'keep' | 'trim-iqr';
  /** Bootstrap resamples per quantile. Default 1000. */
  resamples?: number;
  /** Seed of the bootstrap PRNG; the same seed gives the same verdict. */
  seed?: number;
  /**
   * Raw samples are read in the order given, as observed in time: 'adjust' (default) measures how
   * much neighbouring samples move together (bursty latency) and widens the shift and quantile
   * intervals to match (see dependence.ts); 'ignore' treats them as independent.
   */
  serialDependence?: 'adjust' | 'ignore';
}

export interface QuantileComparison {
  p: number;
  a: number;
  b: number;
  /** b / a */
  ratio: number;
  lower: number;
  upper: number;
  /** Interval entirely beyond the quantile tolerance, in either direction. */
  flagged: boolean;
  /** Set when the quantile was not judged (too few samples beyond it for a bootstrap to mean anything). */
  skipped?: string;
  /**
   * Raw samples that move together in time: what each side is worth as independent samples at this
   * quantile, and the interval above is drawn at these sizes. Set only where the interval at n would
   * have flagged the quantile (one that flags nothing cannot start to by widening).
   */
  effectiveN?: { a: number; b: number };
}

export interface LatencyVerdict {
  verdict: 'pass' | 'faster' | 'slower' | 'inconclusive';
  reason: string;
  n: { a: number; b: number };
  /** When inconclusive: samples per side that would most likely decide (a rough power estimate); absent when no practical sample would. */
  needed?: number;
  pValue?: number;
  adjustedPValue?: number;
  /** Hodges-Lehmann shift b − a with its interval; relative = estimate / median(a). */
  shift?: { estimate: number; lower: number; upper: number; relative: number };
  quantiles: QuantileComparison[];
  method: string;
}

export interface RouteVerdict extends LatencyVerdict {
  key: string;
}
