/** What help() prints: every command in scope, with an example of each. */
export const REPL_HELP = `lifeboat REPL: every change goes through the same queue, region locks and audit as the API.
  await fleet()                                        capacity and traffic share per region and service
  await readiness()                                    N+1: could the others absorb each region? ({refresh: true} recomputes now)
  await plan({kind: 'evacuate', region: 'us-east-1'})  the plan as tables; changes nothing
      kinds: evacuate {region}, shift {from, percent, to?}, restore {region}, scale {region, service, desiredCapacity}
  const ev = await evacuate('us-east-1', {stages: 3, reason: 'AZ outage'})   (options as in the API request)
  await shift('us-east-1', 50, {to: 'us-west-2'})     await restore('us-east-1')     await scale('us-west-2', 'api', 12)
  await switches()     each region's switch (alarm, health check, records missing it)
  await prepareSwitches()   create or repair them (plan({kind: 'prepare-switches'}) first); evacuate(r, {fallback: 'switch'}) uses them
  await prepareDarkCapacity()   warm pools for N+1 (plan({kind: 'prepare-dark-capacity'}) first); await releaseDarkCapacity() deletes only lifeboat's
  await reconcile()    after Redis lost lifeboat's records: back to what its pin records on AWS hold (plan({kind: 'reconcile'}) first)
  await ev.wait()      steps, capacity bars and weights as they happen (Ctrl+C stops watching, not the operation)
  ev.state   await ev.refresh()   await ev.cancel({rollback: true})
  await ops()   await ops('running')   await op(id)   await watch(id)   await cancel(id, {rollback: true})
  await approve(id, {comment: 'go'})   a runbook run paused at an approve step goes on ({reject: true} refuses it)
  models   math   aws.autoScaling['us-east-1']   aws.ec2[region]   aws.route53   redis   deps   lb
  json(x)    any value as JSON (plans, operations and snapshots print as one-line summaries)
Refusals print as CODE: message and a hint; nothing was changed. Don't name a variable op, fleet, plan...: they are commands.`;
