import { randomBytes } from 'node:crypto';
import { XML_NAMESPACES } from './wire-errors';
import { awsTime, element } from './xml-text';

/**
 * Route 53 change propagation: every ChangeResourceRecordSets gets a change id of its own
 * (moto hands out one fixed id) and stays PENDING until the propagation time has passed;
 * GetChange for those ids is answered here, in Route 53's XML.
 */

interface ChangeRecord {
  id: string;
  submittedAt: number;
  /** When it reports INSYNC: fixed at submission. */
  insyncAt: number;
  comment?: string;
}

type ChangeStatus = 'PENDING' | 'INSYNC';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `C`, a counter and random characters, upper case like Route 53's (C2682N5HXP0BZ4). */
export function newChangeId(counter: number): string {
  const random = [...randomBytes(10)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
  return `C${counter.toString(36).toUpperCase().padStart(4, '0')}${random}`;
}

function changeInfoXml(change: ChangeRecord, status: ChangeStatus): string {
  return `<ChangeInfo>${element('Id', `/change/${change.id}`)}${element('Status', status)}${element('SubmittedAt', awsTime(change.submittedAt))}${element('Comment', change.comment)}</ChangeInfo>`;
}

/** moto's ChangeResourceRecordSets answer with our change id, status and submission time. */
export function rewriteChangeInfo(xml: string, change: ChangeRecord, status: ChangeStatus): string {
  return xml.replace(/<ChangeInfo>[\s\S]*?<\/ChangeInfo>/, changeInfoXml(change, status));
}

export function getChangeXml(change: ChangeRecord, status: ChangeStatus): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="${XML_NAMESPACES.route53}">${changeInfoXml(change, status)}</GetChangeResponse>`;
}

export class DnsChanges {
  private counter = 0;
  private readonly changes = new Map<string, ChangeRecord>();

  submit(submittedAt: number, propagationMs: number, comment?: string): ChangeRecord {
    this.counter += 1;
    const change: ChangeRecord = { id: newChangeId(this.counter), submittedAt, insyncAt: submittedAt + propagationMs, ...(comment !== undefined ? { comment } : {}) };
    this.changes.set(change.id, change);
    return change;
  }

  find(id: string): ChangeRecord | undefined {
    return this.changes.get(id.replace(/^\/?change\//, ''));
  }

  static status(change: ChangeRecord, now: number): ChangeStatus {
    return now >= change.insyncAt ? 'INSYNC' : 'PENDING';
  }

  pending(now: number): number {
    return [...this.changes.values()].filter((c) => DnsChanges.status(c, now) === 'PENDING').length;
  }
}
