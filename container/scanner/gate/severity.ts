/** Clair's and klar's severity names, lowest first (klar's order, reference/klar-and-clair-v2.md). */
export const SEVERITIES = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical', 'Defcon1'] as const;

/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/**
 * The severity a finding is counted with: one of Clair's names in any case and without surrounding
 * spaces, else `Unknown`, which counts by default (COUNT_UNKNOWN). klar drops every severity not
 * spelled exactly as in its list (reference/hostile-inputs.md, D5); the gate keeps them.
 */
export function normalizeSeverity(value: unknown): Severity {
  if (typeof value !== 'string') return 'Unknown';
  const lower = value.trim().toLowerCase();
  return SEVERITIES.find((s) => s.toLowerCase() === lower) ?? 'Unknown';
}

/** The rank of a severity in {@link SEVERITIES}. */
export function rankOf(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
