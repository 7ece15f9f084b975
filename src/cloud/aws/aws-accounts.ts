import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { LifeboatError } from '../../core/errors';
import type { AwsCredentials } from './aws-clients';
import { AwsCallStats, AwsClients, DEFAULT_APP_ID, ROUTE53_REGION, sdkRetryConfig } from './aws-clients';
import type { CallLimiter } from './rate-limiter';
import { TokenBuckets } from './rate-limiter';

/**
 * Several AWS accounts (LIFEBOAT_ACCOUNTS): each listed account is reached with its own
 * clients, through the role lifeboat assumes there (STS AssumeRole by the SDK's credential
 * provider: one session per account, refreshed by the provider before it expires). An
 * account listed without a role is the one lifeboat's own credentials belong to. Without
 * accounts, lifeboat works in its own account and names none.
 */

export interface AccountAccess {
  /** The 12-digit account id. */
  id: string;
  /** The role to assume there; none for the account lifeboat's own credentials belong to. */
  roleArn?: string;
  externalId?: string;
}

interface AwsAccountsOptions {
  regions: readonly string[];
  accounts?: readonly AccountAccess[];
  endpoint?: string;
  credentials?: AwsCredentials;
  maxAttempts?: number;
  appId?: string;
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  limiter?: CallLimiter;
  /** Control regions of the region switches: lifeboat's own account gets CloudWatch clients there. */
  alarmRegions?: readonly string[];
}

/** How long an assumed session lasts; the provider refreshes it a few minutes before it ends. */
const SESSION_SECONDS = 3600;

/**
 * The credentials of one account: lifeboat's own, or a session of the role it assumes there,
 * assumed with lifeboat's own (one provider for all, so one resolution: one SSO or web
 * identity exchange, not one per client).
 */
function credentialsFor(access: AccountAccess | undefined, own: NonNullable<AwsCredentials>, options: AwsAccountsOptions): NonNullable<AwsCredentials> {
  if (!access?.roleArn) return own;
  return fromTemporaryCredentials({
    params: {
      RoleArn: access.roleArn,
      RoleSessionName: `lifeboat-${access.id}`,
      DurationSeconds: SESSION_SECONDS,
      ...(access.externalId ? { ExternalId: access.externalId } : {}),
    },
    masterCredentials: own as never,
    clientConfig: {
      region: ROUTE53_REGION,
      ...sdkRetryConfig(options.maxAttempts),
      userAgentAppId: options.appId ?? DEFAULT_APP_ID,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    },
  });
}

export class AwsAccounts {
  /** Every account lifeboat manages, in the order listed; [undefined] for its own account alone. */
  readonly ids: Array<string | undefined>;
  readonly stats = new AwsCallStats();
  private readonly byAccount = new Map<string | undefined, AwsClients>();

  constructor(options: AwsAccountsOptions) {
    const limiter = options.limiter ?? new TokenBuckets();
    const listed = options.accounts?.length ? [...options.accounts] : [undefined];
    this.ids = listed.map((a) => a?.id);
    // lifeboat's own credentials: resolved once, shared by every client and every role it assumes.
    const own = options.credentials ?? fromNodeProviderChain();
    for (const access of listed) {
      const credentials = credentialsFor(access, own, options);
      this.byAccount.set(
        access?.id,
        new AwsClients({
          regions: options.regions,
          limiter,
          stats: this.stats,
          ...(access ? { account: access.id } : {}),
          ...(options.alarmRegions !== undefined ? { alarmRegions: options.alarmRegions } : {}),
          ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
          credentials,
          ...(options.appId !== undefined ? { appId: options.appId } : {}),
          ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
          ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
          ...(options.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.connectionTimeoutMs } : {}),
        }),
      );
    }
  }

  /** The clients of one account: undefined names the first (lifeboat's own when no accounts are listed). */
  of(account: string | undefined): AwsClients {
    const clients = account === undefined ? this.byAccount.get(this.ids[0]) : this.byAccount.get(account);
    if (!clients) {
      throw new LifeboatError('LB_ERR_VALIDATION', `account ${account} is not managed by lifeboat (LIFEBOAT_ACCOUNTS: ${this.ids.join(', ')})`, { account });
    }
    return clients;
  }

  all(): AwsClients[] {
    return [...this.byAccount.values()];
  }

  destroy(): void {
    for (const c of this.byAccount.values()) c.destroy();
  }
}
