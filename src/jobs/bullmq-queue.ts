import type { Job, JobType } from 'bullmq';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { logger } from '../operations/logger';
import type { OperationData, Progress } from '../operations/operation-types';
import type { QueuedOperation, WorkQueue } from '../operations/ports/work-queue';

export const OPERATIONS_QUEUE = 'operations';
/** Runbook runs wait on operations; their own queue keeps them from starving operation workers. */
export const RUNBOOKS_QUEUE = 'runbooks';

interface QueueSettings {
  prefix: string;
  attempts: number;
}

const RETAIN = { age: 30 * 86400, count: 10000 };

/** The states a list shows, in the order jobs of the same age are listed. */
const LISTED_STATES: readonly JobType[] = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'];
/**
 * The same states in the order a job passes through them (the reads go out in this order):
 * a job that moves on between two reads is then seen twice rather than missed. Only a retry
 * (active back to delayed or waiting) in that instant can escape one list.
 */
const READ_ORDER: readonly JobType[] = ['delayed', 'prioritized', 'waiting', 'active', 'completed', 'failed'];

/** A queue of operations (or runbook runs): jobs whose id is the operation id. */
export class OperationQueue<D extends { id: string; kind: string } = OperationData> implements WorkQueue<D> {
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
    return queuedOf<D>(job, (await job.getState()) as JobType | 'unknown');
  }

  /**
   * Newest first (ties in the order of LISTED_STATES). Each state's range is read on its own,
   * so every job comes labelled with the state it was listed under: no round trip per job
   * for its state.
   */
  async list(limit = 100): Promise<Array<QueuedOperation<D>>> {
    const ranges = new Map<JobType, JobFields[]>();
    await Promise.all(
      READ_ORDER.map(async (state) => ranges.set(state, (await this.queue.getJobs([state], 0, limit - 1, false)).filter((j) => !!j))),
    );
    // A job seen in two ranges moved between the reads: the later read has its newer state.
    const stateOf = new Map<string, JobType>();
    for (const state of READ_ORDER) for (const job of ranges.get(state)!) stateOf.set(job.id!, state);
    const listed = LISTED_STATES.flatMap((state) => ranges.get(state)!.filter((job) => stateOf.get(job.id!) === state).map((job) => ({ job, state })));
    listed.sort((a, b) => b.job.timestamp - a.job.timestamp);
    return listed.slice(0, limit).map(({ job, state }) => queuedOf<D>(job, state));
  }

  async workersCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** The parts of a BullMQ job a QueuedOperation is made of (its generic types get in the way here). */
type JobFields = Pick<Job, 'id' | 'data' | 'progress' | 'failedReason' | 'timestamp'>;

function queuedOf<D>(job: JobFields, jobState: JobType | 'unknown'): QueuedOperation<D> {
  return {
    data: job.data as D,
    jobState,
    ...(job.progress && typeof job.progress === 'object' ? { progress: job.progress as Progress } : {}),
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
  };
}
