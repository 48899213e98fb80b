import { Finding } from './findings';

/** What the vulnerability backend found in the image's top layer (the view of all its layers). */
export interface LayerReport {
  /** The operating system's namespace, or null when none was detected. */
  readonly os: string | null;
  /** How many packages were found. */
  readonly packages: number;
  /** The namespaces of the packages, sorted, each once. */
  readonly namespaces: string[];
  /** The vulnerabilities of the packages, with the backend's own severities. */
  readonly findings: Finding[];
}

/**
 * The questions the gate asks the vulnerability backend after klar: what it found in a layer, and
 * whether it holds data for a namespace. Clair v2's v1 API answers them today (clair-v1.ts);
 * another backend (Clair v4, Trivy) implements this interface (DESIGN.md, "Out of scope for now").
 */
export interface VulnerabilityBackend {
  /** What the backend found in a layer, by klar's layer name. */
  layer(layerName: string): Promise<LayerReport>;
  /** Whether the backend holds vulnerability data for a namespace (a validated name). */
  hasData(namespace: string): Promise<boolean>;
}
