/**
 * The two profiles an environment can start from. A profile only chooses defaults: any setting
 * an environment spells out wins. docs/cost.md's profile table and cost tables are generated from
 * these values (`npm run cost -- --write-docs`).
 */

/** The profiles, cheapest first. */
export const PROFILE_NAMES = ['lean', 'production'] as const;
/** Name of a profile. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The settings whose defaults a profile chooses. */
export interface ProfileDefaults {
  /** Defaults of `network.*`. */
  readonly network: { readonly vpcEndpoints: boolean; readonly natGateways: number };
  /** Defaults of `database.*`. */
  readonly database: {
    readonly instanceType: string;
    readonly multiAz: boolean;
    readonly deletionProtection: boolean;
    readonly backupRetentionDays: number;
    readonly snapshotOnRemoval: boolean;
  };
  /** Defaults of `clair.*`. */
  readonly clair: {
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly logRetentionDays: number;
    readonly deletionProtection: boolean;
  };
  /** Defaults of `sampleApp.*`. */
  readonly sampleApp: { readonly egress: SampleAppEgress };
}

/** How the sample app reaches ECR and CloudWatch Logs. */
export type SampleAppEgress = 'nat' | 'public-ip';

/**
 * Per profile, the defaults. `production` survives the loss of an availability zone and refuses
 * to lose data; `lean` runs one of everything, keeps a week of backups and a month of logs, and
 * costs about a third (docs/cost.md).
 *
 * Lean's Clair task keeps 4 GiB: Clair v2's first update downloads every feed into memory before
 * it writes anything, and 2 GiB is not a safe margin for that; half a vCPU only makes the update
 * and layer analysis slower.
 */
export const PROFILES: Record<ProfileName, ProfileDefaults> = {
  lean: {
    network: { vpcEndpoints: false, natGateways: 1 },
    database: {
      instanceType: 't4g.small',
      multiAz: false,
      deletionProtection: false,
      backupRetentionDays: 7,
      snapshotOnRemoval: false,
    },
    clair: { cpu: 512, memoryMiB: 4096, minTasks: 1, maxTasks: 2, logRetentionDays: 30, deletionProtection: false },
    sampleApp: { egress: 'public-ip' },
  },
  production: {
    network: { vpcEndpoints: true, natGateways: 2 },
    database: {
      instanceType: 't4g.medium',
      multiAz: true,
      deletionProtection: true,
      backupRetentionDays: 14,
      snapshotOnRemoval: true,
    },
    clair: { cpu: 1024, memoryMiB: 4096, minTasks: 2, maxTasks: 4, logRetentionDays: 365, deletionProtection: true },
    sampleApp: { egress: 'nat' },
  },
};
