import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { MAINTENANCE_QUEUE } from './maintenance';

/**
 * Every BullMQ queue lifeboat runs, for the ones who look at them all (metrics, the queue
 * board): operations, runbook runs and maintenance. The first two are the queues the
 * surfaces submit to; maintenance is opened (on the shared connection) on first use.
 */
export class QueueHandles {
  private maintenance: Queue | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly submitted: readonly Queue[],
  ) {}

  all(): Queue[] {
    this.maintenance ??= new Queue(MAINTENANCE_QUEUE, { connection: this.connection, prefix: this.prefix });
    return [...this.submitted, this.maintenance];
  }

  /** Closes what this opened; the submitted queues are closed by their owners. */
  async close(): Promise<void> {
    await this.maintenance?.close();
    this.maintenance = undefined;
  }
}
