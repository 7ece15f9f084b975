import type { Redis } from 'ioredis';
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord } from '../operations/ports/audit-log';

const SCAN_BATCH = 500;
const SCAN_MAX = 20000;

/**
 * The audit trail: a Redis stream, one entry per state-changing request and two per AWS
 * mutation (written before the call, and after it with the outcome, so a crash leaves an
 * "attempted" record rather than a silent change). Entries older than the retention are
 * trimmed as new ones arrive.
 */
export class RedisAuditLog implements AuditLog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly retentionDays: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = `${prefix}:audit`;
  }

  async append(entry: AuditEntry): Promise<string> {
    const minId = `${this.now().getTime() - this.retentionDays * 86400_000}-0`;
    return (await this.redis.xadd(this.key, 'MINID', '~', minId, '*', 'e', JSON.stringify(entry))) as string;
  }

  /** Newest first; an AWS mutation's two entries come back as one record with its outcome. */
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const limit = Math.min(q.limit ?? 100, 1000);
    const end = q.to ? String(q.to.getTime()) : '+';
    const start = q.from ? String(q.from.getTime()) : '-';
    const matches: AuditRecord[] = [];
    const completions = new Map<string, AuditRecord>();
    let cursor = end;
    let scanned = 0;
    while (matches.length < limit && scanned < SCAN_MAX) {
      const batch = (await this.redis.xrevrange(this.key, cursor, start, 'COUNT', SCAN_BATCH)) as Array<[string, string[]]>;
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        const entry = { id, ...(JSON.parse(fields[1]!) as AuditEntry) };
        if (entry.mutationId && entry.outcome !== 'attempted') {
          completions.set(entry.mutationId, entry);
          continue;
        }
        if (matchesQuery(entry, q)) matches.push(entry);
      }
      scanned += batch.length;
      const last = batch[batch.length - 1]![0];
      cursor = `(${last}`;
      if (batch.length < SCAN_BATCH) break;
    }
    return matches.slice(0, limit).map((m) => {
      const done = m.mutationId ? completions.get(m.mutationId) : undefined;
      return done ? { ...m, outcome: done.outcome, completedAt: done.at, ...(done.error ? { error: done.error } : {}) } : m;
    });
  }
}

function matchesQuery(e: AuditRecord, q: AuditQuery): boolean {
  if (q.actor && e.actor !== q.actor) return false;
  if (q.operationId && e.operationId !== q.operationId) return false;
  if (q.action && !e.action.startsWith(q.action)) return false;
  if (q.region && !(e.regions ?? []).includes(q.region)) return false;
  return true;
}
