import type { Outcome, Output } from '../../app/output.ts';
import { review } from '../../app/review.ts';
import type { CommandOptions } from '../table.ts';

export function reviewCommand(o: CommandOptions<'review'>, positionals: string[], out: Output): Promise<Outcome> {
  return review(
    {
      config: o.config,
      range: positionals[0]!,
      repo: o.repo,
      reviewers: o.reviewer,
      json: o.json,
      markdown: o.markdown,
      warnBytes: o['warn-bytes'],
      failBytes: o['fail-bytes'],
      allowLarge: o['allow-large'],
      otlpEndpoint: o['otlp-endpoint'],
      store: o.store,
      quiet: o.quiet,
    },
    out,
  );
}
