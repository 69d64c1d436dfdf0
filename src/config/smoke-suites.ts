import { basename } from 'node:path';
import { readDataFile, resolveFrom, type LoadedConfig } from './read.ts';
import { SmokeSuiteSchema, type SmokeSuite } from './smoke-schema.ts';
import { GauntletError } from '../util/errors.ts';

export interface LoadedSuite {
  file: string;
  /** Prefix of the check ids in reports: the suite's `name`, else its service. */
  name: string;
  suite: SmokeSuite;
}

/** A suite not run because its service is not in the stack: reported, never an error. */
export interface SkippedSuite {
  file: string;
  /** Report prefix of its check ids (the suite's `name`, else its service). */
  name: string;
  service: string;
  checkIds: string[];
  reason: string;
}

export interface SmokePlan {
  suites: LoadedSuite[];
  skipped: SkippedSuite[];
}

/**
 * Read and validate every suite before anything starts, so a bad file costs nothing (exit 2 with
 * file, line and JSON path). Suites for services the stack does not define are skipped with a
 * note: one default suite list can then serve stacks with and without, say, vectord.
 */
export async function readSmokeSuites(loaded: LoadedConfig, files?: readonly string[]): Promise<SmokePlan> {
  const list = files?.length ? files.map((f) => resolveFrom(process.cwd(), f)) : loaded.config.smoke.suites.map((f) => resolveFrom(loaded.baseDir, f));
  if (list.length === 0) {
    throw new GauntletError('GAUNTLET_NOTHING_TO_RUN', 'no smoke suites given', { hint: 'pass suite files (gauntlet smoke harness/smoke/validatord.yaml) or list them under smoke.suites in the config' });
  }
  const plan: SmokePlan = { suites: [], skipped: [] };
  const owner = new Map<string, string>();
  for (const file of list) {
    const suite = await readDataFile(file, SmokeSuiteSchema, 'GAUNTLET_INPUT_INVALID', 'smoke suite');
    const name = suite.name ?? suite.service;
    // Check ids are `<name>/<check>` in every report; two files claiming one name would collide.
    const prev = owner.get(name);
    if (prev !== undefined) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `suite name "${name}" is also used by ${basename(prev)}`, { file, path: suite.name ? 'name' : 'service', hint: 'give one of the suites a distinct `name:`' });
    }
    owner.set(name, file);
    if (!(suite.service in loaded.config.stack.services)) {
      plan.skipped.push({ file, name, service: suite.service, checkIds: suite.checks.map((c) => c.id), reason: `service "${suite.service}" is not in the stack` });
      continue;
    }
    plan.suites.push({ file, name, suite });
  }
  return plan;
}
