/** Messages between the calling thread and judge workers (src/judge/parallel.ts ↔ worker.ts). */
import type { ErrorCode, ErrorFacts } from '../util/errors.ts';
import type { Measurement, ResolvedOptions } from './measure.ts';
import type { LatencySample } from './types.ts';

export interface JudgeTask {
  id: number;
  a: LatencySample;
  b: LatencySample;
  options: ResolvedOptions;
  seed: number;
}

export type JudgeAnswer =
  | { id: number; measurement: Measurement; error?: undefined }
  | { id: number; measurement?: undefined; error: { message: string; code?: ErrorCode; facts?: ErrorFacts; stack?: string } };
