import type { Outcome, Output } from '../../app/output.ts';
import { importHarFile, recordTraffic } from '../../app/record.ts';
import type { CommandOptions } from '../table.ts';

export function recordCommand(o: CommandOptions<'record'>, _positionals: string[], out: Output): Promise<Outcome> {
  return recordTraffic(
    {
      config: o.config,
      listen: o.listen,
      upstream: o.upstream,
      out: o.out,
      service: o.service,
      maxBytes: o['max-bytes'],
      maxTotalBytes: o['max-total-bytes'],
      maxBodyBytes: o['max-body-bytes'],
      allowRemote: o['allow-remote'],
    },
    out,
  );
}

/** `import har FILE --out FILE` */
export function importCommand(o: CommandOptions<'import'>, positionals: string[], out: Output): Promise<Outcome> {
  return importHarFile({ config: o.config, file: positionals[1]!, out: o.out, service: o.service, host: o.host, skipInvalid: o['skip-invalid'] }, out);
}
