/**
 * The states an operation (or a runbook run) goes through. Kept apart from operation-types.ts,
 * which needs zod, so that code without zod (the CLI) can import them.
 */
export const OPERATION_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'refused', 'cancelled'] as const;

export type OperationState = (typeof OPERATION_STATES)[number];

/** States an operation does not leave. */
export const FINISHED_STATES: readonly OperationState[] = ['succeeded', 'failed', 'refused', 'cancelled'];
