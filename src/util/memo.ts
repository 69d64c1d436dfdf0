/**
 * A bounded memo for hot paths that see the same few keys over and over (a replay's URLs and
 * bodies): at `max` entries it starts again empty rather than tracking recency — cheaper per hit
 * than an LRU, and a working set that fits stays warm.
 */
export function boundedMemo<T>(compute: (key: string) => T, max = 1024): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      if (cache.size >= max) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}
