# Reading klar's JSON report: {"LayerCount": n, "Vulnerabilities": {"<Severity>": [item, ...]}}.

# klar's severity order, lowest first.
def severities: ["Unknown", "Negligible", "Low", "Medium", "High", "Critical", "Defcon1"];

# True for klar's report shape with at least one layer: an image without layers proves nothing,
# because klar then never asked Clair about anything.
def well_formed:
  type == "object"
  and (.LayerCount | type) == "number" and .LayerCount >= 1
  and (.Vulnerabilities | type) == "object"
  and all(.Vulnerabilities[]; type == "array"
          and all(.[]; type == "object" and (.Name | type) == "string"));

# The findings, one per (package, vulnerability) pair as klar counts them, each with its severity
# rank. A severity name klar does not define ranks above all of them: unknown input fails closed.
def findings:
  [.Vulnerabilities | to_entries[] | .key as $group | .value[]
   | .Severity = (if (.Severity // "") == "" then $group else .Severity end)
   | .Severity as $severity
   | .rank = ((severities | index($severity)) // (severities | length))]
  | unique_by([.FeatureName, .Name]);
