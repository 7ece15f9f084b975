import type { JobType } from 'bullmq';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { logger } from '../logger';
import type { OperationData, Progress } from '../operations/operation-types';

export const OPERATIONS_QUEUE = 'operations';
/** Runbook runs wait on operations; their own queue keeps them from starving operation workers. */
export const RUNBOOKS_QUEUE = 'runbooks';

export interface QueueSettings {
  prefix: string;
  attempts: number;
}

/** An operation (or runbook run) as the queue holds it. */
export interface QueuedOperation<D = OperationData> {
  data: D;
  jobState: JobType | 'unknown';
  progress?: Progress;
  failedReason?: string;
}

const RETAIN = { age: 30 * 86400, count: 10000 };

/** A queue of operations (or runbook runs): jobs whose id is the operation id. */
export class OperationQueue<D extends { id: string; kind: string } = OperationData> {
  readonly queue: Queue<D>;

  constructor(
    connection: Redis,
    private readonly settings: QueueSettings,
    readonly name: string = OPERATIONS_QUEUE,
  ) {
    this.queue = new Queue<D>(name, { connection, prefix: settings.prefix });
    // A Redis outage is reported by the connection (and logged once by the caller); without a
    // listener BullMQ would print a stack trace per reconnection attempt.
    this.queue.on('error', (e: Error) => logger.warn({ queue: name, err: e.message }, 'queue connection error'));
  }

  async add(data: D): Promise<void> {
    // BullMQ's types want the job name typed from the data; any string is fine here.
    await (this.queue as unknown as Queue).add(data.kind, data, {
      jobId: data.id,
      attempts: this.settings.attempts,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: RETAIN,
      removeOnFail: RETAIN,
    });
  }

  async get(id: string): Promise<QueuedOperation<D> | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return undefined;
    return {
      data: job.data as D,
      jobState: (await job.getState()) as JobType | 'unknown',
      ...(job.progress && typeof job.progress === 'object' ? { progress: job.progress as Progress } : {}),
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    };
  }

  /** Newest first. */
  async list(limit = 100): Promise<Array<QueuedOperation<D>>> {
    const states: JobType[] = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'];
    const jobs = (await this.queue.getJobs(states, 0, limit - 1, false)).filter((j) => !!j);
    jobs.sort((a, b) => b.timestamp - a.timestamp);
    return Promise.all(
      jobs.slice(0, limit).map(async (job) => ({
        data: job.data as D,
        jobState: (await job.getState()) as JobType | 'unknown',
        ...(job.progress && typeof job.progress === 'object' ? { progress: job.progress as Progress } : {}),
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      })),
    );
  }

  async workersCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
