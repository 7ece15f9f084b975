/**
 * Serialized answers kept for as long as what they were made from has not changed: a small
 * LRU of JSON text. Big answers asked for often (an operation watched by a dashboard, the
 * same plan asked again) are then sent without being rebuilt and stringified each time.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { version: string; body: string; until: number }>();

  constructor(private readonly capacity = 200) {}

  get(key: string, version: string, now: number): string | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.version !== version || hit.until < now) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.body;
  }

  set(key: string, version: string, body: string, until: number = Number.POSITIVE_INFINITY): void {
    this.entries.delete(key);
    this.entries.set(key, { version, body, until });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
