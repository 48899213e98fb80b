# Decides a scan from klar's JSON report and prints, each ended by a NUL: the number of counted
# vulnerabilities, the human-readable summary, and the JUnit XML report.
# Arguments: $entries_doc (a one-document slurp of the allowlist entries), $repo (the image's
# repository path), $min_rank, $count_unknown, $ignore_unfixed, $max (the policy), and the labels
# $image, $clair, $severity, $allowlist.
include "findings";
include "junit";

# An entry allows a finding when it names it, is for this image or any, and has not expired.
def allows($f): .id == $f.Name and (.image == null or .image == $repo) and (.expired | not);

def describe: "\(.Name) [\(.Severity)] \(.FeatureName // "?") \(.FeatureVersion // "?")"
  + (if (.FixedBy // "") == "" then " (no fix)" else " (fixed by \(.FixedBy))" end);

def by_severity: sort_by(-.rank, .Name, .FeatureName);

# NUL ends each printed part, so none may occur inside one (an allowlist reason could hold "\0").
def without_nul: explode | map(select(. != 0)) | implode;

$entries_doc[0] as $entries
| findings as $all
| ($all | map(select(.rank >= $min_rank or (.Severity == "Unknown" and $count_unknown)))) as $at_or_above
| ($at_or_above | map(select(($ignore_unfixed and (.FixedBy // "") == "") | not))) as $relevant
| ([$relevant[] | . as $f | select(any($entries[]; allows($f)) | not)] | by_severity) as $counted
| ([$relevant[] | . as $f | first($entries[] | select(allows($f))) as $e | $f + {entry: $e}] | by_severity) as $allowed
| [$entries[] | select(.expired)] as $expired
| (if ($counted | length) > $max
   then "FAIL: \($counted | length) counted, more than the \($max) tolerated"
   else "PASS: \($counted | length) counted, \($max) tolerated" end) as $verdict
| ([
    "Scan gate summary",
    "  image:      \($image)",
    "  clair:      \($clair)",
    "  layers:     \(.LayerCount)",
    "  policy:     severity >= \($severity); Unknown counts: \($count_unknown); unfixed ignored: \($ignore_unfixed); tolerated: \($max)",
    "  allowlist:  \($allowlist)" + (if $allowlist == "none" then ""
                                    else " (\($entries | length) entries, \($expired | length) expired)" end),
    "  findings:   \($all | length) reported, \(($all | length) - ($at_or_above | length)) below \($severity), \(($at_or_above | length) - ($relevant | length)) ignored as unfixed, \($allowed | length) allowed, \($counted | length) counted",
    (if $counted != [] then "Counted vulnerabilities (\($counted | length)):", ($counted[] | "  \(describe)  \(.Link // "")") else empty end),
    (if $allowed != [] then "Allowed by the allowlist (\($allowed | length)):", ($allowed[] | "  \(describe) until \(.entry.expires): \(.entry.reason)") else empty end),
    (if $expired != [] then "Expired allowlist entries, no longer allowing anything (\($expired | length)):",
       ($expired[] | "  \(.id)" + (if .image then " (image \(.image))" else "" end) + " expired \(.expires): \(.reason)") else empty end),
    "Verdict: \($verdict)"
  ] | join("\n") + "\n" | without_nul) as $summary
| (([$counted[] | {
      classname: (.FeatureName // "unknown"),
      name: "\(.Name) [\(.Severity)] in \(.FeatureName // "?") \(.FeatureVersion // "?")",
      failure: {type: .Severity, message: describe, text: "\(.Description // "")\n\(.Link // "")"}}]
   | if . == [] then [{classname: "scan-gate", name: "no counted vulnerabilities at or above \($severity)"}] else . end)
  + [$allowed[] | {
      classname: (.FeatureName // "unknown"),
      name: "\(.Name) [\(.Severity)] in \(.FeatureName // "?") \(.FeatureVersion // "?")",
      skipped: "allowed until \(.entry.expires): \(.entry.reason)"}]) as $cases
| "\($counted | length)\u0000\($summary)\u0000\(junit($image; $cases))\u0000"
