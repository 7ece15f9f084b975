import { describe, expect, it } from 'vitest';
import { serverError, throttlingError } from '../../src/sandbox/proxy/wire-errors';

const withoutId = (body: string) => body.replace(/<Request(Id|ID)>[^<]+<\/Request(Id|ID)>/, '<Request$1>…</Request$2>').replace(/^<\?xml[^>]*>\n/, '');

describe('proxy wire errors', () => {
  it('throttles Route 53 with HTTP 400 Throttling in Route 53’s ErrorResponse', () => {
    const r = throttlingError('route53');
    expect(r.status).toBe(400);
    expect(withoutId(r.body)).toBe(
      '<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>…</RequestId></ErrorResponse>',
    );
  });

  it('throttles Auto Scaling with HTTP 400 Throttling in the Query protocol’s ErrorResponse', () => {
    const r = throttlingError('autoscaling');
    expect(r.status).toBe(400);
    expect(withoutId(r.body)).toBe(
      '<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>…</RequestId></ErrorResponse>',
    );
  });

  it('throttles EC2 with HTTP 503 RequestLimitExceeded in EC2’s Response/Errors shape', () => {
    const r = throttlingError('ec2');
    expect(r.status).toBe(503);
    expect(withoutId(r.body)).toBe('<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>…</RequestID></Response>');
  });

  it('answers injected 5xx as InternalFailure (500) or ServiceUnavailable (503), Receiver faults, with a request id header matching the body', () => {
    const r = serverError('autoscaling', 500);
    expect([r.status, r.body.includes('<Type>Receiver</Type><Code>InternalFailure</Code>')]).toEqual([500, true]);
    expect(r.body).toContain(`<RequestId>${r.headers['x-amzn-requestid']}</RequestId>`);
    const e = serverError('ec2', 503);
    expect([e.status, e.body.includes('<Code>ServiceUnavailable</Code>')]).toEqual([503, true]);
    expect(serverError('route53', 503).body).toContain('<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>');
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
  });
});
