import { LayerReport, VulnerabilityBackend } from './backend';

/**
 * A namespace name as Clair v2 writes them (`debian:12`, `alpine:v3.20`, `amzn:2`). The image
 * chooses its own namespace through its os-release, so a name is data, never a path: anything else
 * is not covered (reference/hostile-inputs.md, D1 and D14).
 */
export const NAMESPACE_RE = /^[a-z0-9._+~-]+:[a-z0-9._+~-]+$/;

/** What the gate learned about an image's coverage: the layer report and the reasons it is not covered. */
export interface Coverage extends LayerReport {
  /** Why the image is not covered; empty when it is. */
  readonly gaps: string[];
}

/**
 * Whether the backend could read the image: an operating system, packages, and data for each
 * namespace of the packages (reference/coverage-and-clair-api.md, section 1). klar cannot tell a
 * clean image from one Clair could not read: both report no vulnerabilities.
 */
export async function checkCoverage(report: LayerReport, backend: VulnerabilityBackend): Promise<Coverage> {
  if (report.os === null) return { ...report, gaps: ['no operating system detected'] };
  if (report.packages === 0) return { ...report, gaps: ['no packages found'] };
  const gaps: string[] = [];
  for (const namespace of report.namespaces) {
    if (!NAMESPACE_RE.test(namespace)) gaps.push(`malformed namespace ${JSON.stringify(namespace)}, not asked about`);
    else if (!(await backend.hasData(namespace))) gaps.push(`no vulnerability data for ${namespace}`);
  }
  return { ...report, gaps };
}
