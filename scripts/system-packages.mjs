// The Debian packages the tests drive: real servers and tools, never mocks. One list, read by
// scripts/ensure-deps.mjs (`npm test` installs what is missing) and by .ci/run.
export const SYSTEM_PACKAGES = [
  { pkg: 'libxml2-utils', bin: '/usr/bin/xmllint', why: 'JUnit output validated against a CI JUnit schema' },
  { pkg: 'nginx', bin: '/usr/sbin/nginx', why: 'a real upstream for record → replay, and one make of the header corpus' },
  { pkg: 'lighttpd', bin: '/usr/sbin/lighttpd', why: 'the other make of web server in the header corpus' },
  { pkg: 'chromium', bin: '/usr/bin/chromium', why: 'the HTML report opened in a real headless browser (playwright-core)' },
  { pkg: 'prometheus', bin: '/usr/bin/promtool', why: 'a real Prometheus (+ promtool) scraping real runs for the dashboards' },
  { pkg: 'prometheus-pushgateway', bin: '/usr/bin/prometheus-pushgateway', why: 'batch and load runs push their metrics' },
];

if (import.meta.url === `file://${process.argv[1]}`) console.log(SYSTEM_PACKAGES.map((p) => p.pkg).join(' '));
