# Rendering JUnit XML, the format CodeBuild report groups read.

# Text safe in XML content and attributes: characters XML 1.0 forbids are dropped, markup escaped.
def xml: tostring | gsub("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]"; "") | @html;

# One test suite. Each case is {classname, name} plus at most one of failure: {type, message,
# text}, skipped: message, error: message; the counts on both roots are derived from the cases.
def junit($suite; $cases):
  ($cases | map(select(.failure)) | length) as $failures
  | ($cases | map(select(.skipped)) | length) as $skipped
  | ($cases | map(select(.error)) | length) as $errors
  | "tests=\"\($cases | length)\" failures=\"\($failures)\" errors=\"\($errors)\" skipped=\"\($skipped)\"" as $counts
  | ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
     "<testsuites name=\"scan-image\" \($counts)>",
     "  <testsuite name=\"\($suite | xml)\" \($counts)>",
     ($cases[]
      | "    <testcase classname=\"\(.classname | xml)\" name=\"\(.name | xml)\">",
        (if .failure then "      <failure type=\"\(.failure.type | xml)\" message=\"\(.failure.message | xml)\">\(.failure.text | xml)</failure>"
         elif .skipped then "      <skipped message=\"\(.skipped | xml)\"/>"
         elif .error then "      <error message=\"\(.error | xml)\"/>"
         else empty end),
        "    </testcase>"),
     "  </testsuite>",
     "</testsuites>"]
  | join("\n") + "\n";
