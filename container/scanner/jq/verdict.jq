# Decides a scan from klar's JSON report and prints, each ended by a NUL: the number of counted
# vulnerabilities, the coverage (covered, waived, not-checked, or "not-covered: <reasons>"), the
# human-readable summary, and the JUnit XML report.
# When a coverage answer cannot be read, it prints "error" and the message instead (each ended by
# a NUL), and two empty parts.
# Arguments: $entries_doc (a one-document slurp of the allowlist entries {allow, unscannable}),
# $coverage_layer (Clair's raw answer for the image's layer, or null when coverage is not checked)
# with, for each namespace i of its packages, $ns<i> (Clair's raw answer), $ns<i>_name and
# $ns<i>_status (its HTTP status),
# $repo and $digest (the image's repository path and manifest digest), $min_rank,
# $count_unknown, $ignore_unfixed, $max (the policy), and the labels $image, $clair, $severity,
# $allowlist.
include "coverage";
include "findings";
include "junit";

# An entry allows a finding when it names it, is for this image or any, and has not expired.
def allows($f): .id == $f.Name and (.image == null or .image == $repo) and (.expired | not);

def describe: "\(.Name) [\(.Severity)] \(.FeatureName // "?") \(.FeatureVersion // "?")"
  + (if (.FixedBy // "") == "" then " (no fix)" else " (fixed by \(.FixedBy))" end);

def by_severity: sort_by(-.rank, .Name, .FeatureName);

# NUL ends each printed part, so none may occur inside one (an allowlist reason could hold "\0").
def without_nul: explode | map(select(. != 0)) | implode;

# An unscannable entry waives coverage for this image when it names its repository (and its
# digest, if given) and has not expired.
def waives: .image == $repo and (.digest == null or .digest == $digest) and (.expired | not);

def note: "Clair v2 reads operating-system packages only (dpkg, apk and rpm databases), never language packages (npm, pip, jars, Go modules)";

# The namespace answers as coverage/1 takes them: {"<namespace>": {status, body}}.
def namespace_answers:
  $ARGS.named | with_entries(select(.key | test("^ns[0-9]+$"))
    | {key: $ARGS.named["\(.key)_name"], value: {body: .value, status: $ARGS.named["\(.key)_status"]}});

($coverage_layer | if . == null then null else [try coverage(namespace_answers) catch {error: .}][0] end) as $coverage
| if $coverage.error? then "error\u0000coverage: \($coverage.error)\u0000\u0000\u0000" else (
$entries_doc[0].allow as $entries
| $entries_doc[0].unscannable as $unscannable
| (if $coverage == null then {state: "not-checked", text: "not checked (REQUIRE_COVERAGE=false)"}
   elif $coverage.gaps == [] then {state: "covered", text: "covered"}
   else ($coverage.gaps | join("; ")) as $gaps
   | (first($unscannable[] | select(waives))
      | {state: "waived", text: "not covered (\($gaps)), waived until \(.expires): \(.reason)"})
     // {state: "not-covered: \($gaps)", text: "NOT COVERED: \($gaps)"}
   end) as $covered
| [$unscannable[] | select(.expired)] as $expired_waivers
| findings as $all
| ($all | map(select(.rank >= $min_rank or (.Severity == "Unknown" and $count_unknown)))) as $at_or_above
| ($at_or_above | map(select(($ignore_unfixed and (.FixedBy // "") == "") | not))) as $relevant
| ([$relevant[] | . as $f | select(any($entries[]; allows($f)) | not)] | by_severity) as $counted
| ([$relevant[] | . as $f | first($entries[] | select(allows($f))) as $e | $f + {entry: $e}] | by_severity) as $allowed
| [$entries[] | select(.expired)] as $expired
| (if ($counted | length) > $max
   then "FAIL: \($counted | length) counted, more than the \($max) tolerated"
   elif $covered.state | startswith("not-covered")
   then "FAIL: \($counted | length) counted, but not covered: \($covered.state | ltrimstr("not-covered: "))"
   else "PASS: \($counted | length) counted, \($max) tolerated" end) as $verdict
| ([
    "Scan gate summary",
    "  image:      \($image)",
    "  clair:      \($clair)",
    "  layers:     \(.LayerCount)",
    "  policy:     severity >= \($severity); Unknown counts: \($count_unknown); unfixed ignored: \($ignore_unfixed); tolerated: \($max)",
    "  allowlist:  \($allowlist)" + (if $allowlist == "none" then ""
                                    else " (\($entries | length) entries, \($expired | length) expired"
                                      + (if $unscannable == [] then "" else "; \($unscannable | length) unscannable" end) + ")" end),
    (if $coverage == null then empty else
      "  namespaces: \(if $coverage.os == null then "none (no operating system detected)"
                       else ([$coverage.os] + $coverage.namespaces | unique | join(", ")) end)",
      "  packages:   \($coverage.packages) found by Clair" end),
    "  coverage:   \($covered.text)",
    "  note:       \(note)",
    "  findings:   \($all | length) reported, \(($all | length) - ($at_or_above | length)) below \($severity), \(($at_or_above | length) - ($relevant | length)) ignored as unfixed, \($allowed | length) allowed, \($counted | length) counted",
    (if $counted != [] then "Counted vulnerabilities (\($counted | length)):", ($counted[] | "  \(describe)  \(.Link // "")") else empty end),
    (if $allowed != [] then "Allowed by the allowlist (\($allowed | length)):", ($allowed[] | "  \(describe) until \(.entry.expires): \(.entry.reason)") else empty end),
    (if $expired != [] then "Expired allowlist entries, no longer allowing anything (\($expired | length)):",
       ($expired[] | "  \(.id)" + (if .image then " (image \(.image))" else "" end) + " expired \(.expires): \(.reason)") else empty end),
    (if $expired_waivers != [] then "Expired unscannable entries, no longer waiving anything (\($expired_waivers | length)):",
       ($expired_waivers[] | "  \(.image)\(if .digest then "@\(.digest)" else "" end) expired \(.expires): \(.reason)") else empty end),
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
      skipped: "allowed until \(.entry.expires): \(.entry.reason)"}]
  + [{classname: "scan-gate", name: "coverage: \(note)"}
     + (if $covered.state == "covered" then {}
        elif $covered.state | startswith("not-covered")
        then {failure: {type: "not covered", message: $covered.text,
                        text: "Clair could not read this image, so no finding proves it clean; see docs/operations.md (exit 7)"}}
        else {skipped: $covered.text} end)]) as $cases
| "\($counted | length)\u0000\($covered.state)\u0000\($summary)\u0000\(junit($image; $cases))\u0000"
) end
