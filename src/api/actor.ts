import type { Request, Response } from 'express';
import { z } from 'zod';
import { LifeboatError } from '../core/errors';

/** Who is asking: set by authentication when it is on; anonymous otherwise. */
export function actorOf(res: Response): string {
  return (res.locals.actor as string | undefined) ?? 'api:anonymous';
}

/** What an Idempotency-Key header may hold: 1 to 255 visible ASCII characters (the route catalog documents it). */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/);

/** The Idempotency-Key header, checked. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!idempotencyKeySchema.safeParse(key).success) {
    throw new LifeboatError('LB_ERR_VALIDATION', 'Idempotency-Key must be 1 to 255 visible ASCII characters', { field: 'Idempotency-Key' });
  }
  return key;
}
