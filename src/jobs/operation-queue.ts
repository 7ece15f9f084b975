import type { JobType } from 'bullmq';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OperationData, Progress } from '../operations/operation-types';

export const OPERATIONS_QUEUE = 'operations';

export interface QueueSettings {
  prefix: string;
  attempts: number;
}

/** An operation as the queue holds it. */
export interface QueuedOperation {
  data: OperationData;
  jobState: JobType | 'unknown';
  progress?: Progress;
  failedReason?: string;
}

const RETAIN = { age: 30 * 86400, count: 10000 };

/** The `operations` queue: operations are jobs whose id is the operation id. */
export class OperationQueue {
  readonly queue: Queue<OperationData>;

  constructor(connection: Redis, private readonly settings: QueueSettings) {
    this.queue = new Queue<OperationData>(OPERATIONS_QUEUE, { connection, prefix: settings.prefix });
  }

  async add(data: OperationData): Promise<void> {
    await this.queue.add(data.kind, data, {
      jobId: data.id,
      attempts: this.settings.attempts,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: RETAIN,
      removeOnFail: RETAIN,
    });
  }

  async get(id: string): Promise<QueuedOperation | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return undefined;
    return {
      data: job.data,
      jobState: (await job.getState()) as JobType | 'unknown',
      ...(job.progress && typeof job.progress === 'object' ? { progress: job.progress as Progress } : {}),
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    };
  }

  /** Newest first. */
  async list(limit = 100): Promise<QueuedOperation[]> {
    const states: JobType[] = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'];
    const jobs = (await this.queue.getJobs(states, 0, limit - 1, false)).filter((j) => !!j);
    jobs.sort((a, b) => b.timestamp - a.timestamp);
    return Promise.all(
      jobs.slice(0, limit).map(async (job) => ({
        data: job.data,
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
