/** Where the queue board is mounted (routes/queue-board.ts). */
export const QUEUE_BOARD_PATH = '/admin/queues';

const QUEUE_BOARD_PATTERN = new RegExp(`^${QUEUE_BOARD_PATH}(/|$)`, 'i');

/** Whether a path (no query string) is the queue board or under it; case-insensitive, as Express routes. */
export function isQueueBoardPath(path: string): boolean {
  return QUEUE_BOARD_PATTERN.test(path);
}

/**
 * Methods that change nothing: not rate-limited, logged at debug, never a forgery risk.
 * (Roles and the audit of refusals are stricter: there, OPTIONS counts as a change.)
 */
export function isReadMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
