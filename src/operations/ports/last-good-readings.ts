import type { AutoScalingGroupReading, HostedZoneReading, RegionCode } from '../../core/fleet';

/** A source's last reading that succeeded, and when it was taken. */
export interface LastGoodReading<T> {
  takenAt: string;
  value: T;
}

/**
 * The last good reading of each fleet source (a region's Auto Scaling groups, Route 53's
 * managed zones), shared by every process: what a plan uses for a source that cannot be
 * read now, with its age stated (see fleet-snapshot.ts).
 */
export interface LastGoodReadings {
  saveGroups(region: RegionCode, groups: AutoScalingGroupReading[], takenAt: string): Promise<void>;
  groupsOf(region: RegionCode): Promise<LastGoodReading<AutoScalingGroupReading[]> | undefined>;
  saveZones(zones: HostedZoneReading[], takenAt: string): Promise<void>;
  zones(): Promise<LastGoodReading<HostedZoneReading[]> | undefined>;
  /** When each region was last read well (those never read are left out). */
  ages(regions: readonly RegionCode[]): Promise<Record<RegionCode, string>>;
}
