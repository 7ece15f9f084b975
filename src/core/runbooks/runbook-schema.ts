import { z } from 'zod';

/**
 * The runbook format: a YAML file in runbooks/, validated before anything runs. Learned from
 * SSM Automation documents (parameters, steps, onFailure, timeouts, retries, outputs) and
 * Chaos Toolkit (rollback steps), with Maelstrom's ordered, verified steps.
 */

export const ACTIONS = ['plan', 'evacuate', 'shift', 'restore', 'scale', 'prepare-dark-capacity', 'release-dark-capacity', 'wait', 'assert', 'approve', 'notify', 'readiness', 'runbook'] as const;
export type RunbookAction = (typeof ACTIONS)[number];

const runbookName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, starting with a letter');
/** Step ids are read in expressions (steps.<id>.outputs), so no dashes. */
const stepId = z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, 'letters, digits and _, starting with a lower-case letter (it is used as steps.<id> in expressions)');

/** The JSON type a parameter's value has: a region is a string (that names a managed region). */
export function parameterValueType(type: 'string' | 'number' | 'boolean' | 'region'): 'string' | 'number' | 'boolean' {
  return type === 'region' ? 'string' : type;
}

export const parameterSchema = z
  .object({
    /** region: a string that must be one of the managed regions (checked before a trigger claims its interval). */
    type: z.enum(['string', 'number', 'boolean', 'region']),
    description: z.string().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().optional(),
    allowed: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const valueType = parameterValueType(p.type);
    if (p.default !== undefined && typeof p.default !== valueType) ctx.addIssue({ code: 'custom', path: ['default'], message: `default must be a ${valueType}` });
    if (p.default !== undefined && p.allowed && !p.allowed.includes(p.default as string | number)) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: `default must be one of ${p.allowed.join(', ')}` });
    }
  });

const onFailureSchema = z.union([
  z.enum(['abort', 'continue', 'rollback']),
  z.string().regex(/^goto:[a-z][a-zA-Z0-9_]*$/, 'abort, continue, rollback or goto:<step id>'),
]);

const stepSchema = z
  .object({
    id: stepId,
    action: z.enum(ACTIONS),
    description: z.string().optional(),
    /** Inputs of the action; strings may hold ${expression} references. */
    inputs: z.record(z.string(), z.unknown()).default({}),
    /** A mathjs condition; the step is skipped when it is false. */
    when: z.string().min(1).optional(),
    timeoutSeconds: z.number().positive().max(7 * 86400).optional(),
    retries: z
      .object({ count: z.number().int().min(0).max(20), backoffSeconds: z.number().min(0).max(3600).default(5), backoff: z.enum(['fixed', 'exponential']).default('exponential') })
      .strict()
      .optional(),
    onFailure: onFailureSchema.default('abort'),
  })
  .strict();

export const runbookSchema = z
  .object({
    name: runbookName,
    description: z.string().min(1),
    parameters: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'a parameter name is letters and digits'), parameterSchema).default({}),
    steps: z.array(stepSchema).min(1),
    /** Run when a step fails with onFailure: rollback (Chaos Toolkit's rollbacks). */
    rollback: z.array(stepSchema).default([]),
    /** Values the run reports at the end; ${expression} references allowed. */
    outputs: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type Runbook = z.infer<typeof runbookSchema>;
export type RunbookStep = z.infer<typeof stepSchema>;
export type RunbookParameter = z.infer<typeof parameterSchema>;
