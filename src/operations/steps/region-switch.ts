import { LifeboatError } from '../../core/errors';
import type { SwitchChange, SwitchDesign } from '../../core/switches';
import { switchDesign } from '../../core/switches';
import type { HealthCheckAttachment } from '../../cloud/ports';
import { switchBoardOf } from '../region-switches';
import type { StepContext, StepHandler, StepOutcome } from './step-context';
import { planOf } from './step-context';

/**
 * The region switches in an operation's steps: prepare-switches carries out the switch plan;
 * an evacuation with fallback "switch" turns the region's switch off when Route 53's change
 * API fails or does not answer in time; a restore turns it back on.
 */

/** Turn a switch through CloudWatch only and check the alarm reads back as asked. */
async function turn(ctx: StepContext, design: SwitchDesign, position: 'on' | 'off', reason: string): Promise<string> {
  const wanted = position === 'on' ? 'OK' : 'ALARM';
  const state = await switchBoardOf(ctx).turnSwitch(design, position, reason);
  if (state !== wanted) {
    throw new LifeboatError('LB_ERR_SWITCH_FAILED', `the switch of ${design.region} was turned ${position} but alarm ${design.alarm.name} in ${design.alarm.region} reads ${state ?? 'nothing'}, not ${wanted}`, {
      region: design.region,
      alarm: design.alarm,
      state: state ?? null,
    });
  }
  return state;
}

/**
 * Route 53's change API failed: the region leaves through its switch, all of it at once. Every
 * later stage step is skipped (there are no stages through a switch), the evacuation record
 * notes the switch so restore turns it back on, and the result says so.
 */
export async function evacuateThroughSwitch(ctx: StepContext, design: SwitchDesign, because: string): Promise<StepOutcome> {
  const { op } = ctx;
  const reason = `lifeboat ${op.id}: Route 53's change API failed (${because}); ${design.region} leaves through its switch`;
  const alarmState = await turn(ctx, design, 'off', reason);
  const at = ctx.clock.now().toISOString();
  op.checkpoint.switchUsed = { region: design.region, alarm: design.alarm, alarmState, at, because };
  await ctx.store.markEvacuationSwitched(design.region, op.id, design);
  for (const s of op.checkpoint.steps) {
    if (s.stage !== undefined && s.state === 'pending') {
      s.state = 'skipped';
      s.outcome = `skipped: ${design.region} left through its switch (all at once, no stages)`;
    }
  }
  await ctx.save();
  return {
    outcome: `Route 53's change API failed (${because}): switch of ${design.region} turned off (alarm ${design.alarm.name} in ${design.alarm.region}: ${alarmState}); Route 53 stops answering its records once the health check sees the alarm`,
    detail: { switchUsed: op.checkpoint.switchUsed },
  };
}

/** A restore of a region that left through its switch: the switch goes back on before any stage. */
export const switchOn: StepHandler = async (ctx) => {
  const design = planOf(ctx).plan.switchOn;
  if (!design) return { outcome: 'no switch to turn on' };
  const state = await turn(ctx, design, 'on', `lifeboat ${ctx.op.id}: restore ${design.region}`);
  return { outcome: `switch of ${design.region} turned on (alarm ${design.alarm.name} in ${design.alarm.region}: ${state})` };
};

/**
 * A restore cancelled with rollback after its switch went back on: the region leaves through
 * the switch again, as before the restore. Turning a switch is absolute, so a second run is the same.
 */
export const switchBackOff: StepHandler = async (ctx) => {
  const design = planOf(ctx).plan.switchOn;
  if (!design) return { outcome: 'no switch to turn off' };
  const state = await turn(ctx, design, 'off', `lifeboat ${ctx.op.id}: restore of ${design.region} rolled back`);
  return { outcome: `switch of ${design.region} turned off again (alarm ${design.alarm.name} in ${design.alarm.region}: ${state}); the region is out as before the restore` };
};

/**
 * Carry out a switch plan in its order: alarms (and a new switch on), health checks (found by
 * their CallerReference or created), then every record upserted with its region's health
 * check. Each write is idempotent, so a step run twice changes nothing more.
 */
export const prepareSwitches: StepHandler = async (ctx) => {
  const switches = planOf(ctx).plan.switches;
  if (!switches) throw new Error(`step ${ctx.step.id} ran on a plan without switches`);
  const board = switchBoardOf(ctx);
  const designOf = (c: SwitchChange) => switchDesign(c.region, switches.controlRegions);
  const healthChecks = new Map<string, string>();
  let alarms = 0;
  for (const c of switches.changes) {
    if (c.kind === 'put-alarm') {
      await board.putSwitchAlarm(designOf(c));
      alarms += 1;
    } else if (c.kind === 'switch-on') await turn(ctx, designOf(c), 'on', `lifeboat ${ctx.op.id}: prepare-switches starts a new switch on`);
    else if (c.kind === 'create-health-check') healthChecks.set(c.region, await board.ensureSwitchHealthCheck(designOf(c)));
  }
  const attachments: HealthCheckAttachment[] = switches.changes.flatMap((c) => {
    if (c.kind !== 'attach-health-check') return [];
    const id = c.healthCheckId ?? healthChecks.get(c.region);
    if (!id) throw new Error(`no health check for ${c.region} to attach to ${c.record.name}`);
    return [{ record: c.record, healthCheckId: id }];
  });
  const changes = attachments.length ? await board.attachHealthChecks(attachments) : [];
  const prepared = { alarms, healthChecks: healthChecks.size, recordsAttached: attachments.length };
  return {
    outcome: `${alarms} alarm(s) put, ${healthChecks.size} health check(s) created or found, ${attachments.length} record(s) carry their region's health check`,
    detail: { ...prepared, healthCheckIds: Object.fromEntries(healthChecks), changeIds: changes.map((c) => c.changeId) },
  };
};
