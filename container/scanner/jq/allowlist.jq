# Validates an allowlist (the YAML documents of the file, slurped) and prints, each ended by a NUL:
# the problems found ("" when none), the entries as JSON, and klar's whitelist YAML.
# Arguments: $today (YYYY-MM-DD, UTC) and $path_re (a repository path without registry or tag).
#
# The allowlist is judged as a whole: one malformed entry rejects the file, so that a typo never
# silently allows, or silently stops allowing, anything.

def valid_date: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
  and (. as $d | try (strptime("%Y-%m-%d") | mktime | strftime("%Y-%m-%d") == $d) catch false);

def problems:
  if type != "object" then ["is not a mapping"]
  else
    [keys[] | select(IN("id", "image", "reason", "expires") | not) | "has unknown key \"\(.)\""]
    + (if (.id | type) == "string" and (.id | test("^\\S+$")) then []
       else ["needs an id (a vulnerability name without spaces)"] end)
    + (if has("image") | not then []
       elif (.image | type) == "string" and (.image | test("^" + $path_re + "$")) then []
       else ["has an image that is not a repository path (no registry, no tag)"] end)
    + (if (.reason | type) == "string" and (.reason | test("\\S")) then []
       else ["needs a non-empty reason"] end)
    + (if .expires | valid_date then []
       else ["needs expires as a valid date YYYY-MM-DD"] end)
  end;

# klar's whitelist format (general: names; images: repository -> names) for the unexpired entries,
# written with JSON-quoted scalars, which YAML reads as they are.
def klar_whitelist:
  map(select(.expired | not)) as $live
  | ([$live[] | select(.image == null) | .id] | unique) as $general
  | ($live | map(select(.image != null)) | group_by(.image)) as $images
  | ["general:" + (if $general == [] then " []" else "" end)]
    + [$general[] | "  - \(tojson)"]
    + ["images:" + (if $images == [] then " {}" else "" end)]
    + [$images[] | "  \(.[0].image | tojson):", (map(.id) | unique | .[] | "    - \(tojson)")]
  | join("\n") + "\n";

(if length != 1 then ["must be exactly one YAML document"]
 elif (.[0] | type) != "object" or (.[0] | keys) != ["allow"] or (.[0].allow | type) != "array"
 then ["must be a mapping with a single key \"allow\" holding a list"]
 else [.[0].allow | to_entries[] | .key as $i | (.value | problems[]) | "entry \($i + 1) \(.)"]
 end) as $problems
| if $problems != [] then ($problems | join("; ")) + "\u0000\u0000\u0000"
  else
    [.[0].allow[] | {id, image, reason, expires, expired: (.expires < $today)}] as $entries
    | "\u0000" + ($entries | tojson) + "\u0000" + ($entries | klar_whitelist) + "\u0000"
  end
