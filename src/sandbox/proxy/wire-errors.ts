import { randomUUID } from 'node:crypto';
import type { ProxyService } from './proxy-profile';
import { escapeXml } from './xml-text';

/**
 * Answers the proxy makes itself, in each service's own wire format, so the SDKs parse and
 * classify them exactly as AWS's: Auto Scaling and Route 53 send <ErrorResponse>, EC2
 * sends <Response><Errors>. Throttling is HTTP 400 `Throttling` (Route 53, Auto Scaling)
 * or HTTP 503 `RequestLimitExceeded` (EC2).
 */

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const XML_NAMESPACES: Record<Exclude<ProxyService, 'ec2'>, string> = {
  route53: 'https://route53.amazonaws.com/doc/2013-04-01/',
  autoscaling: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
};

function newRequestId(): string {
  return randomUUID();
}

export function xmlResponse(status: number, body: string, requestId: string = newRequestId()): WireResponse {
  return {
    status,
    headers: {
      'content-type': 'text/xml',
      'x-amzn-requestid': requestId,
      date: new Date().toUTCString(),
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  };
}

interface ServiceErrorSpec {
  status: number;
  code: string;
  message: string;
  /** Who is at fault in <Type>: Sender (4xx) or Receiver (5xx). */
  type: 'Sender' | 'Receiver';
}

function serviceError(service: ProxyService, spec: ServiceErrorSpec, requestId: string = newRequestId()): WireResponse {
  const error = `<Code>${escapeXml(spec.code)}</Code><Message>${escapeXml(spec.message)}</Message>`;
  const body =
    service === 'ec2'
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${error}</Error></Errors><RequestID>${requestId}</RequestID></Response>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XML_NAMESPACES[service]}"><Error><Type>${spec.type}</Type>${error}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return xmlResponse(spec.status, body, requestId);
}

function throttlingSpec(service: ProxyService): ServiceErrorSpec {
  return service === 'ec2'
    ? { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.', type: 'Receiver' }
    : { status: 400, code: 'Throttling', message: 'Rate exceeded', type: 'Sender' };
}

function serverErrorSpec(status: 500 | 503): ServiceErrorSpec {
  return status === 500
    ? { status, code: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.', type: 'Receiver' }
    : { status, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.', type: 'Receiver' };
}

/** An AWS error of the caller's making (or the service's, for a 5xx status) with the given code. */
export function codedError(service: ProxyService, status: number, code: string, message: string): WireResponse {
  return serviceError(service, { status, code, message, type: status >= 500 ? 'Receiver' : 'Sender' });
}

export function throttlingError(service: ProxyService): WireResponse {
  return serviceError(service, throttlingSpec(service));
}

export function serverError(service: ProxyService, status: 500 | 503): WireResponse {
  return serviceError(service, serverErrorSpec(status));
}
