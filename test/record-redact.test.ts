import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../src/config/index.ts';
import { makeRedactionRules, redactBody, redactExchange, redactHeaders, redactQuery, REDACTED } from '../src/record/redact.ts';

const rules = makeRedactionRules({ headers: ['X-Tenant-Secret'], queryParams: ['code'], bodyPointers: ['/card/cvv', '/**/pin'], bodyPatterns: ['acct-\\d{6}'] });

describe('redaction rules', () => {
  it.each([
    ['a JSON password at the top level', '{"user":"ann","password":"hunter2"}', '{"user":"ann","password":"[REDACTED]"}'],
    ['secret-looking keys anywhere (token, clientSecret, api_key)', '{"a":{"access_token":"t1","clientSecret":"s","api_key":"k"}}', '{"a":{"access_token":"[REDACTED]","clientSecret":"[REDACTED]","api_key":"[REDACTED]"}}'],
    ['configured pointer globs, whatever the value type', '{"card":{"cvv":123},"x":[{"pin":{"v":1}}]}', '{"card":{"cvv":"[REDACTED]"},"x":[{"pin":"[REDACTED]"}]}'],
    ['patterns inside string values: bearer tokens, card numbers, configured ones', '{"note":"Bearer abc.def-1 paid with 4111 1111 1111 1111 from acct-123456"}', '{"note":"[REDACTED] paid with [REDACTED] from [REDACTED]"}'],
  ])('%s', (_, body, want) => {
    expect(redactBody(body, 'application/json', rules)).toBe(want);
  });

  it('follows secrets into URLs and JSON carried inside string values, and echoed header names', () => {
    expect(redactBody('{"next":"/items?page=2&token=abc#top","raw":"{\\"password\\":\\"p\\"}","cookie":"sid=1"}', 'application/json', rules)).toBe(
      '{"next":"/items?page=2&token=%5BREDACTED%5D#top","raw":"{\\"password\\":\\"[REDACTED]\\"}","cookie":"[REDACTED]"}',
    );
  });

  it('keeps a body byte-identical when nothing matched, and number lexemes when something did', () => {
    const untouched = '{ "qty" : 1.0,\n "ts": 1795790620067 }';
    expect(redactBody(untouched, 'application/json', rules)).toBe(untouched);
    expect(redactBody('{"qty":1.0,"big":12345678901234567890,"password":"x"}', 'application/json', rules)).toBe('{"qty":1.0,"big":12345678901234567890,"password":"[REDACTED]"}');
  });

  it('leaves structure under a secret-looking key alone (a schema describing a password field)', () => {
    const schema = '{"fields":{"password":{"type":"string"}}}';
    expect(redactBody(schema, 'application/json', rules)).toBe(schema);
  });

  it('does not mistake timestamps or numbers failing Luhn for card numbers', () => {
    expect(redactBody('{"at":"1795790620067","n":"4111 1111 1111 1112"}', 'application/json', rules)).toBe('{"at":"1795790620067","n":"4111 1111 1111 1112"}');
    // All-digit leading groups of ids that happen to pass Luhn are part of the id, not a card.
    const ids = '{"request_id":"40000061-1111-4111-a111-111111111111","ref":"abcdef01-4000-0061-1111-111111111111"}';
    expect(redactBody(ids, 'application/json', rules)).toBe(ids);
    expect(redactBody('{"n":"card 4111-1111-1111-1111, exp 12/29","m":"-4111111111111111"}', 'application/json', rules)).toBe('{"n":"card [REDACTED], exp 12/29","m":"-[REDACTED]"}');
  });

  it('redacts form bodies by parameter name and text bodies by pattern', () => {
    expect(redactBody('user=ann&password=hunter2&code=42', 'application/x-www-form-urlencoded', rules)).toBe('user=ann&password=%5BREDACTED%5D&code=%5BREDACTED%5D');
    expect(redactBody('Authorization: Bearer xyz.abc', 'text/plain', rules)).toBe(`Authorization: ${REDACTED}`);
  });

  it('redacts query parameters in place, keeping order, repeats and escaping of the rest', () => {
    expect(redactQuery('b=%20x&api_key=K1&a=1&a=2&Session=s&code=c', rules)).toBe('b=%20x&api_key=%5BREDACTED%5D&a=1&a=2&Session=%5BREDACTED%5D&code=%5BREDACTED%5D');
  });

  it('redacts default and configured headers, case-insensitively', () => {
    expect(redactHeaders({ Authorization: 'Bearer x', cookie: 'a=b', 'x-tenant-secret': 's', 'x-ok': 'fine' }, rules)).toEqual({ Authorization: REDACTED, cookie: REDACTED, 'x-tenant-secret': REDACTED, 'x-ok': 'fine' });
  });

  it('redacts a whole exchange, dropping a content-length the redacted body no longer has', () => {
    const x = redactExchange(
      {
        request: { headers: { 'content-type': 'application/json', 'content-length': '20' }, query: 'token=t', body: '{"password":"p"}', bodyEncoding: 'utf8' as const },
        response: { headers: { 'set-cookie': 'sid=1' }, body: 'aGk=', bodyEncoding: 'base64' as const },
      },
      rules,
    );
    expect(x.request).toEqual({ headers: { 'content-type': 'application/json' }, query: 'token=%5BREDACTED%5D', body: '{"password":"[REDACTED]"}', bodyEncoding: 'utf8' });
    expect(x.response).toEqual({ headers: { 'set-cookie': REDACTED }, body: 'aGk=', bodyEncoding: 'base64' });
  });

  it('the config schema accepts a redact section and reports a bad regex at its path', () => {
    const base = { stack: { services: { v: { primary: 'a', candidate: 'b', runtimes: { a: { url: 'http://127.0.0.1:1' }, b: { url: 'http://127.0.0.1:2' } } } } } };
    expect(ConfigSchema.parse({ ...base, redact: { bodyPointers: ['/password'] } }).redact).toEqual({ headers: [], queryParams: [], bodyPointers: ['/password'], bodyPatterns: [] });
    const bad = ConfigSchema.safeParse({ ...base, redact: { bodyPatterns: ['(unclosed'] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['redact', 'bodyPatterns', 0]);
  });
});
